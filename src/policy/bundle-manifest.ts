import { TollgateError } from '../core/errors.js';
import { isPrefix, parseBundleJson, pathSegments } from './bundle-data.js';

export interface BundleManifest {
  revision: string;
  roots: string[];
  wasm: Array<{ entrypoint: string; module: string }>;
  [key: string]: unknown;
}

/** What a bundle without a /.manifest means to OPA: revision "", one root owning all of data. */
export function defaultManifest(): BundleManifest {
  return { revision: '', roots: [''], wasm: [] };
}

/**
 * Reads /.manifest and checks what Tollgate relies on: a string revision, roots that are clean paths
 * and do not overlap (OPA refuses overlapping roots too), wasm entrypoints that lie under a root.
 */
export function parseManifest(content: Uint8Array): BundleManifest {
  const doc = parseBundleJson(content, '/.manifest');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('must be a JSON object');
  const fields = doc as Record<string, unknown>;
  const { revision = '', roots = [''], wasm = [] } = fields;
  if (typeof revision !== 'string') throw invalid('"revision" must be a string');
  if (!Array.isArray(roots) || !roots.every((r): r is string => typeof r === 'string')) throw invalid('"roots" must be a list of strings');
  if (!Array.isArray(wasm) || !wasm.every(isWasmEntry)) throw invalid('"wasm" must be a list of {"entrypoint", "module"} strings');
  const rootPaths = rootSegments(roots);
  for (const { entrypoint } of wasm) {
    const path = pathSegments(entrypoint, 'bundle manifest entrypoint');
    if (!rootPaths.some((root) => isPrefix(root, path))) throw invalid(`entrypoint "${entrypoint}" is outside the roots`);
  }
  return { ...fields, revision, roots, wasm };
}

/** Roots as segments ("" is the whole data document); surrounding slashes are ignored as OPA does. */
export function rootSegments(roots: string[]): string[][] {
  const paths = roots.map((root) => pathSegments(root.replace(/^\/+|\/+$/g, ''), 'bundle manifest root'));
  paths.forEach((a, i) => paths.forEach((b, j) => {
    if (i !== j && isPrefix(a, b)) throw invalid(`roots "${roots[i]}" and "${roots[j]}" overlap`);
  }));
  return paths;
}

function isWasmEntry(value: unknown): value is { entrypoint: string; module: string } {
  const entry = value as Record<string, unknown> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.entrypoint === 'string' && typeof entry.module === 'string';
}

function invalid(detail: string): TollgateError {
  return new TollgateError('ERR_BUNDLE_INVALID', `bundle /.manifest is invalid: ${detail}`);
}
