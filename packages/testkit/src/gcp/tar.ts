/** Reads the regular files of a .tar.gz (or plain ustar) source upload; refuses unsafe paths. */
import { gunzipSync } from 'node:zlib';
import type { BundleFile } from '@kagg/plugin-api';
import { checkZipPath } from '@kagg/plugin-api/kit';

const BLOCK = 512;

export function untarFiles(archive: Uint8Array): BundleFile[] {
  const bytes = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const files: BundleFile[] = [];
  for (let p = 0; p + BLOCK <= tar.length; ) {
    const h = tar.subarray(p, p + BLOCK);
    if (h.every((b) => b === 0)) break;
    const text = (start: number, length: number) =>
      h
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
    if (Number.parseInt(text(148, 8).trim(), 8) !== sum) throw new Error(`corrupt tar header at byte ${p}`);
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const prefix = text(345, 155);
    const path = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    if ((text(156, 1) || '0') === '0') {
      checkZipPath(path);
      const mode = Number.parseInt(text(100, 8).trim() || '644', 8);
      files.push({ path, data: new Uint8Array(tar.subarray(p + BLOCK, p + BLOCK + size)), mode });
    }
    p += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
