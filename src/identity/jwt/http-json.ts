import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isLoopback } from '../../common/loopback.js';

export interface JsonFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** PEM CA bundle file for HTTPS (private CAs such as the Kubernetes API server's). */
  caFile?: string | null;
  /** File holding a bearer token, re-read on every fetch because Kubernetes rotates it. */
  tokenFile?: string | null;
}

/** Issuer metadata and keys travel over HTTPS; plain HTTP only to loopback (tests, local IdPs). */
export function assertFetchableUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return parsed;
  throw new Error(`${url}: only https URLs (or http to loopback) are fetched`);
}

/**
 * GET a JSON document with a hard timeout and size cap. Redirects are refused: a JWKS location
 * is configuration, not something a server may move.
 */
export async function fetchJson(url: string, options: JsonFetchOptions): Promise<unknown> {
  const target = assertFetchableUrl(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.tokenFile) headers.authorization = `Bearer ${readFileSync(options.tokenFile, 'utf8').trim()}`;
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(options.timeoutMs);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null, value?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(signal.aborted ? new Error(`${url}: no answer within ${options.timeoutMs} ms`) : err);
      else resolve(value);
    };
    const req = send(target, { method: 'GET', headers, ca, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        settle(new Error(`${url}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          settle(new Error(`${url}: response larger than ${options.maxBytes} bytes`));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        try {
          settle(null, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          settle(new Error(`${url}: response is not JSON`));
        }
      });
      res.on('error', settle);
    });
    req.on('error', settle);
    req.end();
  });
}

