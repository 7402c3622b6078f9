import { STANDARD_CREDENTIAL_HEADERS } from '../../../src/identity/credentials.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DEFAULT_ENDPOINTS } from '../../../src/core/endpoint-catalogue.js';
import { EndpointMatcher } from '../../../src/core/endpoints.js';
import { Pipeline } from '../../../src/core/pipeline.js';
import type { Authenticator } from '../../../src/core/pipeline-ports.js';
import { normaliseRequestPath } from '../../../src/core/request-path.js';
import type { AuthzRequest, Principal } from '../../../src/core/types.js';
import { defaultBundlePath } from '../../../src/paths.js';
import { WasmPolicyEngine } from '../../../src/policy/wasm-engine.js';

/**
 * Property tests of the whole decision (real endpoint catalogue, real OPA-built Wasm policy): a
 * caller granted only gpt-4o-mini never gets an allow for a request that a liberal reader (decode
 * everything, ignore case, slashes, dots and matrix parameters) sees as a model call naming o1.
 * The authenticator is a stand-in: identity is not under test here.
 */
const GRANTED = 'gpt-4o-mini';
const FORBIDDEN = 'o1';

const caller: Authenticator = {
  name: 'stand_in',
  credentialHeaders: [],
  authenticate: (): Principal => ({ kind: 'api_key', id: 'api_key:fuzz', subject: 'fuzz', keyId: 'k', scopes: [], models: [GRANTED], groups: [] }),
};

let pipeline: Pipeline;
beforeAll(async () => {
  const engine = await WasmPolicyEngine.fromBundle(readFileSync(defaultBundlePath()), { entrypoint: 'tollgate/authz/decision', maxMemoryPages: 1024, now: Date.now });
  pipeline = new Pipeline({ standardCredentialHeaders: STANDARD_CREDENTIAL_HEADERS,
    authenticators: [caller], policy: () => engine, observers: [],
    reading: { endpoints: new EndpointMatcher(DEFAULT_ENDPOINTS), upstreamReadsFallbacks: true },
  });
});

function request(method: string, path: string, rawBody: string | undefined, contentType?: string): AuthzRequest {
  return {
    gateway: 'native', method, path, query: '', host: '', scheme: 'http', source: {},
    headers: contentType ? { 'content-type': contentType } : {}, rawBody,
  };
}

/** Model-call path suffixes as a liberal reader would spot them. */
const MODEL_CALL_SUFFIXES = ['chat/completions', 'completions', 'embeddings', 'responses', 'messages', 'messages/batches', 'rerank', 'moderations', 'images/generations', 'audio/speech', 'threads/runs', 'fine_tuning/jobs', 'batches', 'realtime/sessions'];

function liberalReading(path: string): string {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let s = raw.split(';')[0];
    try {
      s = decodeURIComponent(decodeURIComponent(s));
    } catch { /* keep what decodes */ }
    for (const part of s.split(/[/\\]/)) {
      if (part === '' || part === '.') continue;
      if (part === '..') segments.pop();
      else segments.push(part.toLowerCase());
    }
  }
  return `/${segments.join('/')}`;
}

