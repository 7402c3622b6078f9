import { gunzipSync } from 'node:zlib';

/** The files of an OPA bundle that Tollgate uses. */
export interface PolicyBundle {
  wasm: Uint8Array;
  /** data.json files merged at their directory paths. */
  data: Record<string, unknown>;
  manifest: BundleManifest;
}

export interface BundleManifest {
  revision: string;
  roots: string[];
  wasm: Array<{ entrypoint: string; module: string }>;
  [key: string]: unknown;
}

const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** Reads an OPA bundle (.tar.gz: /policy.wasm, data.json files, /.manifest). Throws with a clear message on anything malformed. */
export function readBundle(gz: Uint8Array): PolicyBundle {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: MAX_BUNDLE_BYTES });
  } catch (err) {
    throw new Error(`bundle is not a readable gzip file: ${(err as Error).message}`, { cause: err });
  }
  let wasm: Uint8Array | undefined;
  let manifest: BundleManifest = { revision: '', roots: [''], wasm: [] };
  const data: Record<string, unknown> = {};
  for (const entry of tarEntries(tar)) {
    const name = entry.name.replace(/^\.?\/+/, '/').replace(/^(?!\/)/, '/');
    if (name === '/policy.wasm') wasm = entry.content;
    else if (name === '/.manifest') manifest = { ...manifest, ...parseJson(entry.content, name) as object };
    else if (name.endsWith('/data.json')) mergeAt(data, name.split('/').slice(1, -1), parseJson(entry.content, name));
  }
  if (!wasm) throw new Error('bundle has no /policy.wasm (build it with `opa build -t wasm`)');
  return { wasm, data, manifest };
}

interface TarEntry { name: string; content: Uint8Array }

/** Minimal ustar reader: regular files only, with GNU/PAX long names. */
function* tarEntries(tar: Buffer): Generator<TarEntry> {
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return;
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('bundle tar header is corrupt');
    const type = String.fromCharCode(header[156] || 48);
    const prefix = cString(header.subarray(345, 500));
    const shortName = cString(header.subarray(0, 100));
    const start = offset + 512;
    const content = tar.subarray(start, start + size);
    if (content.length < size) throw new Error('bundle tar is truncated');
    offset = start + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = cString(content); continue; }
    if (type === 'x') { longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(content.toString('utf8'))?.[1] ?? longName; continue; }
    const name = longName ?? (prefix ? `${prefix}/${shortName}` : shortName);
    longName = undefined;
    if (type === '0' || type === '\0') yield { name, content };
  }
}

function cString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return Buffer.from(end === -1 ? buf : buf.subarray(0, end)).toString('utf8');
}

function parseJson(content: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(Buffer.from(content).toString('utf8'));
  } catch (err) {
    throw new Error(`bundle file ${name} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

function mergeAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path) {
    const next = node[key];
    node = (node[key] = typeof next === 'object' && next !== null ? next : {}) as Record<string, unknown>;
  }
  if (path.length === 0 && typeof value === 'object' && value !== null) Object.assign(target, value);
  else if (path.length > 0) Object.assign(node, value);
}
