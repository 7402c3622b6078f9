/** A method as a request line carries it: letters only, so no dialect can smuggle a separator into it. */
export function isHttpMethod(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z]{1,16}$/.test(value);
}

/** A request target (`/path?query`) split at the first '?'; the query is '' when there is none. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
