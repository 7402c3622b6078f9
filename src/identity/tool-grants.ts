/** The tool globs `tool:<glob>` scopes grant (JWT `scope`/`scp`, API key scopes), as models have `model:`. */
export function toolsFromScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => s.startsWith('tool:') && s.length > 'tool:'.length).map((s) => s.slice('tool:'.length));
}
