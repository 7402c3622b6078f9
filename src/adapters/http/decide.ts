import type { IncomingMessage } from 'node:http';
import { thenOrNow } from '../../common/maybe-async.js';
import { asTollgateError } from '../../core/errors.js';
import type { Pipeline } from '../../core/pipeline.js';
import type { PolicyProbe } from '../../core/pipeline-ports.js';
import type { AuthzRequest, Decision, GatewayKind } from '../../core/types.js';
import { onBody } from '../../server/body.js';
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
 * Synchronous when decoding and deciding are.
 */
export function decideOrReject(
  pipeline: Pipeline, gateway: GatewayKind, line: RequestLine, decode: () => AuthzRequest | Promise<AuthzRequest>, probe?: PolicyProbe,
): Decided | Promise<Decided> {
  const rejected = (err: unknown): Decided => ({ decision: pipeline.reject(bareRequest(gateway, line), asTollgateError(err, 'ERR_REQUEST_MALFORMED')), decoded: false });
  let request: AuthzRequest | Promise<AuthzRequest>;
  try {
    request = decode();
  } catch (err) {
    return rejected(err);
  }
  if (request instanceof Promise) return request.then((decoded) => decided(pipeline, decoded, probe), rejected);
  return decided(pipeline, request, probe);
}

function decided(pipeline: Pipeline, request: AuthzRequest, probe: PolicyProbe | undefined): Decided | Promise<Decided> {
  return thenOrNow(pipeline.authorize(request, probe), (decision) => ({ decision, decoded: true }));
}

/**
 * A hot route's whole life: the body read by callback, then decoded, decided and answered within the
 * request's own 'end' event when every step is synchronous (no promise per step). The promise it
 * returns settles once the answer is sent; the server turns its rejection into a 500 deny.
 */
export function decideOnBody(
  pipeline: Pipeline, gateway: GatewayKind, req: IncomingMessage, maxBodyBytes: number,
  decode: (body: Buffer) => AuthzRequest, answer: (decided: Decided) => void,
): Promise<void> {
  const line = requestLineOf(req);
  return new Promise((resolve, reject) => {
    onBody(req, maxBodyBytes, (error, body) => {
      try {
        const outcome = decideOrReject(pipeline, gateway, line, () => {
          if (error) throw error;
          return decode(body!);
        });
        if (outcome instanceof Promise) {
          outcome.then(answer).then(resolve, reject);
          return;
        }
        answer(outcome);
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
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
