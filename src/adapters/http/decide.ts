import type { IncomingMessage } from 'node:http';
import { asTollgateError } from '../../core/errors.js';
import type { Pipeline } from '../../core/pipeline.js';
import type { PolicyProbe } from '../../core/pipeline-ports.js';
import type { AuthzRequest, Decision, GatewayKind } from '../../core/types.js';
import { splitTarget } from './request-line.js';

/** What is known of a request before decoding: enough for the audit record of one that cannot be decoded. */
export interface RequestLine {
  method?: string;
  /** Path and query as sent. */
  target?: string;
  peer?: string;
}

export interface Decided {
  decision: Decision;
  /** False when the input could not be decoded and the decision is its audited reject. */
  decoded: boolean;
}

/**
 * Decodes, then decides. Input the adapter cannot decode (malformed, oversized) becomes an audited
 * deny carrying the error's status and reason, never an allow and never an unhandled error.
 */
export async function decideOrReject(
  pipeline: Pipeline, gateway: GatewayKind, line: RequestLine, decode: () => AuthzRequest | Promise<AuthzRequest>, probe?: PolicyProbe,
): Promise<Decided> {
  let request: AuthzRequest;
  try {
    request = await decode();
  } catch (err) {
    const decision = pipeline.reject(bareRequest(gateway, line), asTollgateError(err, 'ERR_REQUEST_MALFORMED'));
    return { decision, decoded: false };
  }
  return { decision: await pipeline.authorize(request, probe), decoded: true };
}

export function requestLineOf(req: IncomingMessage): RequestLine {
  return { method: req.method, target: req.url, peer: req.socket.remoteAddress };
}

/** The smallest request record: what the audit log needs of a request no adapter decoded (rejects, Data API queries). */
export function bareRequest(gateway: GatewayKind, { method, target, peer }: RequestLine): AuthzRequest {
  return {
    gateway,
    method: method ?? 'UNKNOWN',
    ...splitTarget(target ?? '/'),
    host: '',
    scheme: 'http',
    headers: {},
    source: { address: peer },
    transportPeer: peer,
  };
}
