import { TollgateError } from '../core/errors.js';

/**
 * Names that reach Object.prototype when used as a property key on an ordinary object. A bundle that
 * uses one as a path segment or a data key is refused: merging it would mean walking the prototype.
 */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** A path inside a bundle or the data document, as segments; refuses empty, dot, traversal and prototype segments. */
export function pathSegments(path: string, what: string): string[] {
  if (path === '') return [];
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw new TollgateError('ERR_BUNDLE_INVALID', `${what} "${path}" has an empty, "." or ".." segment`);
    if (/[\\\0]/.test(segment)) throw new TollgateError('ERR_BUNDLE_INVALID', `${what} "${path}" contains a backslash or NUL`);
    if (PROTOTYPE_NAMES.has(segment)) throw new TollgateError('ERR_BUNDLE_INVALID', `${what} "${path}" uses the reserved name "${segment}"`);
  }
  return segments;
}

/** JSON.parse that refuses prototype names as object keys anywhere in the document. */
export function parseBundleJson(content: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(Buffer.from(content).toString('utf8'), (key, value: unknown) => {
      if (PROTOTYPE_NAMES.has(key)) throw new TollgateError('ERR_BUNDLE_INVALID', `the reserved key "${key}" is not allowed`);
      return value;
    });
  } catch (err) {
    throw new TollgateError('ERR_BUNDLE_INVALID', `bundle file ${file} is not valid JSON data: ${(err as Error).message}`, { cause: err });
  }
}

export type DataDocument = Record<string, unknown>;

/** The data document's root: built without a prototype, so no key, however it is spelled, finds one. */
export function emptyData(): DataDocument {
  return Object.create(null) as DataDocument;
}

/**
 * Merges one data.json value at its directory path, as OPA does: objects merge key by key, and the
 * same key with two non-object values is a conflict (which one would policy see?).
 */
export function mergeAt(data: DataDocument, path: string[], value: unknown, file: string): void {
  if (path.length === 0) {
    if (!isPlainObject(value)) throw new TollgateError('ERR_BUNDLE_INVALID', `bundle file ${file} must hold a JSON object at the data root`);
    mergeObjects(data, value, [], file);
    return;
  }
  let node = data;
  for (const key of path.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) node[key] = emptyData();
    const next = node[key];
    if (!isPlainObject(next)) throw conflict(file, path);
    node = next;
  }
  mergeObjects(node, { [path[path.length - 1]]: value }, path.slice(0, -1), file);
}

function mergeObjects(target: DataDocument, source: DataDocument, at: string[], file: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (existing === undefined) target[key] = value;
    else if (isPlainObject(existing) && isPlainObject(value)) mergeObjects(existing, value, [...at, key], file);
    else throw conflict(file, [...at, key]);
  }
}

/**
 * OPA's rule for manifest roots: every data value must lie under a root; an object may sit above
 * roots (it is descended into), any other value there is data the manifest does not own.
 */
export function checkDataWithinRoots(data: DataDocument, roots: string[][], at: string[] = []): void {
  for (const [key, value] of Object.entries(data)) {
    const path = [...at, key];
    if (roots.some((root) => isPrefix(root, path))) continue;
    if (isPlainObject(value) && roots.some((root) => isPrefix(path, root))) checkDataWithinRoots(value, roots, path);
    else throw new TollgateError('ERR_BUNDLE_INVALID', `bundle manifest roots do not include data at /${path.join('/')}`);
  }
}

export function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

function isPlainObject(value: unknown): value is DataDocument {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function conflict(file: string, path: string[]): TollgateError {
  return new TollgateError('ERR_BUNDLE_INVALID', `bundle file ${file} conflicts with other bundle data at /${path.join('/')}`);
}
