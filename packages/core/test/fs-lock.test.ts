/**
 * The file lock behind the registry and the batch state: a lock held by a live process is never
 * taken, however long the wait (the outcome does not depend on timing, unlike eight racing deploys);
 * one whose owner died is taken over.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { withFileLock } from '@kagg/core/fs';
import { tempDir } from '@kagg/testkit/temp';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return Number(child.stdout);
}

describe('withFileLock', () => {
  const dir = tempDir('kagg-lock-');
  const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)'], { stdio: 'ignore' });
  after(() => owner.kill('SIGKILL'));

  it("never takes a live process's lock: the caller times out and the lock is left as it was", async () => {
    const file = path.join(dir, 'held.json');
    writeFileSync(`${file}.lock`, String(owner.pid));
    let ran = false;
    await assert.rejects(
      withFileLock(
        file,
        async () => {
          ran = true;
        },
        { timeoutMs: 300 },
      ),
      (e: Error & { code?: string }) => e.code === 'LOCK_TIMEOUT' && e.message.includes(file),
    );
    assert.equal(ran, false);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), String(owner.pid));
  });

  it('takes over the lock of a process that died, and releases it after', async () => {
    const file = path.join(dir, 'orphan.json');
    writeFileSync(`${file}.lock`, String(deadPid()));
    const inside = await withFileLock(file, async () => readFileSync(`${file}.lock`, 'utf8'), { timeoutMs: 60_000 });
    assert.equal(inside, String(process.pid), 'the lock holds the new owner while it runs');
    assert.equal(existsSync(`${file}.lock`), false);
  });
});
