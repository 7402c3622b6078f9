import type { IncomingMessage } from 'node:http';
import { isObject } from '../../core/is-object.js';
import type { DocumentOutcome, DocumentQuery } from '../../core/document-evaluation.js';
import type { HotRoute } from '../../server/authz-server.js';
import { parseJsonBody, readBody, sendJson } from '../../server/body.js';
import { bareRequest, requestLineOf } from '../http/decide.js';
import { requestMalformed } from '../http/malformed.js';
import type { HttpAdapter } from '../http-adapter.js';

const DATA_PREFIX = '/v1/data/';

/**
 * OPA's Data API over the bundle's entrypoints: POST {"input": ...} or GET ?input=<json> to
 * /v1/data/<entrypoint> answers {"result": <value>, "decision_id"} as OPA does, with no result key
 * when the document is undefined (including a path that is no entrypoint, such as "constructor":
 * OPA gives 200 there too). Errors are OPA-shaped {"code", "message"}: 400 invalid_parameter,
 * 500 internal_error. Served only when adapters.data_api.enabled: the input, identity included, is
 * the caller's, so the core records each answer as an evaluation, never as an allow.
 */
export const dataApiAdapter: HttpAdapter = {
  gateway: 'opa_data_api',
  authorizes: false,
  enabled: (config) => config.data_api.enabled,
  routes: ({ pipeline, maxBodyBytes }) => {
    const handler: HotRoute['handler'] = async (req, res, path, query) => {
      const request = bareRequest('opa_data_api', requestLineOf(req));
      const { decisionId, outcome } = await pipeline.evaluateDocument(request, () => readQuery(req, path, query, maxBodyBytes));
      const [status, body] = dataApiAnswer(outcome, decisionId);
      sendJson(res, status, body);
    };
    return ['POST', 'GET'].map((method) => ({ method, path: DATA_PREFIX, handler }));
  },
};

async function readQuery(req: IncomingMessage, path: string, query: string, maxBodyBytes: number): Promise<DocumentQuery> {
  const entrypoint = decodeURIComponent(path.slice(DATA_PREFIX.length)).replace(/\/+$/, '');
  // OPA would answer the whole data document here; Tollgate serves only compiled entrypoints.
  if (entrypoint === '') throw requestMalformed('name a policy entrypoint: /v1/data/<package path>/<rule>');
  const input = req.method === 'GET' ? inputFromQuery(query) : inputFromBody(await readBody(req, maxBodyBytes));
  return { entrypoint, input };
}

function dataApiAnswer(outcome: DocumentOutcome, decisionId: string): [number, unknown] {
  switch (outcome.kind) {
    case 'defined': return [200, { result: outcome.value, decision_id: decisionId }];
    case 'undefined': return [200, { decision_id: decisionId }];
    case 'unreadable': return [outcome.error.status === 413 ? 413 : 400, { code: 'invalid_parameter', message: outcome.error.message }];
    case 'failed': return [500, { code: 'internal_error', message: outcome.error.message }];
  }
}

/** OPA accepts a body without "input" (the input is then undefined); anything but an object is malformed. */
function inputFromBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const doc = parseJsonBody(body);
  if (!isObject(doc)) throw requestMalformed('body must be a JSON object like {"input": ...}');
  return doc.input;
}

function inputFromQuery(query: string): unknown {
  const text = new URLSearchParams(query).get('input');
  return text === null ? undefined : parseJsonBody(Buffer.from(text, 'utf8'));
}
