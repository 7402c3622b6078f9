import path from 'node:path';
import { withServer, type BenchContext } from '../lib/bench-context.js';
import { writeKeys } from '../lib/fixtures.js';
import type { HttpRequestSpec } from '../lib/load-result.js';
import { startTollgate } from '../lib/servers.js';

const GROUP = '8. prompt findings and MCP';
const RUNS = [
  { id: 'prompt-findings-4k', title: 'POST /v1/authorize, chat with a 4 KiB prompt (findings scanned)', promptBytes: 4 * 1024 },
  { id: 'prompt-findings-64k', title: 'POST /v1/authorize, chat with a 64 KiB prompt (findings scanned)', promptBytes: 64 * 1024 },
  { id: 'mcp-tools-call', title: 'POST /v1/authorize, MCP tools/call (JSON-RPC decoding, tool grant)', promptBytes: 0 },
] as const;

/** Prose without secrets or PII: the scanner does all its work and finds nothing, as on most prompts. */
function prose(bytes: number): string {
  const words = 'the quarterly report shows revenue growth in every region while costs stayed flat and the team plans to ship the new release next month'.split(' ');
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${words[i % words.length]} `;
  return text.slice(0, bytes);
}

function body(run: (typeof RUNS)[number], secret: string): string {
  const headers = { host: 'llm.internal', 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  if (run.promptBytes === 0) {
    return JSON.stringify({
      method: 'POST', path: '/mcp', headers: { ...headers, 'mcp-method': 'tools/call', 'mcp-name': 'search_docs' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs', arguments: { query: prose(200), limit: 5 } } }),
    });
  }
  return JSON.stringify({
    method: 'POST', path: '/v1/chat/completions', headers,
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: prose(run.promptBytes) }] }),
  });
}

/** (8) What scanning prompts for secrets and PII, and reading MCP calls, cost per decision (compare with 2.). */
export async function promptAndMcp(ctx: BenchContext): Promise<void> {
  const wanted = RUNS.filter((run) => ctx.wanted(run.id));
  if (wanted.length === 0) return;
  const keysFile = path.join(ctx.workDir, 'prompt-keys.yaml');
  const secret = writeKeys(keysFile, 1, { subject: 'bench-app', models: ['gpt-4o*'], scopes: ['tool:search_*'] });
  await withServer(startTollgate(ctx.place, 'tollgate-prompt', { TOLLGATE_KEYS_FILE: keysFile }), async (tollgate) => {
    for (const run of wanted) {
      const spec: HttpRequestSpec = {
        url: `http://127.0.0.1:${tollgate.httpPort}/v1/authorize`, method: 'POST', headers: { 'content-type': 'application/json' },
        body: body(run, secret), expect: '"allow":true',
      };
      await ctx.measure({ id: run.id, group: GROUP, title: run.title, server: 'tollgate' }, tollgate, spec, { body_bytes: spec.body!.length });
    }
  });
}
