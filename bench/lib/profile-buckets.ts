/** A V8 call frame as `node --cpu-prof` records it. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/**
 * Where a frame's code lives: `src/...` for Tollgate's build (dist/src/x.js -> src/x.js),
 * `npm:<package>` for node_modules (symlinked or not), `node:...` for Node's own JavaScript,
 * `wasm` for compiled policy, '' for native functions (V8 builtins, Node bindings).
 */
export function codeLocation(url: string): string {
  const src = /\/dist\/(src\/.*)\.js$/.exec(url);
  if (src) return `${src[1]}.ts`;
  const pkg = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('wasm://')) return 'wasm';
  return url;
}

interface Bucket {
  id: string;
  label: string;
  /** True when this frame's own code belongs to the bucket. */
  matches: (frame: CallFrame, location: string, caller: CallFrame | undefined) => boolean;
}

const npm = (...packages: string[]) => (_f: CallFrame, at: string) => packages.some((p) => at === `npm:${p}` || (p.endsWith('/') && at.startsWith(`npm:${p}`)));
const src = (...patterns: RegExp[]) => (_f: CallFrame, at: string) => at.startsWith('src/') && patterns.some((p) => p.test(at.slice(4)));
const either = (...tests: Array<Bucket['matches']>): Bucket['matches'] => (f, at, caller) => tests.some((t) => t(f, at, caller));

/** src/server/body.ts reads bodies (decoding) and sends JSON answers (encoding): these functions are the latter. */
const SENDS = /^(send|errorBody)/;

const PROTOBUF_CODEC = /\$(encode|decode|fromObject|toObject|verify)$/;

/** Node bindings that write a socket, called from stream_base_commons (a file write comes from node:fs instead). */
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);

/**
 * The buckets (tables sort them by share). A frame matches at most one bucket; where two could
 * claim it, the first listed wins (hence `routing` after every other src/ bucket). Node's own
 * JavaScript outside the HTTP and socket modules is not a bucket of its own: see WEAK_BUCKET.
 */
export const BUCKETS: readonly Bucket[] = [
  { id: 'http', label: 'HTTP/1.1 and HTTP/2 server, sockets (node:_http_*, node:http2, node:net, llhttp callbacks)', matches: (_f, at) => /^node:(_http_|http$|http2$|net$|internal\/(http|http2\/|net$|stream_base_commons$))/.test(at) },
  {
    id: 'socket-write', label: 'socket writes (kernel, inflated by sampler)',
    matches: (f, at, caller) => at === '' && SOCKET_WRITES.has(f.functionName) && caller?.url === 'node:internal/stream_base_commons',
  },
  {
    id: 'decode', label: 'request decoding (body read, JSON.parse, adapters\' decode, LLM facts)',
    matches: either(
      src(/^adapters\/[^/]+\/(decode|original-request|struct)/, /^adapters\/http\/(request-line|headers|json|malformed)/, /^core\/(request-body|request-path|llm|model-names|endpoints|endpoint-catalogue|is-object)/),
      (f, at) => at === 'src/server/body.ts' && !SENDS.test(f.functionName),
    ),
  },
  { id: 'identity', label: 'authentication (src/identity, jose, key hash)', matches: either(src(/^identity\//, /^common\/jose/), npm('jose')) },
  { id: 'policy-input', label: 'policy input building', matches: src(/^core\/(policy-input|access-evaluation|document-evaluation)/) },
  { id: 'wasm', label: 'policy evaluation (opa-wasm JS and Wasm)', matches: either(src(/^policy\//), npm('@open-policy-agent/opa-wasm'), (_f, at) => at === 'wasm') },
  {
    id: 'decision', label: 'decision building and answer encoding',
    matches: either(
      src(/^core\/(decision|identity-headers|dry-run|errors)/, /^adapters\/[^/]+\/encode/, /^adapters\/http\/(answer|denial|mcp-error)/),
      (f, at) => at === 'src/server/body.ts' && SENDS.test(f.functionName),
    ),
  },
  {
    id: 'audit', label: 'audit record (json-line, redaction, winston, log write)',
    matches: either(src(/^observability\/(audit|json-line|redact|recorded-input|decision-result|decision-log|logger|http-incidents)/),
      npm('winston', 'winston-transport', 'logform', 'readable-stream', 'triple-beam', 'safe-stable-stringify', '@dabh/', 'fecha', 'async', 'stack-trace', 'one-time', '@colors/', 'colorspace', '@so-ric/')),
  },
  { id: 'metrics', label: 'metrics (prom-client)', matches: either(src(/^observability\/(metrics|bundle-metrics)/), npm('prom-client', 'tdigest', 'bintrees')) },
  { id: 'outcomes', label: 'outcomes and recent decisions', matches: src(/^outcomes\//, /^common\/bounded-map/) },
  { id: 'limits', label: 'limits and usage', matches: src(/^limits\//) },
  { id: 'findings', label: 'prompt findings', matches: src(/^core\/findings\//) },
  { id: 'mcp', label: 'MCP decoding', matches: src(/^core\/mcp\//, /^server\/mcp-/) },
  {
    id: 'grpc', label: 'gRPC framework (@grpc/grpc-js, protobufjs, proto-loader)',
    // protobufjs compiles each message's codec with new Function: no url, a Type$decode-like name.
    matches: either(npm('@grpc/', 'protobufjs', '@protobufjs/', 'long', 'lodash.camelcase'), (f, at) => at === '' && PROTOBUF_CODEC.test(f.functionName)),
  },
  { id: 'routing', label: 'routing, pipeline and other Tollgate code', matches: (_f, at) => at.startsWith('src/') },
  { id: 'gc', label: 'garbage collection', matches: (f, at) => at === '' && f.functionName === '(garbage collector)' },
  { id: 'program', label: 'native code outside JS ((program): libuv, llhttp parsing, socket reads, V8 runtime)', matches: (f, at) => at === '' && f.functionName === '(program)' },
];

/**
 * Node's JavaScript that serves whoever calls it (streams, events, timers, buffers, crypto): its
 * time goes to the bucket of the code that called it, and to this one only when nothing on the
 * stack belongs to a bucket (e.g. a socket stream's callback run from the event loop).
 */
export const WEAK_BUCKET = { id: 'event-loop', label: 'Node internals with no Tollgate caller (streams, timers, microtask queue)' };
export const OTHER_BUCKET = { id: 'other', label: 'other' };

/**
 * The attribution rule: the bucket of the innermost frame, walking from the sampled leaf to the
 * root, whose code a bucket claims; failing that WEAK_BUCKET if Node's JavaScript is on the stack;
 * else OTHER_BUCKET. So Wasm's self time is policy evaluation, and JSON.parse (a native frame no
 * bucket claims) called by the body decoder is request decoding.
 */
export function bucketOf(stack: readonly CallFrame[]): string {
  let weak = false;
  for (let i = 0; i < stack.length; i++) {
    const frame = stack[i];
    const at = codeLocation(frame.url);
    const bucket = BUCKETS.find((b) => b.matches(frame, at, stack[i + 1]));
    if (bucket) return bucket.id;
    if (at.startsWith('node:')) weak = true;
  }
  return weak ? WEAK_BUCKET.id : OTHER_BUCKET.id;
}

export const BUCKET_LABELS: ReadonlyMap<string, string> = new Map([...BUCKETS, WEAK_BUCKET, OTHER_BUCKET].map((b) => [b.id, b.label]));