/** A catalogue path respelled: case, percent-encoding, empty and dot segments, matrix parameters, trailing slash. */
const spelling = fc.record({
  base: fc.constantFrom('/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/v1/responses', '/v1/messages', '/openai/v1/chat/completions', '/v1/models', '/v1/files'),
  edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom('upper', 'encode', 'encode-slash', 'double-slash', 'dot', 'dotdot', 'matrix', 'trailing', 'encode-dot')), { maxLength: 6 }),
}).map(({ base, edits }) => {
  let path: string = base;
  for (const [at, edit] of edits) {
    const i = 1 + (at % Math.max(1, path.length - 1));
    const c = path[i];
    switch (edit) {
      case 'upper': path = path.slice(0, i) + c.toUpperCase() + path.slice(i + 1); break;
      case 'encode': if (/[a-z]/i.test(c)) path = `${path.slice(0, i)}%${c.charCodeAt(0).toString(16)}${path.slice(i + 1)}`; break;
      case 'encode-slash': if (c === '/') path = `${path.slice(0, i)}%2F${path.slice(i + 1)}`; break;
      case 'double-slash': if (c === '/') path = `${path.slice(0, i)}/${path.slice(i)}`; break;
      case 'dot': if (c === '/') path = `${path.slice(0, i)}/.${path.slice(i)}`; break;
      case 'dotdot': if (c === '/') path = `${path.slice(0, i)}/x/..${path.slice(i)}`; break;
      case 'matrix': if (c === '/') path = `${path.slice(0, i)};a=b${path.slice(i)}`; break;
      case 'encode-dot': if (c === '/') path = `${path.slice(0, i)}/%2e%2e${path.slice(i)}`; break;
      case 'trailing': path = `${path}/`; break;
    }
  }
  return path;
});

/** Bodies naming the forbidden model somewhere LiteLLM would run it. */
const forbiddenBody = fc.constantFrom(
  { model: FORBIDDEN },
  { model: `${GRANTED},${FORBIDDEN}` },
  { model: [GRANTED, FORBIDDEN] },
  { model: GRANTED, fallbacks: [FORBIDDEN] },
  { model: GRANTED, fallbacks: [{ [GRANTED]: [FORBIDDEN] }] },
  { model: GRANTED, context_window_fallbacks: [FORBIDDEN] },
  { model: GRANTED, router_settings_override: { content_policy_fallbacks: [FORBIDDEN] } },
  { target_model_names: FORBIDDEN },
  { requests: [{ params: { model: FORBIDDEN } }] },
);

describe('fuzz: no spelling or body gets a forbidden model through', () => {
  test('respelled catalogue paths normalise to the catalogue path or are refused', () => {
    fc.assert(fc.property(spelling, (path) => {
      let normalised: string;
      try {
        normalised = normaliseRequestPath(path).path;
      } catch {
        return true;
      }
      expect(normalised.toLowerCase()).toBe(liberalReading(path));
      return true;
    }), { numRuns: 3000 });
  });

  test('a model call naming the forbidden model is never allowed, whatever the spelling, method or content type', async () => {
    await fc.assert(fc.asyncProperty(
      spelling, forbiddenBody, fc.constantFrom('POST', 'GET', 'PUT'), fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
      async (path, body, method, contentType) => {
        const decision = await pipeline.authorize(request(method, path, JSON.stringify(body), contentType));
        const liberal = liberalReading(path);
        const looksLikeModelCall = MODEL_CALL_SUFFIXES.some((s) => liberal.endsWith(`/${s}`));
        if (looksLikeModelCall && method === 'POST') expect(decision.allow).toBe(false);
        if (decision.allow) expect(decision.llm.models.every((m) => m === GRANTED)).toBe(true);
      },
    ), { numRuns: 3000 });
  });

  test('arbitrary paths: an allow is only ever for a known endpoint and granted models', async () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9%.;:_\-~]{0,12}$/);
    const anyPath = fc.array(fc.oneof(segment, fc.constantFrom('v1', 'chat', 'completions', 'openai', 'deployments', FORBIDDEN, GRANTED, 'engines', 'models', '%2F', '..', '.')), { minLength: 1, maxLength: 7 })
      .map((parts) => `/${parts.join('/')}`);
    await fc.assert(fc.asyncProperty(anyPath, forbiddenBody, async (path, body) => {
      const decision = await pipeline.authorize(request('POST', path, JSON.stringify(body)));
      if (decision.allow) {
        expect(decision.llm.endpointKnown).toBe(true);
        expect(decision.llm.modelUnknown).toBe(false);
        expect(decision.llm.models.every((m) => m === GRANTED)).toBe(true);
      }
    }), { numRuns: 3000 });
  });
});
