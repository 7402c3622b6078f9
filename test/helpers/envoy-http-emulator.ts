import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { integrationFile } from './gateway-peers.js';

interface StringMatcher { exact?: string; prefix?: string }

export interface OriginalRequest { method: string; path: string; host?: string; headers?: Record<string, string>; body?: string; clientAddress?: string }

export type EnvoyOutcome =
  | { allowed: true; upstreamHeaders: Record<string, string>; removeHeaders: string[]; clientHeaders: Record<string, string> }
  | { allowed: false; status: number; clientHeaders: Record<string, string>; body: string };

/**
 * Envoy's HTTP ext_authz client as integrations/envoy/envoy-http.yaml configures it (no Envoy binary
 * here): builds the check request the way ext_authz_http_impl.cc does and reads the answer by the
 * same rules (exactly 200 allows; allowed_upstream_headers / allowed_client_headers filter).
 */
export class EnvoyHttpEmulator {
  readonly pathPrefix: string;
  private readonly allowedHeaders: StringMatcher[];
  private readonly headersToAdd: Array<{ key: string; value: string }>;
  private readonly upstreamHeaders: StringMatcher[];
  private readonly clientHeaders: StringMatcher[];
  private readonly clientHeadersOnSuccess: StringMatcher[];
  readonly maxRequestBytes: number;

  constructor(private readonly tollgatePort: number, file = integrationFile('envoy', 'envoy-http.yaml')) {
    const doc = parseYaml(readFileSync(file, 'utf8'));
    const filter = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters
      .find((f: { name: string }) => f.name === 'envoy.filters.http.ext_authz').typed_config;
    const svc = filter.http_service;
    this.pathPrefix = svc.path_prefix;
    this.allowedHeaders = filter.allowed_headers?.patterns ?? [];
    this.headersToAdd = svc.authorization_request?.headers_to_add ?? [];
    this.upstreamHeaders = svc.authorization_response.allowed_upstream_headers.patterns;
    this.clientHeaders = svc.authorization_response.allowed_client_headers.patterns;
    this.clientHeadersOnSuccess = svc.authorization_response.allowed_client_headers_on_success?.patterns ?? [];
    this.maxRequestBytes = filter.with_request_body.max_request_bytes;
  }

  async check(original: OriginalRequest): Promise<EnvoyOutcome> {
    const client = Object.fromEntries(Object.entries(original.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const headers: Record<string, string> = { host: original.host ?? 'llm.example' };
    for (const [name, value] of Object.entries(client)) {
      if (name === 'authorization' || matches(this.allowedHeaders, name)) headers[name] = value;
    }
    for (const { key, value } of this.headersToAdd) {
      headers[key] = value.replace('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', original.clientAddress ?? '192.0.2.10');
    }
    const body = Buffer.from(original.body ?? '', 'utf8');
    const res = await request(this.tollgatePort, original.method, this.pathPrefix + original.path, headers, body);
    if (res.status === 200) {
      const upstreamHeaders = pick(res.headers, (name) => matches(this.upstreamHeaders, name));
      const remove = res.headers['x-envoy-auth-headers-to-remove'];
      const clientHeaders = pick(res.headers, (name) => matches(this.clientHeadersOnSuccess, name));
      return { allowed: true, upstreamHeaders, removeHeaders: remove ? remove.split(',').map((h) => h.trim()) : [], clientHeaders };
    }
    const always = ['path', 'status', 'content-length', 'www-authenticate', 'location'];
    return { allowed: false, status: res.status, clientHeaders: pick(res.headers, (n) => always.includes(n) || matches(this.clientHeaders, n)), body: res.body };
  }
}

function matches(patterns: StringMatcher[], name: string): boolean {
  return patterns.some((p) => (p.exact !== undefined && p.exact === name) || (p.prefix !== undefined && name.startsWith(p.prefix)));
}

function pick(headers: Record<string, string>, keep: (name: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => keep(name)));
}

function request(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
