import path from 'node:path';
import type { AuthzRequest } from '../../../src/core/types.js';
import { ApiKeyAuthenticator } from '../../../src/identity/api-keys.js';
import { principalFromClaims } from '../../../src/identity/jwt/claims.js';
import { toolsFromScopes } from '../../../src/identity/tool-grants.js';
import { tempDir, writeKeys } from '../../helpers/tollgate.js';

const withKey = (secret: string): AuthzRequest => ({
  gateway: 'native', method: 'POST', path: '/mcp', query: '', host: '', scheme: 'http', source: {}, headers: { 'x-api-key': secret },
});

describe('tool grants of a credential (Principal.tools, input.identity.tools)', () => {
  test('tool:<glob> scopes grant tools; other scopes and an empty glob do not', () => {
    expect(toolsFromScopes(['openid', 'tool:search_*', 'model:gpt-4o', 'tool:', 'tools:x', 'tool:delete_repo'])).toEqual(['search_*', 'delete_repo']);
  });

  test('an API key grants the tools of its record (keys create --tools) and of its tool: scopes, once each', () => {
    const file = path.join(tempDir(), 'keys.yaml');
    const [both, none] = writeKeys(file, [
      { subject: 'agent', tools: ['search_*', 'get_issue'], scopes: ['tool:get_issue', 'tool:list_*'] },
      { subject: 'plain', models: ['gpt-4o'] },
    ]);
    const auth = new ApiKeyAuthenticator({ file, pollIntervalMs: 1000 });
    expect(auth.authenticate(withKey(both.secret))?.tools).toEqual(['search_*', 'get_issue', 'list_*']);
    expect(auth.authenticate(withKey(none.secret))?.tools).toEqual([]);
  });

  test('a JWT grants the tools its scope claim names as tool:<glob>', () => {
    const claims = { iss: 'https://idp.example', sub: 'agent-7', scope: 'openid tool:search_* model:gpt-4o', exp: 2e9 };
    const p = principalFromClaims(claims, { subject: 'sub', groups: null, scopes: ['scope', 'scp'], tenant: null, models: null, rpm: null, tpm: null, token_budget: null });
    expect(p.tools).toEqual(['search_*']);
    expect(p.scopes).toContain('tool:search_*');
  });
});
