/**
 * The plugin boundary as a third-party author meets it: the example target in
 * test/fixtures/plugins/example-target (plain JS, depending only on @kagg/plugin-api) is packed with
 * `npm pack` and installed from its tarball into a fresh oclif data dir, its one dependency coming
 * from a real npm registry (Verdaccio on 127.0.0.1). Then @kagg/testkit's conformance suite runs on
 * the installed copy, kagg deploys through it, and a contract version kagg does not support is
 * refused with a clear message.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DeployTarget } from '@kagg/plugin-api';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';
import { NPM_CLI, startNpmRegistry } from './npm-registry.ts';

const EXAMPLE = path.join(ROOT, 'test', 'fixtures', 'plugins', 'example-target');
const work = tempDir('kagg-third-party-');
const home = tempDir();
const registry = await startNpmRegistry(path.join(work, 'registry'), [path.join(ROOT, 'packages', 'plugin-api')]);
const env = isolatedEnv(home, { KAGG_NPM_REGISTRY: registry.url });
after(async () => {
  await cleanup(home);
  await registry.close();
});

const [{ filename }] = JSON.parse(
  execFileSync(
    process.execPath,
    [NPM_CLI, 'pack', EXAMPLE, `--pack-destination=${work}`, '--json', '--loglevel=error'],
    {
      cwd: work,
      encoding: 'utf8',
    },
  ),
) as Array<{ filename: string }>;
const installed = await kagg(['plugins', 'install', `file:${path.join(work, filename)}`], env);
assert.equal(installed.code, 0, installed.stderr);

const pluginRoot = path.join(home, 'xdg-data', 'kagg', 'node_modules', 'kagg-plugin-example');
const { default: hook } = (await import(pathToFileURL(path.join(pluginRoot, 'index.js')).href)) as {
  default: () => Promise<DeployTarget[]>;
};
const [installedTarget] = await hook();

describe('a third-party target installed from its tarball', () => {
  it("has its own copy of @kagg/plugin-api, not kagg's", () => {
    const own = path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'plugin-api', 'package.json');
    assert.ok(existsSync(own), 'installed from the registry into the data dir');
    assert.ok(!realpathSync(own).startsWith(path.join(ROOT, 'packages')), 'not a link to the workspace');
    assert.ok(
      !existsSync(path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'core')),
      'nothing else of kagg',
    );
  });

  it('kagg finds it by shape and deploys through it', async () => {
    const doctor = await kaggJson<{ targets: string[] }>(['doctor'], env);
    assert.ok(doctor.json.targets.includes('example'), JSON.stringify(doctor.json));
    const deployed = await kaggJson<{ target: string; url: string }>(
      ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'example', '--name', 'via-example'],
      env,
    );
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal(deployed.json.target, 'example');
    const answer = await kaggJson<{ status: number; body: unknown }>(
      ['invoke', 'via-example', '--data', '{"a": 40, "b": 2}'],
      env,
    );
    assert.equal(answer.json.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(answer.json.body, { sum: 42 });
  });

  it('a contract version kagg does not support is refused, naming the plugin and what to do', async () => {
    const result = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'example'], {
      ...env,
      KAGG_EXAMPLE_API_VERSION: '2',
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /target "example" could not be loaded: kagg-plugin-example: target "example" was built for plugin API v2; this kagg supports v1 — update the plugin or kagg/,
    );
  });
});

describeDeployTarget(installedTarget as DeployTarget);
