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

/** Addresses and CIDRs of the proxies whose forwarded identity headers are believed. */
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

  has(peer: string | undefined): boolean {
    if (this.empty || !peer) return false;
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    const address = peer.startsWith('::ffff:') && isIP(peer.slice(7)) === 4 ? peer.slice(7) : peer;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
