/**
 * Whether every worker answered the same `field`. Workers must enforce the same bundle and accept the
 * same API keys: one that kept a key the others dropped (it read the key file half written) would
 * still let a revoked key in, so the primary compares their digests after a reload and in /readyz.
 */
export function agree<T>(answers: readonly T[], field: keyof T): boolean {
  return new Set(answers.map((a) => a[field])).size <= 1;
}
