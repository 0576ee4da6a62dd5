/**
 * Files kagg owns are written atomically and privately: the new content is flushed to disk (fsync)
 * before it is renamed over the old file, so a crash never leaves a torn or empty file, and the file
 * is readable by its owner only (0600).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { appendLineDurable, writeFileAtomic } from '@kagg/core/fs';
import { tempDir } from '@kagg/testkit/temp';

type Event =
  | { op: 'write' | 'sync'; fd: number }
  | { op: 'open'; fd: number; file: string }
  | { op: 'rename'; from: string; to: string };

/**
 * Records, in order, what writeFileAtomic asks of the real file system: node's own fs/promises
 * functions and FileHandle methods, wrapped (and unwrapped by the returned function).
 */
async function recordFs(dir: string): Promise<{ events: Event[]; restore: () => void }> {
  const events: Event[] = [];
  const probe = await fsp.open(path.join(dir, 'probe'), 'w');
  const handleProto = Object.getPrototypeOf(probe) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  const saved = {
    open: fsp.open,
    rename: fsp.rename,
    writeFile: handleProto.writeFile,
    write: handleProto.write,
    sync: handleProto.sync,
  };
  const m = fsp as unknown as Record<string, unknown>;
  m.open = async (...args: Parameters<typeof fsp.open>) => {
    const handle = await saved.open(...args);
    events.push({ op: 'open', fd: handle.fd, file: String(args[0]) });
    return handle;
  };
  m.rename = async (from: string, to: string) => {
    events.push({ op: 'rename', from, to });
    return saved.rename(from, to);
  };
  for (const op of ['writeFile', 'write', 'sync'] as const) {
    const original = saved[op];
    handleProto[op] = function (this: { fd: number }, ...args: unknown[]) {
      events.push({ op: op === 'sync' ? 'sync' : 'write', fd: this.fd });
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports(); // `import { open, rename } from 'node:fs/promises'` sees the wrappers
  return {
    events,
    restore: () => {
      Object.assign(m, { open: saved.open, rename: saved.rename });
      Object.assign(handleProto, { writeFile: saved.writeFile, write: saved.write, sync: saved.sync });
      syncBuiltinESMExports();
    },
  };
}

describe('writeFileAtomic', () => {
  const dir = tempDir('kagg-atomic-');

  it('flushes the new content to disk before renaming it over the file', async () => {
    const file = path.join(dir, 'endpoints.json');
    writeFileSync(file, 'old');
    const { events, restore } = await recordFs(dir);
    try {
      await writeFileAtomic(file, 'new content');
    } finally {
      restore();
    }
    const opened = events.find((e) => e.op === 'open');
    assert.ok(opened && opened.op === 'open', 'a temporary file was opened');
    assert.notEqual(opened.file, file, 'never the file itself');
    const order = events
      .filter((e) => e.op === 'rename' || ('fd' in e && e.fd === opened.fd))
      .map((e) => (e.op === 'rename' ? `rename to ${path.basename(e.to)}` : e.op));
    assert.deepEqual(order, ['open', 'write', 'sync', 'rename to endpoints.json']);
    assert.equal(readFileSync(file, 'utf8'), 'new content');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('makes the file readable and writable by its owner only (0600), even over a 0644 file', async () => {
    const fresh = path.join(dir, 'state.json');
    await writeFileAtomic(fresh, '{}');
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
    const shared = path.join(dir, 'was-shared.json');
    writeFileSync(shared, '{}', { mode: 0o644 });
    await writeFileAtomic(shared, '{"a":1}');
    assert.equal(statSync(shared).mode & 0o777, 0o600);
  });

  it('leaves no temporary file behind when the rename fails, and reports the failure', async () => {
    const taken = path.join(dir, 'taken');
    mkdirSync(path.join(taken, 'inside'), { recursive: true });
    await assert.rejects(writeFileAtomic(taken, 'x'), (e: NodeJS.ErrnoException) => e.code !== undefined);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });
});

describe('appendLineDurable', () => {
  const dir = tempDir('kagg-append-');

  it('appends each record as one line, newlines inside it folded, in a private file it creates', async () => {
    const file = path.join(dir, 'new-folder', 'batch.jsonl');
    await appendLineDurable(file, '{"a":1}');
    await appendLineDurable(file, '{"b":\n2}');
    assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n{"b": 2}\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('flushes the line to disk before it returns', async () => {
    const file = path.join(dir, 'flushed.jsonl');
    const { events, restore } = await recordFs(dir);
    try {
      await appendLineDurable(file, 'record');
    } finally {
      restore();
    }
    const opened = events.find((e) => e.op === 'open' && e.file === file);
    assert.ok(opened && opened.op === 'open', 'the file itself was opened');
    const order = events.filter((e) => 'fd' in e && e.fd === opened.fd).map((e) => e.op);
    assert.deepEqual(order, ['open', 'write', 'sync']);
  });
});
