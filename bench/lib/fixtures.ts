import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeKeys as writeTestKeys } from '../../test/helpers/key-files.js';
import { compileBundle } from '../../test/helpers/opa.js';
import type { HttpRequestSpec } from './load-result.js';

/** The model every scenario asks for; granted by the key's models or by policy data. */
export const MODEL = 'gpt-4o-mini';

/**
 * A key file with `count` keys, as `tollgate keys create` writes it. Only the first key's secret is
 * kept: the load uses it; the others make the store as large as in production.
 */
export function writeKeys(file: string, count: number, first: { subject: string; models: string[]; scopes?: string[] }): string {
  const others = Array.from({ length: count - 1 }, (_, i) => ({ subject: `svc-${i + 1}`, models: ['gpt-4o*'] }));
  return writeTestKeys(file, [first, ...others])[0].secret;
}

/** API key callers user-0 .. user-(n-1) in data.tollgate.subjects (keyed by identity id), each granted gpt-4o*. */
export function subjectsData(count: number): Record<string, unknown> {
  const subjects: Record<string, { models: string[] }> = {};
  for (let i = 0; i < count; i++) subjects[`api_key:user-${i}`] = { models: ['gpt-4o*'] };
  return { tollgate: { subjects, groups: {} } };
}

/** The default policy's Rego with the given data, in a directory OPA can serve or build. */
export function policyDir(root: string, dir: string, data: Record<string, unknown>): { rego: string; data: string } {
  mkdirSync(dir, { recursive: true });
  const rego = path.join(dir, 'authz.rego');
  copyFileSync(path.join(root, 'policies', 'authz.rego'), rego);
  const dataFile = path.join(dir, 'data.json');
  writeFileSync(dataFile, JSON.stringify(data));
  return { rego, data: dataFile };
}

/** Builds a Wasm bundle of the default policy with that data, with the pinned OPA, like scripts/build-policy.sh. */
export function buildBundle(opa: string, dir: string, out: string, revision: string): string {
  return compileBundle(opa, dir, out, { entrypoints: ['tollgate/authz/decision'], revision });
}

/** The native API request an OpenAI-style chat call produces. */
export function nativeAuthorizeBody(credentialHeaders: Record<string, string>): string {
  return JSON.stringify({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { host: 'llm.internal', 'content-type': 'application/json', ...credentialHeaders },
    body: { model: MODEL, messages: [{ role: 'user', content: 'Say hello in one word.' }], max_tokens: 16 },
    source: { address: '10.0.0.7' },
  });
}

/** The load generator's request: that chat call on the native API of the server on `port`, answered allow. */
export function nativeAllowSpec(port: number, authorization: string): HttpRequestSpec {
  return {
    url: `http://127.0.0.1:${port}/v1/authorize`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: nativeAuthorizeBody({ authorization }),
    expect: '"allow":true',
  };
}

/**
 * The policy input document Tollgate builds for that request (tollgate.input/v1, every member the
 * native API fills), for Data API runs and the bare policy floor; `gateway` names the adapter.
 */
export function policyInput(subject: string, gateway = 'opa_data_api', now = Date.UTC(2026, 0, 1)): Record<string, unknown> {
  return {
    version: 'tollgate.input/v1',
    gateway,
    request: {
      method: 'POST', path: '/v1/chat/completions', raw_path: '/v1/chat/completions', query: '', query_params: {}, host: 'llm.internal', scheme: 'http',
      headers: { host: 'llm.internal', 'content-type': 'application/json' },
      source: { address: '10.0.0.7', principal: null }, context: {}, metadata: {}, body_truncated: false,
    },
    identity: {
      authenticated: true, method: 'api_key', id: `api_key:${subject}`, subject, key_id: 'abcdefghijkl', issuer: null,
      scopes: [], models: ['gpt-4o*'], tools: [], groups: [], tenant: null, claims: {}, workload: null,
    },
    delegation: null,
    llm: { endpoint_known: true, api: 'openai', operation: 'chat.completions', model_call: true, model: MODEL, models: [MODEL], model_unknown: false, stream: false, max_tokens: 16, tools: [], message_count: 1, findings: [] },
    mcp: null,
    usage: { minute: { tokens: 0, requests: 0, cost_usd: 0 }, day: { tokens: 0, requests: 0, cost_usd: 0 } },
    limits: { admitted: true, exceeded: null, estimate: null, store: null, applied: [] },
    time: { now_ns: now * 1e6, now: new Date(now).toISOString() },
  };
}

