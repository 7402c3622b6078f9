import { BlockList, isIP } from 'node:net';

interface Subnet {
  address: string;
  bits: number;
  type: 'ipv4' | 'ipv6';
}

/** An address or CIDR; throws on anything else, so a typo cannot silently trust nobody or everybody. */
export function parseProxyEntry(entry: string): Subnet {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) throw new Error(`trusted proxy ${entry}: not an IP address or CIDR`);
  const max = family === 4 ? 32 : 128;
  const bits = prefix === undefined ? max : Number(prefix);
  if ((prefix !== undefined && !/^\d{1,3}$/.test(prefix)) || bits > max) throw new Error(`trusted proxy ${entry}: bad prefix length`);
  return { address, bits, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Addresses and CIDRs of proxies whose forwarded headers (X-Forwarded-For, XFCC) are believed.
 * Two separate lists use this: gateways for client addresses, mTLS terminators for XFCC.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const { address, bits, type } = parseProxyEntry(entry);
      this.list.addSubnet(address, bits, type);
    }
  }

  isTrusted(address: string | undefined): boolean {
    if (this.empty || !address) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client address: the right-most X-Forwarded-For entry that is not itself a trusted proxy,
   * and only when the TCP peer is trusted; otherwise the header is client-controlled and ignored.
   */
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
