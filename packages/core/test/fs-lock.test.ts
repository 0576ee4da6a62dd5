/**
 * The file lock behind the registry and the batch state: a lock held by a live process is never
 * taken, however long the wait (the outcome does not depend on timing, unlike eight racing deploys);
 * one whose owner died is taken over.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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
      (e: Error & { code?: string; action?: string }) =>
        e.code === 'LOCK_TIMEOUT' && e.message.includes(file) && e.action?.includes(`${file}.lock`) === true,
    );
    assert.equal(ran, false);
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), String(owner.pid));
  });

  it('takes over the lock of a process that died, and releases it after', async () => {
    const file = path.join(dir, 'orphan.json');
    writeFileSync(`${file}.lock`, String(deadPid()));
    // staleMs far off: the dead owner alone, not the lock's age, allows the takeover.
    const inside = await withFileLock(
      file,
      async () => ({ pid: readFileSync(`${file}.lock`, 'utf8'), mode: statSync(`${file}.lock`).mode & 0o777 }),
      { timeoutMs: 60_000, staleMs: 600_000 },
    );
    assert.deepEqual(inside, { pid: String(process.pid), mode: 0o600 }, 'the lock holds the new owner while it runs');
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('takes over a lock older than staleMs even when its owner still runs (a pid reused after a crash)', async () => {
    const file = path.join(dir, 'old.json');
    writeFileSync(`${file}.lock`, String(owner.pid));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${file}.lock`, anHourAgo, anHourAgo);
    const result = await withFileLock(file, async () => 'ran', { timeoutMs: 60_000, staleMs: 60_000 });
    assert.equal(result, 'ran');
  });

  it("keeps a live owner's lock younger than the staleMs given, even past the 30 s default", async () => {
    const file = path.join(dir, 'young.json');
    writeFileSync(`${file}.lock`, String(owner.pid));
    const fortyFiveSecondsAgo = new Date(Date.now() - 45_000);
    utimesSync(`${file}.lock`, fortyFiveSecondsAgo, fortyFiveSecondsAgo);
    await assert.rejects(
      withFileLock(file, async () => 'ran', { timeoutMs: 300, staleMs: 600_000 }),
      (e: Error & { code?: string }) => e.code === 'LOCK_TIMEOUT',
    );
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), String(owner.pid));
  });

  it("leaves a dead owner's lock to the live process already taking it over (no two takers, no stolen fresh lock)", async () => {
    const file = path.join(dir, 'contested.json');
    const dead = String(deadPid());
    writeFileSync(`${file}.lock`, dead);
    writeFileSync(`${file}.lock.takeover`, String(owner.pid));
    await assert.rejects(
      withFileLock(file, async () => 'ran', { timeoutMs: 300, staleMs: 600_000 }),
      (e: Error & { code?: string }) => e.code === 'LOCK_TIMEOUT',
    );
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), dead, 'only the guard holder may remove the lock');
    rmSync(`${file}.lock.takeover`);
  });

  it('clears a takeover guard whose owner died, then takes the stale lock over and leaves no guard', async () => {
    const file = path.join(dir, 'abandoned-takeover.json');
    writeFileSync(`${file}.lock`, String(deadPid()));
    writeFileSync(`${file}.lock.takeover`, String(deadPid()));
    const result = await withFileLock(file, async () => readFileSync(`${file}.lock`, 'utf8'), {
      timeoutMs: 60_000,
      staleMs: 600_000,
    });
    assert.equal(result, String(process.pid));
    assert.equal(existsSync(`${file}.lock.takeover`), false);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('never takes a fresh lock whose owner has not written its pid yet', async () => {
    const file = path.join(dir, 'half-written.json');
    writeFileSync(`${file}.lock`, '');
    await assert.rejects(
      withFileLock(file, async () => 'ran', { timeoutMs: 300, staleMs: 600_000 }),
      (e: Error & { code?: string }) => e.code === 'LOCK_TIMEOUT',
    );
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), '');
  });

  it('waits for a live owner that releases the lock, then runs', async () => {
    const file = path.join(dir, 'busy.json');
    writeFileSync(`${file}.lock`, String(owner.pid));
    const release = setTimeout(() => rmSync(`${file}.lock`), 200);
    try {
      const result = await withFileLock(file, async () => 'ran', { timeoutMs: 60_000, staleMs: 600_000 });
      assert.equal(result, 'ran');
    } finally {
      clearTimeout(release);
    }
  });

  it('releases the lock when the work fails, and passes the failure on', async () => {
    const file = path.join(dir, 'failing.json');
    await assert.rejects(
      withFileLock(file, async () => {
        throw new Error('work failed');
      }),
      /work failed/,
    );
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it("returns the work's result even when the lock file was deleted by hand meanwhile", async () => {
    const file = path.join(dir, 'deleted.json');
    const result = await withFileLock(file, async () => {
      rmSync(`${file}.lock`);
      return 'ran';
    });
    assert.equal(result, 'ran');
  });

  it("fails at once with the file system's error when the lock cannot be created, instead of waiting", async () => {
    const file = path.join(dir, 'no-such-folder', 'x.json');
    await assert.rejects(
      withFileLock(file, async () => 'ran', { timeoutMs: 5_000 }),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
  });
});
