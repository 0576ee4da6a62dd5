/**
 * The plugin boundary as a third-party author meets it: the example target in
 * test/fixtures/plugins/example-target (plain JS, depending only on @kagg/plugin-api) is packed with
 * `npm pack` and installed from its tarball into a fresh oclif data dir, its one dependency coming
 * from a real npm registry (Verdaccio on 127.0.0.1). Then @kagg/testkit's conformance suite runs on
 * the installed copy, kagg deploys through it, and a contract version kagg does not support is
 * refused with a clear message.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DeployTarget } from '@kagg/plugin-api';
import { describeDeployTarget } from '@kagg/testkit/conformance';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';
import { packFolder, startNpmRegistry, withoutNpmConfig } from './npm-registry.ts';

const { jitCommands } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'manifest.mjs')).href)) as {
  jitCommands(pluginDirs: string[]): Promise<Record<string, unknown>>;
};

const PLUGINS = path.join(ROOT, 'test', 'fixtures', 'plugins');
const work = tempDir('kagg-third-party-');
const home = tempDir();
const exampleTarball = packFolder(path.join(PLUGINS, 'example-target'), work);
const registry = await startNpmRegistry(
  path.join(work, 'registry'),
  [path.join(ROOT, 'packages', 'plugin-api')],
  [packFolder(path.join(PLUGINS, 'hello-command'), work)],
);
const env = withoutNpmConfig(isolatedEnv(home, { KAGG_NPM_REGISTRY: registry.url }));
after(async () => {
  await cleanup(home);
  await registry.close();
});

const installed = await kagg(['plugins', 'install', `file:${exampleTarball}`], env);
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

  it("an unchanged notebook redeploys when the plugin's adapter changed, and only then", async () => {
    const deploy = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'example', '--name', 'adapter-bump'];
    const run = async () => {
      const result = await kaggJson<{ changed: boolean }>(deploy, env);
      assert.equal(result.code, 0, result.stderr);
      return result.json.changed;
    };
    try {
      assert.equal(await run(), true, 'the first deploy');
      assert.equal(await run(), false, 'nothing changed: a no-op');
      // A new adapter: the same plugin version, other bytes in serve.py.
      const serve = path.join(pluginRoot, 'serve.py');
      writeFileSync(serve, `${readFileSync(serve, 'utf8')}\n# adapter v2\n`);
      assert.equal(await run(), true, 'the adapter changed: redeployed');
      assert.equal(await run(), false, 'and unchanged again after that');
    } finally {
      await kagg(['destroy', 'adapter-bump'], env);
    }
  });

  it("a target's TargetError renders like kagg's own: code, action, exit 2 for a usage error", async () => {
    const args = [
      'deploy',
      path.join(FIXTURES, 'pm-basic.ipynb'),
      '--target',
      'example',
      '--set',
      'python=/nowhere/python3',
    ];
    const json = await kaggJson<{ error: { code: string; message: string; action?: string } }>(args, env);
    assert.equal(json.code, 2, json.stderr);
    assert.deepEqual(json.json.error, {
      code: 'EXAMPLE_PYTHON_NOT_FOUND',
      message: 'the example target cannot run "/nowhere/python3": no such program',
      action: 'install python3, or name another interpreter with `--set python=/path/to/python3`',
    });
    const text = await kagg(args, env);
    assert.equal(text.code, 2);
    assert.match(
      text.stderr,
      /^Error: the example target cannot run "\/nowhere\/python3": no such program\n {2}→ install python3/m,
    );
  });

  it('anything else a target throws is a bug of its plugin: PLUGIN_BUG, exit 70, the stack only with KAGG_DEBUG', async () => {
    const args = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'example', '--name', 'buggy'];
    const faulty = { ...env, KAGG_EXAMPLE_FAULT: 'bug' };
    const json = await kaggJson<{ error: { code: string; message: string; action: string } }>(args, faulty);
    assert.equal(json.code, 70, json.stderr);
    assert.equal(json.json.error.code, 'PLUGIN_BUG');
    assert.match(
      json.json.error.message,
      /^internal error in kagg-plugin-example \(example\.check\): .*this is a bug in kagg-plugin-example$/,
    );
    assert.match(json.json.error.action, /report it to the maintainers of kagg-plugin-example/);
    const text = await kagg(args, faulty);
    assert.equal(text.code, 70);
    assert.doesNotMatch(text.stderr, /at .*index\.js/, 'no stack without KAGG_DEBUG');
    const debug = await kagg(args, { ...faulty, KAGG_DEBUG: '1' });
    assert.match(
      debug.stderr,
      /TypeError: .*\n\s+at .*kagg-plugin-example.index\.js/,
      'the TypeError and where it was thrown',
    );
  });

  it('a secret setting comes from the variable the target names, reaches invocation, is masked, and stays out of the registry', async () => {
    const token = 'tok-3f9a8b7c6d5e4f';
    const withToken = { ...env, KAGG_EXAMPLE_TOKEN: token };
    const deploy = ['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--target', 'example'];
    const registryText = () => readFileSync(path.join(home, 'endpoints.json'), 'utf8');
    const deployed = await kaggJson<{ url: string }>([...deploy, '--name', 'with-token'], withToken);
    assert.equal(deployed.code, 0, deployed.stderr);
    const bare = await fetch(deployed.json.url, { method: 'POST', body: '{}' });
    assert.equal(bare.status, 401, 'the endpoint wants the token');
    const answer = await kaggJson<{ status: number; body: unknown }>(
      ['invoke', 'with-token', '--data', '{"a": 40, "b": 2}'],
      withToken,
    );
    assert.equal(answer.json.status, 200, 'invocation() got the token from the settings');
    assert.deepEqual(answer.json.body, { sum: 42 });
    for (const out of [deployed, answer]) assert.ok(!(out.stdout + out.stderr).includes(token), 'masked in output');
    assert.ok(!registryText().includes(token));

    // A target that returns the token among its provider ids: kagg refuses to record it.
    const leaked = await kaggJson<{ error: { code: string; message: string } }>([...deploy, '--name', 'leaky'], {
      ...withToken,
      KAGG_EXAMPLE_FAULT: 'leak',
    });
    assert.equal(leaked.code, 1, leaked.stderr);
    assert.equal(leaked.json.error.code, 'TARGET_SECRET_IN_REGISTRY');
    assert.ok(!(leaked.stdout + leaked.stderr).includes(token));
    assert.ok(!registryText().includes(token), 'nothing with the token was written');
    assert.equal(
      (await kagg(['destroy', 'leaky'], withToken)).code,
      0,
      'the pid it recorded first lets destroy clean up',
    );
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

describeDeployTarget(installedTarget as DeployTarget, { refuse: { python: '/nowhere/python3' } });

describe('a command owned by a plugin listed in oclif.jitPlugins', () => {
  const jitHome = tempDir();
  const jitEnv = withoutNpmConfig(isolatedEnv(jitHome, { KAGG_NPM_REGISTRY: registry.url }));
  after(() => cleanup(jitHome));

  /** kagg with `kagg-plugin-hello` under jitPlugins and its command in the manifest, as the build writes it. */
  async function kaggWithJitHello(): Promise<string> {
    const dir = tempDir('kagg-jit-');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    pkg.oclif.jitPlugins = { 'kagg-plugin-hello': '1.0.0' };
    pkg.oclif.commands = path.relative(dir, path.join(ROOT, 'packages', 'cli', 'dist', 'commands'));
    for (const [name, file] of Object.entries(pkg.oclif.hooks as Record<string, string>)) {
      pkg.oclif.hooks[name] = path.relative(dir, path.join(ROOT, file));
    }
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'));
    Object.assign(manifest.commands, await jitCommands([path.join(PLUGINS, 'hello-command')]));
    writeFileSync(path.join(dir, 'oclif.manifest.json'), JSON.stringify(manifest));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    writeFileSync(
      path.join(dir, 'run.js'),
      "import { execute } from '@oclif/core/execute';\nawait execute({ dir: import.meta.url });\n",
    );
    return path.join(dir, 'run.js');
  }

  it('is refused off a terminal without consent, installed with --yes, then runs without asking', async () => {
    const bin = await kaggWithJitHello();
    // Asynchronous: Verdaccio answers from this very process.
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { env: jitEnv }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const refused = await run(['hello']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /the "hello" command is not installed: it comes with the plugin kagg-plugin-hello/);
    assert.ok(refused.stderr.includes('kagg plugins install kagg-plugin-hello@1.0.0'), refused.stderr);

    const first = await run(['hello', '--yes']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /installing kagg-plugin-hello@1\.0\.0 from the npm registry/);
    assert.equal(first.stdout, 'hello from kagg 0.1.0\n');

    const again = await run(['hello']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /installing/);
    assert.equal(again.stdout, 'hello from kagg 0.1.0\n');
  });
});
