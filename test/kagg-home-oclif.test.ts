/** KAGG_HOME holds oclif's data folder too (linked and installed plugins), unless XDG/KAGG_DATA_DIR say otherwise. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, it } from 'node:test';
import { cleanup, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';

const home = tempDir();
after(() => cleanup(home));

it('`kagg plugins link` with only KAGG_HOME set links into KAGG_HOME/oclif/data, and the command runs without a warning', async () => {
  const {
    XDG_DATA_HOME: _d,
    XDG_CACHE_HOME: _c,
    XDG_CONFIG_HOME: _g,
    ...env
  } = isolatedEnv(home, {
    HOME: path.join(home, 'user'),
  });
  const plugin = path.join(ROOT, 'test', 'fixtures', 'plugins', 'hello-command');
  const linked = await kagg(['plugins', 'link', plugin], env);
  assert.equal(linked.code, 0, linked.stderr);
  const data = JSON.parse(readFileSync(path.join(home, 'oclif', 'data', 'package.json'), 'utf8'));
  assert.deepEqual(
    data.oclif.plugins.map((p: { name: string; type: string }) => [p.name, p.type]),
    [['kagg-plugin-hello', 'link']],
  );
  const hello = await kagg(['hello'], env);
  assert.equal(hello.stdout, 'hello from kagg 0.1.0\n', hello.stderr);
  // kagg runs plugins' compiled JS only: oclif's "linked ESM module cannot be auto-transpiled" is noise.
  assert.equal(hello.stderr, '', 'a linked plugin runs without a warning');
  assert.equal((await kagg(['plugins', 'unlink', 'kagg-plugin-hello'], env)).code, 0);
});
