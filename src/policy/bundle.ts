import { gunzipSync } from 'node:zlib';
import { TollgateError } from '../core/errors.js';
import { checkDataWithinRoots, emptyData, mergeAt, parseBundleJson, pathSegments, type DataDocument } from './bundle-data.js';
import { defaultManifest, parseManifest, rootSegments, type BundleManifest } from './bundle-manifest.js';
import { readTar } from './tar.js';

export type { BundleManifest } from './bundle-manifest.js';

/** The files of an OPA bundle that Tollgate uses. */
export interface PolicyBundle {
  wasm: Uint8Array;
  /** data.json files merged at their directory paths, in objects without a prototype. */
  data: DataDocument;
  manifest: BundleManifest;
}

/** Bounds the unpacked tar, so a small gzip bomb is refused instead of filling memory. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * Reads an OPA bundle (.tar.gz: /policy.wasm, data.json files, /.manifest) and checks every entry
 * name, the manifest and the merged data against the roots. Pure: it throws ERR_BUNDLE_INVALID naming the
 * problem and changes nothing outside the value it returns, so a refused bundle leaves no trace.
 */
export function readBundle(gz: Uint8Array): PolicyBundle {
  return bundleFromFiles(readBundleFiles(gz));
}

/** Every regular file of the bundle by its clean name ("/policy.wasm"): what a signature covers. */
export function readBundleFiles(gz: Uint8Array): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: MAX_BUNDLE_BYTES });
  } catch (err) {
    throw new TollgateError('ERR_BUNDLE_INVALID', `bundle is not a readable gzip file of at most ${MAX_BUNDLE_BYTES} bytes: ${(err as Error).message}`, { cause: err });
  }
  const files = new Map<string, Buffer>();
  for (const entry of readTar(tar)) {
    // OPA writes "/policy.wasm"; one leading "/" or "./" names the bundle root, anything else must be clean.
    const segments = pathSegments(entry.name.replace(/^\.?\//, ''), 'bundle entry');
    if (segments.length === 0) throw new TollgateError('ERR_BUNDLE_INVALID', 'bundle has an entry without a name');
    const name = `/${segments.join('/')}`;
    // Two entries with one name: tools disagree on which wins, so the bundle means two things.
    if (files.has(name)) throw new TollgateError('ERR_BUNDLE_INVALID', `bundle has two entries named ${name}`);
    files.set(name, entry.content);
  }
  return files;
}

/** The checked policy, data and manifest of a bundle's files. */
export function bundleFromFiles(files: ReadonlyMap<string, Buffer>): PolicyBundle {
  const wasm = files.get('/policy.wasm');
  if (!wasm) throw new TollgateError('ERR_BUNDLE_INVALID', 'bundle has no /policy.wasm (build it with `opa build -t wasm`)');
  const manifestFile = files.get('/.manifest');
  const manifest = manifestFile ? parseManifest(manifestFile) : defaultManifest();
  const data = emptyData();
  for (const [name, content] of files) {
    if (/\/data\.ya?ml$/.test(name)) throw new TollgateError('ERR_BUNDLE_INVALID', `bundle file ${name}: YAML data is not supported, use data.json`);
    if (name.endsWith('/data.json')) mergeAt(data, name.split('/').slice(1, -1), parseBundleJson(content, name), name);
  }
  checkDataWithinRoots(data, rootSegments(manifest.roots));
  return { wasm, data, manifest };
}
