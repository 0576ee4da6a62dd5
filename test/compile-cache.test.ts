// bin/run.js keeps Node's compile cache in kagg's own cache folder, private to the user (not the temp
// folder all users share), and runs as usual when that folder cannot be made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@kagg/testkit/temp';
import { BIN, CHILD_TIMEOUT_MS, isolatedEnv } from './helpers.ts';

function version(env: NodeJS.ProcessEnv) {
  const { NODE_COMPILE_CACHE: _, ...rest } = env; // npm test sets one for its own processes
  return spawnSync(process.execPath, [BIN, '--version'], { env: rest, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
}

describe("Node's compile cache", () => {
  for (const where of ['XDG_CACHE_HOME/kagg', 'KAGG_HOME/oclif/cache'] as const) {
    it(`lives in kagg's cache folder (${where}), readable by its user only; nothing goes to the temp folder`, () => {
      const home = tempDir();
      const env = isolatedEnv(home);
      if (where === 'KAGG_HOME/oclif/cache') delete env.XDG_CACHE_HOME;
      const r = version(env);
      assert.equal(r.status, 0, r.stderr);
      const cache =
        where === 'KAGG_HOME/oclif/cache'
          ? path.join(home, 'oclif', 'cache')
          : path.join(env.XDG_CACHE_HOME as string, 'kagg');
      const dir = path.join(cache, 'compile-cache');
      assert.ok(readdirSync(dir).length > 0, 'the cache was written');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.deepEqual(readdirSync(env.TMPDIR as string), []);
    });
  }

  it('stays off without failing when its folder cannot be made', () => {
    const home = tempDir();
    const file = path.join(home, 'a-file');
    writeFileSync(file, '');
    const r = version(isolatedEnv(home, { KAGG_CACHE_DIR: path.join(file, 'cache') }));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kagg\/\d/);
    assert.equal(r.stderr, '');
  });
});
