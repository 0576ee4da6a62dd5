/**
 * A clone installs its own plugins with no registry at all: `npm run pack-plugins` makes a
 * self-contained tarball of @kagg/plugin-aws (every dependency bundled), `kagg plugins install
 * file:<tarball>` installs it into a fresh data dir with npm offline and the registry refusing, and
 * `kagg deploy --aws` then deploys to the AWS fake. Without being told: `kagg deploy --aws --yes` and
 * `kagg plugins install @kagg/plugin-aws` fall back to the clone's tarball when the registry refuses.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsFakeEnv, cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';
import { withoutNpmConfig } from './npm-registry.ts';

const VERSION = (await import('../package.json', { with: { type: 'json' } })).default.version;
/** An offline install of the bundled plugin writes some 6,000 files: minutes on a loaded machine. */
const INSTALL_TIMEOUT_MS = 280_000;

describe('a clone installs its own plugins offline', { timeout: 1_200_000 }, () => {
  const out = tempDir('kagg-packed-');
  const home = tempDir();
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  /** A fresh user of this clone: an empty home, the registry refusing every connection. */
  const offline = (into: string) =>
    withoutNpmConfig(
      isolatedEnv(into, { KAGG_NPM_REGISTRY: 'http://127.0.0.1:9', npm_config_offline: 'true', ...awsFakeEnv(fake) }),
    );
  const installedAt = (into: string) =>
    path.join(into, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'plugin-aws', 'package.json');
  before(async () => {
    fake = await startAwsFake();
    env = offline(home);
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'pack-plugins.mjs'), '--out', out, 'aws']);
  });
  after(async () => {
    await cleanup(home);
    await fake.close();
  });

  it('packs, installs from the tarball without a registry, and deploys', { timeout: 400_000 }, async () => {
    const tarball = path.join(out, `kagg-plugin-aws-${VERSION}.tgz`);
    assert.ok(existsSync(tarball));
    const installed = await kagg(['plugins', 'install', `file:${tarball}`], env, { timeout: INSTALL_TIMEOUT_MS });
    assert.equal(installed.code, 0, installed.stderr);
    const plugin = path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'plugin-aws');
    const core = path.join(plugin, 'node_modules', '@kagg', 'core', 'package.json');
    assert.ok(existsSync(core), '@kagg/core is bundled inside the plugin');
    assert.ok(!realpathSync(core).startsWith(path.join(ROOT, 'packages')), 'a copy, not a workspace link');
    const listed = await kaggJson<{ targets: Array<{ id: string; type: string }>; installable: Array<{ id: string }> }>(
      ['plugins'],
      env,
    );
    assert.deepEqual(
      listed.json.targets.find((t) => t.id === 'aws'),
      { id: 'aws', plugin: '@kagg/plugin-aws', version: VERSION, type: 'user' },
    );
    assert.ok(!listed.json.installable.some((t) => t.id === 'aws'));
    const deployed = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--name', 'offline'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.ok(fake.state.functions.has('kagg-offline'));
  });

  it('deploy --aws --yes on a fresh home installs from the clone when the registry refuses, and deploys', {
    timeout: 400_000,
  }, async () => {
    const fresh = tempDir();
    try {
      const deployed = await kagg(
        ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--aws', '--yes', '--name', 'fallback'],
        offline(fresh),
        { timeout: INSTALL_TIMEOUT_MS },
      );
      assert.equal(deployed.code, 0, deployed.stderr);
      assert.match(deployed.stderr, /could not be reached .*: installing from this clone's tarball .*kagg-plugin-aws-/);
      assert.ok(existsSync(installedAt(fresh)));
      assert.ok(fake.state.functions.has('kagg-fallback'));
    } finally {
      await cleanup(fresh);
    }
  });

  it('plugins install @kagg/plugin-aws falls back to the clone too; a plugin the clone lacks says why it failed', {
    timeout: 400_000,
  }, async () => {
    const fresh = tempDir();
    try {
      const installed = await kagg(['plugins', 'install', '@kagg/plugin-aws'], offline(fresh), {
        timeout: INSTALL_TIMEOUT_MS,
      });
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stderr, /installing from this clone's tarball/);
      assert.ok(existsSync(installedAt(fresh)));
      const other = await kagg(['plugins', 'install', '@kagg/plugin-nope'], offline(fresh));
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        /^Error: could not install @kagg\/plugin-nope@[\d.]+: the npm registry http:\/\/127\.0\.0\.1:9 could not be reached/m,
      );
      assert.match(other.stderr, /→ install it by hand: .*KAGG_NPM_REGISTRY=<url>/);
    } finally {
      await cleanup(fresh);
    }
  });
});
