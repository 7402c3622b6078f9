import { isIP } from 'node:net';

/** A host name or address that only this machine reaches: localhost, 127.0.0.0/8, ::1 (bracketed as in URLs, or not). */
export function isLoopback(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}
