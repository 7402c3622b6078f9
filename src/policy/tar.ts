import { TollgateError } from '../core/errors.js';

/** One regular file of a tar archive, under the name the archive gives it. */
export interface TarEntry {
  name: string;
  content: Buffer;
}

const BLOCK = 512;

/**
 * Strict ustar reader for policy bundles (what Go's archive/tar writes for `opa build`). Refuses what
 * could make the bundle mean something other than its bytes say: links (one name standing for
 * another file), unknown entry types, headers whose checksum fails, base-256 sizes, and an archive
 * without its end-of-archive block (a cut-off download must be an error, not a smaller bundle).
 * Directories and PAX global headers carry nothing Tollgate uses and are skipped.
 */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) {
      if (longName !== undefined) throw corrupt('a long-name header is followed by no file');
      return entries;
    }
    checkChecksum(header);
    const size = octal(header.subarray(124, 136), 'size');
    const type = String.fromCharCode(header[156]);
    const start = offset + BLOCK;
    const content = tar.subarray(start, start + size);
    if (content.length < size) throw truncated();
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') longName = cString(content);
    else if (type === 'x') longName = paxPath(content) ?? longName;
    else if (type === 'g' || type === '5') longName = undefined;
    else if (type === '0' || type === '\0') {
      const prefix = cString(header.subarray(345, 500));
      const shortName = cString(header.subarray(0, 100));
      entries.push({ name: longName ?? (prefix ? `${prefix}/${shortName}` : shortName), content });
      longName = undefined;
    } else {
      throw corrupt(`entry "${cString(header.subarray(0, 100))}" has type '${type}' (only regular files and directories are allowed; links are refused)`);
    }
  }
  throw truncated();
}

/** The header checksum: the unsigned byte sum with the checksum field itself read as spaces. */
function checkChecksum(header: Buffer): void {
  const expected = octal(header.subarray(148, 156), 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  if (sum !== expected) throw corrupt('a header checksum does not match (not a tar archive, or damaged)');
}

function octal(field: Buffer, what: string): number {
  const text = cString(field).trim();
  // A set high bit is GNU base-256, used only for sizes far beyond the bundle limit.
  if (!/^[0-7]*$/.test(text)) throw corrupt(`a header ${what} field is not octal`);
  return text === '' ? 0 : parseInt(text, 8);
}

/** The `path` record of a PAX extended header: "<byte length> <key>=<value>\n" records. */
function paxPath(content: Buffer): string | undefined {
  let path: string | undefined;
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const length = Number(content.subarray(at, space).toString('latin1'));
    const record = content.subarray(space + 1, at + length);
    if (space <= at || !Number.isInteger(length) || at + length > content.length || record.at(-1) !== 0x0a) throw corrupt('a PAX header is malformed');
    const text = record.subarray(0, -1).toString('utf8');
    const eq = text.indexOf('=');
    if (text.slice(0, eq) === 'path') path = text.slice(eq + 1);
    at += length;
  }
  return path;
}

function cString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return Buffer.from(end === -1 ? buf : buf.subarray(0, end)).toString('utf8');
}

function corrupt(detail: string): TollgateError {
  return new TollgateError('ERR_BUNDLE_INVALID', `bundle tar is corrupt: ${detail}`);
}

function truncated(): TollgateError {
  return new TollgateError('ERR_BUNDLE_INVALID', 'bundle tar is truncated (an entry or the end-of-archive block is missing)');
}
