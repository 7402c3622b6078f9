import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/paths.js';
import { tempDir, writeFile } from '../../helpers/tollgate.js';
import { configProblems } from '../../helpers/config.js';

describe('identity configuration', () => {
  test('defaults: API keys, then JWT, then mTLS; no issuers; nothing trusted for XFCC', () => {
    const { identity } = loadConfig({});
    expect(identity.order).toEqual(['api_key', 'jwt', 'mtls']);
    expect(identity.jwt.issuers).toEqual([]);
    expect(identity.jwt.cache).toEqual({ enabled: true, max_entries: 10_000, ttl_ms: 60_000 });
    expect(identity.mtls.trusted_proxies).toEqual([]);
    expect(identity.on_behalf_of.header).toBe('x-tollgate-on-behalf-of');
  });

  test('one issuer entirely from the environment, with issuer defaults filled in', () => {
    const { identity } = loadConfig({ TOLLGATE_JWT_ISSUER: 'https://idp.example', TOLLGATE_JWT_AUDIENCE: 'tollgate, llm-gw' });
    expect(identity.jwt.issuers).toEqual([expect.objectContaining({
      issuer: 'https://idp.example', jwks_uri: null, audiences: ['tollgate', 'llm-gw'], algorithms: null, token_header: 'authorization',
      clock_tolerance_s: 30, claims: { subject: 'sub', groups: 'groups', scopes: ['scope', 'scp'], tenant: null, models: null, rpm: null, tpm: null, token_budget: null },
    })]);
  });

  test('the environment issuer replaces a file issuer of the same name and keeps the others', () => {
    const file = writeFile(tempDir(), 't.yaml', 'identity:\n  jwt:\n    issuers:\n      - {issuer: "https://a", audiences: [x]}\n      - {issuer: "https://b", audiences: [y]}\n');
    const { identity } = loadConfig({ TOLLGATE_CONFIG: file, TOLLGATE_JWT_ISSUER: 'https://b', TOLLGATE_JWT_JWKS_URI: 'https://b/keys', TOLLGATE_JWT_AUDIENCE: 'z' });
    expect(identity.jwt.issuers.map((i) => [i.issuer, i.jwks_uri, i.audiences])).toEqual([['https://a', null, ['x']], ['https://b', 'https://b/keys', ['z']]]);
  });

  test('generic TOLLGATE_IDENTITY__* overrides work', () => {
    const { identity } = loadConfig({ TOLLGATE_IDENTITY__ORDER: '[jwt, mtls]', TOLLGATE_IDENTITY__MTLS__TRUSTED_PROXIES: '[10.0.0.0/8]' });
    expect(identity.order).toEqual(['jwt', 'mtls']);
    expect(identity.mtls.trusted_proxies).toEqual(['10.0.0.0/8']);
  });

  test('every identity problem is reported with its key path', () => {
    const file = writeFile(tempDir(), 'bad.yaml', `
identity:
  order: [jwt, jwt, kerberos]
  jwt:
    issuers:
      - issuer: https://a
        audiences: []
        algorithms: [HS256]
      - issuer: https://a
        audiences: [x]
        shared_secret_file: /s
        jwks_uri: https://a/keys
        algorithms: [RS256]
      - issuer: https://c
        audiences: [x]
        colour: blue
      - issuer: http://idp.example
        audiences: [x]
      - issuer: https://e
        jwks_uri: http://e.example/keys
        audiences: [x]
      - issuer: https://f
        audiences: [x]
        required_claim_values: {repository_owner: [], "": [x], ref: main}
        max_token_lifetime_s: 0
  mtls:
    trusted_proxies: [10.0.0.0/33]
    models:
      "not-spiffe": [x]
`);
    const found = configProblems({ TOLLGATE_CONFIG: file }).join('\n');
    expect(found).toMatch(/identity\.order/);
    expect(found).toMatch(/identity\.jwt\.issuers\.0\.audiences/);
    expect(found).toMatch(/HS256: HS\* algorithms need shared_secret_file/);
    expect(found).toMatch(/RS256: an issuer with a shared secret allows only HS\* algorithms/);
    expect(found).toMatch(/either a shared secret or a JWKS/);
    expect(found).toMatch(/colour/);
    expect(found).toMatch(/identity\.jwt\.issuers\.3\.issuer: http:\/\/idp\.example: only https/);
    expect(found).toMatch(/identity\.jwt\.issuers\.4\.jwks_uri: http:\/\/e\.example\/keys: only https/);
    expect(found).toMatch(/identity\.jwt\.issuers\.5\.required_claim_values\.repository_owner/);
    expect(found).toMatch(/identity\.jwt\.issuers\.5\.required_claim_values\.ref/);
    expect(found).toMatch(/identity\.jwt\.issuers\.5\.max_token_lifetime_s/);
    expect(found).toMatch(/identity\.jwt\.issuers\.5\.required_claim_values\.: Invalid key/);
    expect(found).toMatch(/identity\.mtls\.models/);
    expect(found).toMatch(/identity\.mtls\.trusted_proxies\.0: trusted proxy 10\.0\.0\.0\/33: bad prefix length/);
  });

  test('duplicate issuers, and JWT env without an issuer, are errors', () => {
    const file = writeFile(tempDir(), 'dup.yaml', 'identity:\n  jwt:\n    issuers:\n      - {issuer: "https://a", audiences: [x]}\n      - {issuer: "https://a", audiences: [y]}\n');
    expect(configProblems({ TOLLGATE_CONFIG: file }).join('\n')).toMatch(/duplicate issuer https:\/\/a/);
    expect(configProblems({ TOLLGATE_JWT_AUDIENCE: 'x' }).join('\n')).toMatch(/TOLLGATE_JWT_AUDIENCE: needs TOLLGATE_JWT_ISSUER/);
    expect(configProblems({ TOLLGATE_JWT_ISSUER: 'https://a' }).join('\n')).toMatch(/audiences/);
  });

  test('docs/identity.md: the full example loads, and its shared issuers (GitHub Actions, Kubernetes) are narrowed', () => {
    const doc = readFileSync(path.join(packageRoot(), 'docs/identity.md'), 'utf8');
    const example = /```yaml\n(identity:[\s\S]*?)```/.exec(doc)?.[1];
    const { identity } = loadConfig({}, writeFile(tempDir(), 'identity.yaml', example as string));
    const byIssuer = new Map(identity.jwt.issuers.map((i) => [i.issuer, i]));
    expect(byIssuer.get('https://token.actions.githubusercontent.com')?.required_claim_values).toHaveProperty('repository_owner_id');
    expect(byIssuer.get('https://kubernetes.default.svc.cluster.local')?.required_claim_values).toHaveProperty(['kubernetes.io.namespace']);
    expect(byIssuer.get('https://login.example.com/realms/staff')).toMatchObject({ required_claim_values: {}, max_token_lifetime_s: 86_400 });
  });
});
