/**
 * Atomic file writes: the new content goes to a temporary file in the same folder, is flushed to
 * disk, then renamed over the target, so a reader (or a crash) sees the old file or the new one,
 * never a torn one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Appends one line (a JSON record) with a single write(2) on an O_APPEND descriptor, then fsyncs. */
export async function appendLineDurable(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.write(`${line.replace(/\n/g, ' ')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
