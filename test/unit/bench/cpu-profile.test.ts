import { readFileSync } from 'node:fs';
import path from 'node:path';
import { breakdown, type CpuProfile } from '../../../bench/lib/cpu-profile.js';
import { bucketOf, codeLocation, type CallFrame } from '../../../bench/lib/profile-buckets.js';

/**
 * The CPU breakdown's categoriser (bench/lib/profile-buckets.ts, cpu-profile.ts) on a synthetic
 * profile: one call tree per bucket, samples 100 µs apart except one 300 µs gap, a sample before,
 * an idle sample inside and one after the window.
 */
const profile = JSON.parse(readFileSync(path.join(import.meta.dirname, 'synthetic.cpuprofile'), 'utf8')) as CpuProfile;
const window = { fromUs: 1_000_150, toUs: 1_001_750 };
const frame = (functionName: string, url = ''): CallFrame => ({ functionName, url, lineNumber: 0 });

describe('CPU breakdown of a profile', () => {
  const split = breakdown(profile, window);
  const shares = Object.fromEntries(split.buckets.map((b) => [b.id, b.share]));

  test('counts the busy samples inside the window, each weighing the time until the next one', () => {
    expect(split.samples).toBe(13);
    expect(split.busyUs).toBe(1500);
  });

  test('each sample goes to the bucket of its innermost claimed frame', () => {
    expect(shares).toEqual({
      'socket-write': 3 / 15, // writev under stream_base_commons, the one sample before a 300 µs gap
      wasm: 2 / 15, // a Wasm frame under opa-wasm's evaluate
      decode: 1 / 15, // native JSON.parse under the body decoder
      audit: 1 / 15, // a file write under winston is the audit record's, not a socket write
      identity: 1 / 15, // node's hash under the API key check
      'event-loop': 1 / 15, // the microtask queue with no Tollgate caller
      grpc: 1 / 15, // a protobufjs codec (no url)
      gc: 1 / 15,
      program: 1 / 15,
      other: 1 / 15, // yaml, which no bucket claims
      http: 1 / 15,
      routing: 1 / 15, // the route handler's own time
    });
    expect(split.buckets[0].id).toBe('socket-write');
  });

  test('functions by self time, with the location of their code', () => {
    expect(split.topSelf.slice(0, 2)).toEqual([{ name: 'writev', share: 3 / 15 }, { name: 'opa_eval wasm:1', share: 2 / 15 }]);
    expect(split.topSelf).toHaveLength(10);
    expect(breakdown(profile, window, 20).topSelf.map((f) => f.name)).toEqual(expect.arrayContaining([
      'handler src/adapters/native/route.ts:1', 'parse npm:yaml:1', 'hash node:internal/crypto/hash:1', 'parse',
    ]));
  });

  test('without a window every busy sample counts', () => {
    expect(breakdown(profile).samples).toBe(15);
  });
});

describe('bucket rules', () => {
  test.each([
    ['JSON.parse while reading the body', [frame('parse'), frame('parseJsonBody', 'file:///a/dist/src/server/body.js')], 'decode'],
    ['JSON.stringify while sending the answer', [frame('stringify'), frame('sendJson', 'file:///a/dist/src/server/body.js')], 'decision'],
    ['a socket stream under the response end', [frame('Writable.write', 'node:internal/streams/writable'), frame('end', 'node:_http_outgoing'), frame('sendJson', 'file:///a/dist/src/server/body.js')], 'http'],
    ['node\'s hash under the key check under the pipeline', [frame('hash', 'node:internal/crypto/hash'), frame('check', 'file:///a/dist/src/identity/api-keys.js'), frame('authorize', 'file:///a/dist/src/core/pipeline.js')], 'identity'],
    ['a write binding not called by a socket', [frame('writev'), frame('writevSync', 'node:fs')], 'event-loop'],
    ['nothing anyone claims', [frame('(anonymous)', 'file:///a/node_modules/zod/index.js')], 'other'],
  ])('%s', (_name, stack, bucket) => {
    expect(bucketOf(stack)).toBe(bucket);
  });

  test.each([
    ['file:///work/wt/dist/src/observability/json-line.js', 'src/observability/json-line.ts'],
    ['file:///work/main/node_modules/@grpc/grpc-js/build/src/server.js', 'npm:@grpc/grpc-js'],
    ['file:///work/main/node_modules/winston/node_modules/readable-stream/lib/x.js', 'npm:readable-stream'],
    ['wasm://wasm/5f2c6a3e', 'wasm'],
    ['node:_http_server', 'node:_http_server'],
  ])('code location of %s', (url, location) => {
    expect(codeLocation(url)).toBe(location);
  });
});
