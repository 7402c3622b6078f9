import type { IncomingMessage } from 'node:http';
import type { Logger } from 'winston';
import type { TollgateError } from '../core/errors.js';
import type { HttpIncidents } from '../server/authz-server.js';
import type { Metrics } from './metrics.js';

/**
 * Audit records for answers the HTTP layer gave without a decision record saying so: requests
 * node:http rejected (a deny record, gateway "http"), and answers replaced by a 500 after a decision
 * (an "answer" record with the decision's id and the status actually sent).
 */
export class HttpIncidentLog implements HttpIncidents {
  constructor(private readonly audit: Logger, private readonly metrics: Metrics) {}

  rejected(decisionId: string, error: TollgateError, peer: string | undefined): void {
    this.metrics.decisions.inc({ gateway: 'http', result: 'deny', reason: error.reason });
    this.audit.info({
      message: 'decision', log_type: 'decision', decision_id: decisionId, gateway: 'http', method: null, path: null,
      source_address: peer ?? null, subject: null, credential: 'none', result: 'deny', status: error.status,
      reason: error.reason, error_code: error.code,
    });
  }

  answerFailed(req: IncomingMessage, path: string, error: TollgateError, decisionId: string | null): void {
    this.audit.info({
      message: 'answer', log_type: 'answer', decision_id: decisionId, method: req.method ?? null, path,
      source_address: req.socket.remoteAddress ?? null, result: 'deny', answered_status: error.status,
      reason: error.reason, error_code: error.code, error: error.message,
    });
  }
}
