import type { IncomingMessage } from 'node:http';
import { asTollgateError } from '../core/errors.js';
import type { Pipeline } from '../core/pipeline.js';
import { undecodedRequest, type AuthzRequest, type Decision, type GatewayKind } from '../core/types.js';

/**
 * Decodes, then decides. Input the adapter cannot decode (malformed, oversized) becomes an audited
 * deny carrying the error's status and reason, never an allow and never an unhandled error.
 */
export async function decideOrReject(
  pipeline: Pipeline, gateway: GatewayKind, req: IncomingMessage, decode: () => AuthzRequest | Promise<AuthzRequest>,
): Promise<Decision> {
  let request: AuthzRequest;
  try {
    request = await decode();
  } catch (err) {
    const error = asTollgateError(err, 'ERR_REQUEST_MALFORMED');
    return pipeline.reject(undecodedRequest(gateway, req.method, req.url, req.socket.remoteAddress), error);
  }
  return pipeline.authorize(request);
}
