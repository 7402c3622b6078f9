import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashSecret, newKeySecret, writeKeyFile, type KeyRecord } from '../../src/identity/key-file.js';

/** The model every scenario asks for; granted by the key's models or by policy data. */
export const MODEL = 'gpt-4o-mini';

/**
 * A key file with `count` keys, as `tollgate keys create` writes it. Only the first key's secret is
 * kept: the load uses it; the others make the store as large as in production.
 */
export function writeKeys(file: string, count: number, first: { subject: string; models: string[] }): string {
  const createdAt = new Date().toISOString();
  const records: KeyRecord[] = [];
  let secret = '';
  for (let i = 0; i < count; i++) {
    const key = newKeySecret();
    if (i === 0) secret = key.secret;
    records.push({
      id: key.id, hash: hashSecret(key.secret), subject: i === 0 ? first.subject : `svc-${i}`, models: i === 0 ? first.models : ['gpt-4o*'],
      scopes: [], created_at: createdAt, expires_at: null, disabled: false,
    });
  }
  writeKeyFile(file, records);
  return secret;
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
  execFileSync(opa, ['build', '-t', 'wasm', '-e', 'tollgate/authz/decision', '--revision', revision, '-o', out, dir], { stdio: 'pipe' });
  return out;
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

/** The policy input document Tollgate builds for that request (tollgate.input/v1), for Data API runs. */
export function policyInput(subject: string): Record<string, unknown> {
  const now = Date.UTC(2026, 0, 1);
  return {
    version: 'tollgate.input/v1',
    gateway: 'opa_data_api',
    request: {
      method: 'POST', path: '/v1/chat/completions', query: '', query_params: {}, host: 'llm.internal', scheme: 'http',
      headers: { host: 'llm.internal', 'content-type': 'application/json' },
      source: { address: '10.0.0.7', principal: null }, context: {}, metadata: {}, body_truncated: false,
    },
    identity: {
      authenticated: true, method: 'api_key', subject, key_id: 'abcdefghijkl', issuer: null,
      scopes: [], models: ['gpt-4o*'], groups: [], tenant: null, claims: {}, workload: null,
    },
    delegation: null,
    llm: { endpoint_known: true, api: 'openai', operation: 'chat.completions', model_call: true, model: MODEL, models: [MODEL], model_unknown: false, stream: false, max_tokens: 16, tools: [], message_count: 1 },
    usage: {},
    time: { now_ns: now * 1e6, now: new Date(now).toISOString() },
  };
}

