import { BlockList, isIP } from 'node:net';

/** Addresses and CIDRs of the proxies whose forwarded identity headers are believed. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws on an entry that is not an address or CIDR, so a typo cannot silently trust nobody or everybody. */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`trusted proxy ${entry}: not an IP address or CIDR`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if ((prefix !== undefined && !/^\d{1,3}$/.test(prefix)) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new Error(`trusted proxy ${entry}: bad prefix length`);
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
