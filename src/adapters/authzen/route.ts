import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrustedProxies } from '../../common/trusted-proxies.js';
import type { AccessQuestion, CallerRule } from '../../core/access-evaluation.js';
import { errorAnswer } from '../../core/access-evaluation.js';
import { asTollgateError, TollgateError } from '../../core/errors.js';
import type { Pipeline } from '../../core/pipeline.js';
import type { AuthzRequest, Principal } from '../../core/types.js';
import type { HotRoute } from '../../server/authz-server.js';
import { errorBody, readBody, sendJson } from '../../server/body.js';
import { clientResponseHeaders, denialBody } from '../http/denial.js';
import { incomingHeaders } from '../http/headers.js';
import { splitTarget } from '../http/request-line.js';
import type { AdapterContext, HttpAdapter } from '../http-adapter.js';
import { decodeEvaluation, decodeEvaluations, readAccessBody } from './decode.js';
import { answerBatch } from './encode.js';
import { baseUrlOf, ENDPOINTS, pdpMetadata, WELL_KNOWN } from './metadata.js';
import { CANDIDATE_PATHS, candidates, decodeSearch, searchBinding, searchPage, tokenOffset, type SearchKind } from './search.js';

/** What an API is given once the caller is authenticated and the body is a JSON object. */
interface Asked {
  doc: Record<string, unknown>;
  caller: Principal | null;
  request: AuthzRequest;
  /** One question through the pipeline: one decision record. */
  ask: (question: AccessQuestion) => ReturnType<Pipeline['answerAccess']>;
}

/** Decodes (throwing on a bad request), then returns the evaluation to run, which never throws. */
type Api = (asked: Asked, context: AdapterContext) => () => unknown;

const searchApi = (kind: SearchKind): Api => ({ doc, caller, request, ask }, { pipeline, config }) => {
  const search = decodeSearch(kind, doc, config.authzen.search_page_size);
  const binding = searchBinding(request.path, caller?.id ?? null, doc);
  const start = tokenOffset(search.token, binding);
  return () => {
    const found = candidates(search, pipeline.policyData(CANDIDATE_PATHS[kind]));
    const { results, nextToken } = searchPage(found, start, search.limit, ask, binding);
    return { page: { next_token: nextToken, count: results.length }, results };
  };
};

const APIS: Record<keyof typeof ENDPOINTS, Api> = {
  access_evaluation_endpoint: ({ doc, ask }) => {
    const question = decodeEvaluation(doc);
    return () => ask(question);
  },
  access_evaluations_endpoint: ({ doc, request, ask }, { pipeline, config }) => {
    const decoded = decodeEvaluations(doc, config.authzen.max_evaluations);
    if (decoded.kind === 'single') return () => ask(decoded.question);
    // An item that is invalid even with the defaults is a deny saying why, and still a decision record.
    const failed = (err: TollgateError) => (pipeline.reject(request, err), errorAnswer(err));
    return () => answerBatch(decoded.items, decoded.semantic, ask, failed);
  },
  search_subject_endpoint: searchApi('subject'),
  search_resource_endpoint: searchApi('resource'),
  search_action_endpoint: searchApi('action'),
};

/**
 * The AuthZEN Authorization API 1.0 (docs/authzen.md): a PEP asks whether a subject may do an action
 * on a resource. The caller authenticates like any request; every question is a decision record.
 * Not an authorising adapter in the cross-adapter sense: it decides questions about the subjects a
 * PEP names, not the gateway request in hand (test/contract/authzen.test.ts is its contract).
 */
export const authzenAdapter: HttpAdapter = {
  gateway: 'authzen',
  authorizes: false,
  enabled: (config) => config.authzen.enabled,
  routes: (context) => {
    const { tenants } = context.config.authzen;
    return [null, ...tenants].flatMap((tenant): HotRoute[] => [
      ...Object.entries(APIS).map(([key, api]) => ({
        method: 'POST',
        path: `${tenant === null ? '' : `/${tenant}`}${ENDPOINTS[key as keyof typeof ENDPOINTS]}`,
        handler: accessHandler(api, tenant, context),
      })),
      { method: 'GET', path: tenant === null ? WELL_KNOWN : `${WELL_KNOWN}/${tenant}`, handler: metadataHandler(tenant, context) },
    ]);
  },
};

function accessHandler(api: Api, tenant: string | null, context: AdapterContext): HotRoute['handler'] {
  const { pipeline, config, maxBodyBytes, proxies } = context;
  const { entrypoint, require_caller: required, required_scope: scope } = config.authzen;
  const rule: CallerRule = { required, scope };
  return async (req, res) => {
    const send = answerWith(res, req);
    const request = accessRequest(req, proxies);
    const reject = (err: unknown) => {
      const failure = asTollgateError(err, 'ERR_REQUEST_MALFORMED');
      send(failure.status, errorBody(failure.reason, failure.message, pipeline.reject(request, failure).decisionId));
    };
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      reject(err);
      return;
    }
    const check = await pipeline.authenticateCaller(request, rule);
    if ('failure' in check) {
      send(check.failure.status, denialBody(check.failure)!, clientResponseHeaders(check.failure));
      return;
    }
    let evaluate: () => unknown;
    try {
      const doc = readAccessBody(request.headers['content-type'], body);
      evaluate = api({ doc, caller: check.caller, request, ask: (q) => pipeline.answerAccess(request, check.caller, q, { entrypoint, tenant }) }, context);
    } catch (err) {
      reject(err);
      return;
    }
    send(200, evaluate());
  };
}

function metadataHandler(tenant: string | null, { config, proxies }: AdapterContext): HotRoute['handler'] {
  return (req, res) => {
    const send = answerWith(res, req);
    const trustedProto = proxies.isTrusted(req.socket.remoteAddress) ? firstHeader(req, 'x-forwarded-proto') : undefined;
    const base = baseUrlOf(config.authzen, req.headers.host, trustedProto);
    if (base === null) {
      const err = new TollgateError('ERR_REQUEST_MALFORMED', 'no usable Host header: set adapters.authzen.base_url');
      send(err.status, errorBody(err.reason, err.message));
      return;
    }
    send(200, pdpMetadata(base, tenant, config.authzen));
  };
}

/** Every answer is JSON and echoes the caller's X-Request-ID. */
function answerWith(res: ServerResponse, req: IncomingMessage) {
  const requestId = req.headers['x-request-id'];
  const echo: Record<string, string> = typeof requestId === 'string' ? { 'x-request-id': requestId } : {};
  return (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, { ...headers, ...echo });
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.split(',')[0].trim().toLowerCase() : undefined;
}

/** The HTTP request as the pipeline sees it: enough to authenticate the caller and audit the call. */
function accessRequest(req: IncomingMessage, proxies: TrustedProxies): AuthzRequest {
  const headers = incomingHeaders(req);
  const peer = req.socket.remoteAddress;
  return {
    gateway: 'authzen',
    method: req.method ?? 'POST',
    ...splitTarget(req.url ?? '/'),
    host: headers.host ?? '',
    scheme: 'http',
    headers,
    source: { address: proxies.clientAddress(peer, headers['x-forwarded-for']) },
    transportPeer: peer,
  };
}
