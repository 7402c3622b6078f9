/**
 * jose, imported on first use: a Tollgate without JWT issuers or bundle signing never loads it.
 * Every caller is already asynchronous; after the first call this is one resolved promise.
 */
let loading: Promise<typeof import('jose')> | undefined;

export function jose(): Promise<typeof import('jose')> {
  return (loading ??= import('jose'));
}
