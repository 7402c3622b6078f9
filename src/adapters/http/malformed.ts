import { TollgateError } from '../../core/errors.js';

/** Input an adapter cannot decode: an audited 400 request_malformed deny. */
export function requestMalformed(message: string): TollgateError {
  return new TollgateError('ERR_REQUEST_MALFORMED', message);
}
