import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tollgate.js';

/** One tar entry to write; `type` is the ustar typeflag ('0' file, '2' symlink, 'x' PAX header, ...). */
export interface TarSpec {
  name: string;
  content?: string | Buffer;
  type?: string;
  linkname?: string;
}

/**
 * Writes a ustar archive byte by byte, so tests can build archives no well-behaved tool would:
 * traversal names, duplicates, links, bad checksums. `end: false` leaves out the end-of-archive blocks.
 */
export function tarball(entries: TarSpec[], { end = true } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write(entry.type ?? '0', 156);
    header.write(entry.linkname ?? '', 157, 100, 'utf8');
    header.write('ustar\0' + '00', 257);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  if (end) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A PAX extended header entry that renames the next entry to `name`. */
export function paxPath(name: string): TarSpec {
  const record = (len: number): string => `${len} path=${name}\n`;
  let length = record(0).length;
  while (Buffer.byteLength(record(length)) !== length) length = Buffer.byteLength(record(length));
  return { name: 'PaxHeaders/x', type: 'x', content: record(length) };
}

/** The files of an OPA-built bundle (extracted with the system tar), keyed by name without the leading "/". */
export function bundleFiles(bundleFile: string): Record<string, Buffer> {
  const dir = tempDir('tollgate-untar-');
  execFileSync('tar', ['-xzf', bundleFile, '-C', dir], { stdio: 'pipe' });
  const files: Record<string, Buffer> = {};
  const walk = (sub: string): void => {
    for (const e of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, e.name);
      if (e.isDirectory()) walk(rel);
      else files[rel] = readFileSync(path.join(dir, rel));
    }
  };
  walk('');
  return files;
}
