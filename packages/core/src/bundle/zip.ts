/**
 * Zips: the deterministic writer is the one target authors get (`zipFiles` from
 * @kagg/plugin-api/kit, written there rather than taken from a library because none promises
 * byte-stable output); here is a small reader for it.
 */
import { inflateRawSync } from 'node:zlib';
import type { BundleFile } from '@kagg/plugin-api';
import { checkZipPath } from '@kagg/plugin-api/kit';
import { KaggError } from '../errors/index.js';

export { zipFiles } from '@kagg/plugin-api/kit';

export interface ZipEntry extends BundleFile {
  /** DOS date as a JS Date (local fields read as UTC). */
  date: Date;
  compressedSize: number;
}

/** Reads a zip written by `zipFiles` or any ordinary (non-zip64) archive. Refuses unsafe paths. */
export function unzipFiles(zip: Uint8Array): ZipEntry[] {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new KaggError('not a zip archive (no end of central directory)', { code: 'ZIP_INVALID' });
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50)
      throw new KaggError('corrupt zip central directory', { code: 'ZIP_INVALID' });
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const attrs = buf.readUInt32LE(p + 38);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    checkZipPath(name);
    const lNameLen = buf.readUInt16LE(localOffset + 26);
    const lExtraLen = buf.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + lNameLen + lExtraLen;
    const body = buf.subarray(start, start + compressedSize);
    const data = method === 0 ? Buffer.from(body) : inflateRawSync(body);
    const mode = (attrs >>> 16) & 0o777;
    entries.push({
      path: name,
      data: new Uint8Array(data),
      mode: mode || 0o644,
      compressedSize,
      date: new Date(
        Date.UTC((date >> 9) + 1980, ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2),
      ),
    });
  }
  return entries;
}
