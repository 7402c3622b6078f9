import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time check of the gateway hook's shared secret (digests make the lengths equal). */
export function hookTokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
