import { BlockList, isIP } from 'node:net';

/**
 * Proxies whose X-Forwarded-For is believed. The client address is the right-most X-Forwarded-For
 * entry that is not itself a trusted proxy, and only when the TCP peer is trusted; otherwise the
 * header is client-controlled and ignored.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** Entries are addresses or CIDRs (validated by the config schema). */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  isTrusted(address: string | undefined): boolean {
    if (this.empty || address === undefined) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  clientAddress(transportPeer: string | undefined, forwardedFor: string | undefined): string | undefined {
    const peer = transportPeer === undefined ? undefined : unmapped(transportPeer);
    if (!forwardedFor || !this.isTrusted(peer)) return peer;
    const hops = forwardedFor.split(',').map((h) => unmapped(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      if (isIP(hops[i]) === 0) return peer;
      if (!this.isTrusted(hops[i])) return hops[i];
    }
    return hops[0] ?? peer;
  }
}

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
