import { performance } from 'node:perf_hooks';
import { findingsIn } from '../src/core/findings/findings.js';
import { decodeJsonRpc } from '../src/core/mcp/json-rpc.js';
import { duplicateKey } from '../src/core/mcp/duplicate-keys.js';

/**
 * `node .tools/bench-dist/bench/reading-cost.js`: CPU µs, inside the process, of scanning a chat body
 * for secrets and PII (4 KiB and 64 KiB prompts of prose: the scanner does all its work and finds
 * nothing, as on most prompts) and of reading one MCP tools/call (parse, repeated-member check,
 * strict decode), beside JSON.parse of the same text. Min and median of 5 samples.
 */
const WORDS = 'the quarterly report shows revenue growth in every region while costs stayed flat and the team plans to ship the new release next month'.split(' ');

function prose(bytes: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${WORDS[i % WORDS.length]} `;
  return text.slice(0, bytes);
}

function measure(label: string, n: number, prepare: () => unknown, run: (input: unknown) => unknown): void {
  const samples: number[] = [];
  for (let s = 0; s < 6; s++) {
    // Fresh inputs per sample, as each request brings its own parsed body.
    const inputs = Array.from({ length: n }, prepare);
    const started = performance.now();
    for (const input of inputs) run(input);
    samples.push(((performance.now() - started) * 1000) / n);
  }
  const kept = samples.slice(1).sort((a, b) => a - b); // the first sample warms the JIT
  process.stdout.write(`${JSON.stringify({ label, us_min: +kept[0].toFixed(1), us_median: +kept[2].toFixed(1) })}\n`);
}

for (const bytes of [4 * 1024, 64 * 1024]) {
  const text = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: prose(bytes) }] });
  const n = bytes > 8192 ? 200 : 2000;
  measure(`findings, ${bytes / 1024} KiB prompt`, n, () => JSON.parse(text), (body) => findingsIn([body]));
  measure(`JSON.parse, ${bytes / 1024} KiB prompt (for scale)`, n, () => text, (t) => JSON.parse(t as string));
}
const call = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search_docs', arguments: { query: prose(200), limit: 5 } } });
measure('MCP tools/call: parse, repeated-member check, decode', 20_000, () => call, (t) => { duplicateKey(t as string); return decodeJsonRpc(JSON.parse(t as string)); });
