/** The TollgateError code `fn` throws; undefined when it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** The TollgateError code `promise` rejects with; undefined when it resolves. */
export async function rejectionCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(() => undefined, (err: unknown) => (err as { code?: string }).code);
}
