import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isLoopback } from '../common/loopback.js';
import { TollgateError } from '../core/errors.js';
import { MAX_BUNDLE_BYTES } from './bundle.js';

export interface DownloadSettings {
  url: string;
  headers: Record<string, string>;
  /** File holding a bearer token, re-read on every request (rotated tokens). */
  tokenFile: string | null;
  tls: { ca_file: string | null; cert_file: string | null; key_file: string | null } | null;
  timeoutMs: number;
}

export type Download = { changed: false } | { changed: true; bytes: Buffer; etag: string | undefined };

/** Why a download failed, as counted in tollgate_bundle_failures_total{kind}. */
export class DownloadFailure extends TollgateError {
  constructor(readonly kind: 'download' | 'http_status', message: string, options?: { cause?: unknown }) {
    super('ERR_BUNDLE_DOWNLOAD_FAILED', message, options);
  }
}

/** Bundles travel over HTTPS; plain HTTP only to loopback (tests, a local bundle server). */
export function checkBundleUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname))) return parsed;
  throw new Error(`${url}: bundles are fetched over https (http only from loopback)`);
}

/**
 * One conditional GET as OPA's bundle downloader makes it: If-None-Match with the last ETag, 304 means
 * unchanged, 200 carries the bundle. Bounded in time and size; redirects are not followed.
 */
export function downloadBundle(settings: DownloadSettings, etag: string | undefined): Promise<Download> {
  const target = checkBundleUrl(settings.url);
  const headers: Record<string, string> = { accept: 'application/gzip, application/vnd.openpolicyagent.bundles', ...settings.headers };
  if (settings.tokenFile) headers.authorization = `Bearer ${readFileSync(settings.tokenFile, 'utf8').trim()}`;
  if (etag) headers['if-none-match'] = etag;
  const { tls } = settings;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(settings.timeoutMs);
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err instanceof DownloadFailure ? err
      : new DownloadFailure('download', `${settings.url}: ${signal.aborted ? `no complete answer within ${settings.timeoutMs} ms` : err.message}`, { cause: err }));
    const req = send(target, {
      method: 'GET', headers, signal,
      ca: tls?.ca_file ? readFileSync(tls.ca_file) : undefined,
      cert: tls?.cert_file ? readFileSync(tls.cert_file) : undefined,
      key: tls?.key_file ? readFileSync(tls.key_file) : undefined,
    }, (res) => {
      if (res.statusCode === 304) {
        res.resume();
        resolve({ changed: false });
      } else if (res.statusCode !== 200) {
        res.resume();
        fail(new DownloadFailure('http_status', `${settings.url}: HTTP ${res.statusCode}`));
      } else {
        readBody(res).then((bytes) => resolve({ changed: true, bytes, etag: res.headers.etag }), fail);
      }
    });
    req.on('error', fail);
    req.end();
  });
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BUNDLE_BYTES) res.destroy(new Error(`the bundle is larger than ${MAX_BUNDLE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the server closed the connection mid-bundle')));
  });
}
