/**
 * Temporary folders for tests that are removed when the test process exits, however it ends (a
 * failed assertion, a timeout): a test file never leaves a `kagg-*` folder behind (scripts/test.mjs
 * checks that a run leaves its temp folder empty).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new folder under os.tmpdir() named `<prefix>XXXXXX`, deleted at exit at the latest. */
export function tempDir(prefix = 'kagg-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
