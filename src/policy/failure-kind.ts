/** The bounded `kind` label of tollgate_bundle_failures_total: why a bundle did not become the serving one. */
export type BundleFailureKind = 'download' | 'http_status' | 'unreadable' | 'invalid' | 'signature' | 'entrypoint' | 'builtins' | 'persist' | 'other';

const KINDS: Record<string, BundleFailureKind> = {
  ERR_BUNDLE_UNREADABLE: 'unreadable',
  ERR_BUNDLE_INVALID: 'invalid',
  ERR_BUNDLE_SIGNATURE_INVALID: 'signature',
  ERR_POLICY_ENTRYPOINT_MISSING: 'entrypoint',
  ERR_POLICY_INCOMPATIBLE: 'builtins',
};

export function failureKind(err: unknown): BundleFailureKind {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && KINDS[code]) || 'other';
}
