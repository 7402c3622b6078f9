import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { asTollgateError, TollgateError } from '../../core/errors.js';
import { isObject } from '../../core/llm.js';
import type { DecisionObserver } from '../../core/pipeline.js';
import { undecodedRequest } from '../../core/types.js';
import type { HotRoute } from '../../server/authz-server.js';
import { parseJsonBody, readBody, sendJson } from '../../server/body.js';
import type { WasmPolicyEngine } from '../../policy/wasm-engine.js';
import { evaluationRecord } from './evaluation-record.js';

const DATA_PREFIX = '/v1/data/';

export interface DataApiDeps {
  policy: () => WasmPolicyEngine | undefined;
  observers: readonly DecisionObserver[];
  maxBodyBytes: number;
}

/**
 * OPA's Data API over the bundle's entrypoints: POST {"input": ...} or GET ?input=<json> to
 * /v1/data/<entrypoint> answers {"result": <value>, "decision_id"} as OPA does, with no result key
 * when the document is undefined (including a path that is no entrypoint, such as "constructor":
 * OPA gives 200 there too). Errors are OPA-shaped {"code", "message"}: 400 invalid_parameter,
 * 500 internal_error. Served only when adapters.data_api.enabled: the input, identity included, is
 * the caller's, so each answer is recorded as an evaluation, never as an allow.
 */
export function dataApiRoutes(deps: DataApiDeps): HotRoute[] {
  const handler: HotRoute['handler'] = async (req, res, path, query) => {
    const decisionId = randomUUID();
    const started = performance.now();
    const policy = deps.policy();
    const record = (outcome: Parameters<typeof evaluationRecord>[1]): void => {
      const request = undecodedRequest('opa_data_api', req.method, path, req.socket.remoteAddress);
      const decision = evaluationRecord(decisionId, outcome, policy?.revision ?? '', performance.now() - started);
      for (const observer of deps.observers) observer.onDecision(request, decision);
    };
    let entrypoint: string;
    let input: unknown;
    try {
      entrypoint = decodeURIComponent(path.slice(DATA_PREFIX.length)).replace(/\/+$/, '');
      // OPA would answer the whole data document here; Tollgate serves only compiled entrypoints.
      if (entrypoint === '') throw new TollgateError('ERR_REQUEST_MALFORMED', 'name a policy entrypoint: /v1/data/<package path>/<rule>');
      input = req.method === 'GET' ? inputFromQuery(query) : inputFromBody(await readBody(req, deps.maxBodyBytes));
    } catch (err) {
      const error = asTollgateError(err, 'ERR_REQUEST_MALFORMED');
      record({ errorCode: error.code, reason: error.reason });
      sendJson(res, error.status === 413 ? 413 : 400, { code: 'invalid_parameter', message: error.message });
      return;
    }
    if (!policy) {
      record({ errorCode: 'ERR_POLICY_NOT_READY', reason: 'policy_not_ready' });
      sendJson(res, 500, { code: 'internal_error', message: 'no policy bundle is loaded' });
      return;
    }
    let resultSet: unknown[] | undefined;
    try {
      resultSet = policy.evaluateEntrypoint(entrypoint, input);
    } catch (err) {
      const error = asTollgateError(err, 'ERR_POLICY_EVAL_FAILED');
      record({ errorCode: error.code, reason: error.reason });
      sendJson(res, 500, { code: 'internal_error', message: error.message });
      return;
    }
    const first = Array.isArray(resultSet) && isObject(resultSet[0]) && 'result' in resultSet[0] ? resultSet[0] : undefined;
    record({ defined: first !== undefined });
    sendJson(res, 200, first ? { result: first.result, decision_id: decisionId } : { decision_id: decisionId });
  };
  return ['POST', 'GET'].map((method) => ({ method, path: DATA_PREFIX, handler }));
}

/** OPA accepts a body without "input" (the input is then undefined); anything but an object is malformed. */
function inputFromBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const doc = parseJsonBody(body);
  if (!isObject(doc)) throw new TollgateError('ERR_REQUEST_MALFORMED', 'body must be a JSON object like {"input": ...}');
  return doc.input;
}

function inputFromQuery(query: string): unknown {
  const text = new URLSearchParams(query).get('input');
  return text === null ? undefined : parseJsonBody(Buffer.from(text, 'utf8'));
}
