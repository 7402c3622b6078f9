import path from 'node:path';
import { postJson, startTollgate, tempDir, writeKeys, type RunningTollgate, type TestKey } from '../helpers/tollgate.js';

const TOOLS = [
  { name: 'search_docs', description: 'Search the docs', inputSchema: { type: 'object' } },
  { name: 'delete_repo', description: 'Delete a repository', inputSchema: { type: 'object' } },
  { name: 'search_web', inputSchema: { type: 'object' } },
  { name: 'search docs', inputSchema: { type: 'object' } },
  { description: 'no name' },
];

describe('POST /v1/mcp/tools/filter: tool discovery follows the same policy', () => {
  let tg: RunningTollgate;
  let agent: TestKey;
  let admin: TestKey;
  const filter = (body: unknown, headers: Record<string, string>) => postJson(`${tg.url}/v1/mcp/tools/filter`, body, headers);
  beforeAll(async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    [agent, admin] = writeKeys(file, [{ subject: 'agent', scopes: ['tool:search_*'] }, { subject: 'admin', scopes: ['tool:*'] }]);
    tg = await startTollgate({ TOLLGATE_KEYS_FILE: file });
  });
  afterAll(() => tg?.stop());

  test('a tools/list result keeps only the tools the caller may call, in order, with everything else as sent', async () => {
    const before = tg.decisions().length;
    const res = await filter({ tools: TOOLS, nextCursor: 'c2' }, { authorization: `Bearer ${agent.secret}` });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ tools: [TOOLS[0], TOOLS[2]], nextCursor: 'c2' });
    // One record, of the listing: asking about each tool is no decision of its own.
    expect(tg.decisions().length).toBe(before + 1);
    expect(tg.decisions().at(-1)).toMatchObject({ result: 'allow', mcp_methods: ['tools/list'], decision_id: res.headers.get('x-tollgate-decision-id') });
  });

  test('a JSON-RPC response is answered as one, and a caller granted every tool keeps every named one', async () => {
    const res = await filter({ jsonrpc: '2.0', id: 4, result: { tools: TOOLS } }, { 'x-api-key': admin.secret });
    expect(res.json).toEqual({ jsonrpc: '2.0', id: 4, result: { tools: TOOLS.slice(0, 3) } });
  });

  test('a caller with no tool grant gets an empty list', async () => {
    const file = path.join(tempDir(), 'keys.yaml');
    const [none] = writeKeys(file, [{ subject: 'nobody' }]);
    const other = await startTollgate({ TOLLGATE_KEYS_FILE: file });
    try {
      const res = await postJson(`${other.url}/v1/mcp/tools/filter`, { tools: TOOLS }, { 'x-api-key': none.secret });
      expect(res.json).toEqual({ tools: [] });
    } finally {
      await other.stop();
    }
  });

  test('no credential: the listing itself is refused (401), nothing is listed', async () => {
    const res = await filter({ tools: TOOLS }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(JSON.stringify(res.json)).not.toContain('search_docs');
  });

  test('a body that is no tools/list result is a 400', async () => {
    expect((await filter({ tools: 'search_docs' }, { 'x-api-key': agent.secret })).status).toBe(400);
    expect((await filter({ tools: [], path: 'mcp' }, { 'x-api-key': agent.secret })).status).toBe(400);
  });
});
