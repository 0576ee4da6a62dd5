/**
 * A clone installs its own plugins with no registry at all: `npm run pack-plugins` makes a
 * self-contained tarball of @kagg/plugin-aws (every dependency bundled), `kagg plugins install
 * file:<tarball>` installs it into a fresh data dir with npm offline and the registry refusing, and
 * `kagg deploy --aws` then deploys to the AWS fake.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsFakeEnv, cleanup, FIXTURES, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';
import { withoutNpmConfig } from './npm-registry.ts';

const VERSION = (await import('../package.json', { with: { type: 'json' } })).default.version;

describe('a clone installs its own plugins offline', { timeout: 600_000 }, () => {
  const out = tempDir('kagg-packed-');
  const home = tempDir();
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    fake = await startAwsFake();
    env = withoutNpmConfig(
      isolatedEnv(home, {
        KAGG_NPM_REGISTRY: 'http://127.0.0.1:9',
        npm_config_offline: 'true',
        ...awsFakeEnv(fake),
      }),
    );
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'pack-plugins.mjs'), '--out', out, 'aws']);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('packs, installs from the tarball without a registry, and deploys', async () => {
    const tarball = path.join(out, `kagg-plugin-aws-${VERSION}.tgz`);
    assert.ok(existsSync(tarball));
    const installed = await kagg(['plugins', 'install', `file:${tarball}`], env);
    assert.equal(installed.code, 0, installed.stderr);
    const plugin = path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'plugin-aws');
    const core = path.join(plugin, 'node_modules', '@kagg', 'core', 'package.json');
    assert.ok(existsSync(core), '@kagg/core is bundled inside the plugin');
    assert.ok(!realpathSync(core).startsWith(path.join(ROOT, 'packages')), 'a copy, not a workspace link');
    const deployed = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'offline'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.ok(fake.state.functions.has('kagg-offline'));
  });
});
