/**
 * `kagg deploy NB --aws` on a kagg without @kagg/plugin-aws, as a user meets it: a real npm registry
 * (Verdaccio on 127.0.0.1, no uplinks) holds the workspace's packages as `npm pack` makes them, each
 * kagg runs with its own data, cache and config folders, and the AWS plugin deploys to the AWS fake.
 * Off a terminal without consent nothing is installed; with --yes it is installed once and the
 * deploy goes on in the same process; a registry that is down or silent gives kagg's own message.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsFakeEnv, BIN, cleanup, FIXTURES, isolatedEnv, kagg, ROOT, tempDir } from './helpers.ts';
import { type NpmRegistry, startNpmRegistry, withoutNpmConfig } from './npm-registry.ts';

const NOTEBOOK = path.join(FIXTURES, 'pm-basic.ipynb');
const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const WORKSPACES = ['packages/plugin-api', 'packages/core', 'plugins/aws', 'plugins/local'].map((p) =>
  path.join(ROOT, p),
);

/** Where oclif keeps the user-installed plugins of a kagg run with isolatedEnv(home). */
const installedAws = (home: string) =>
  path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'plugin-aws', 'package.json');

/**
 * Runs kagg on a pseudo-terminal (util-linux `script`) and types `answer` when kagg asks.
 * The terminal merges stdout and stderr into `output`.
 */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, answer: string) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    const take = (chunk: Buffer) => {
      output += chunk;
      if (!answered && output.includes('[Y/n]')) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('plugins installed on demand from an npm registry', { timeout: 900_000 }, () => {
  const work = tempDir('kagg-registry-');
  const homes: string[] = [];
  let registry: NpmRegistry;
  let fake: AwsFake;
  const envFor = (extra: Record<string, string> = {}) => {
    const home = tempDir();
    homes.push(home);
    return {
      home,
      env: withoutNpmConfig(
        isolatedEnv(home, {
          KAGG_NPM_REGISTRY: registry.url,
          // The registry alone: a clone's own tarball (test/plugins-from-clone.test.ts) is not a fallback here.
          KAGG_NO_CLONE_PLUGINS: '1',
          ...awsFakeEnv(fake),
          ...extra,
        }),
      ),
    };
  };

  before(async () => {
    fake = await startAwsFake();
    registry = await startNpmRegistry(work, WORKSPACES);
  });
  after(async () => {
    for (const home of homes) await cleanup(home);
    await registry.close();
    await fake.close();
  });

  it('publishes every workspace package npm pack makes, with their dependencies', () => {
    for (const name of ['@kagg/plugin-api', '@kagg/core', '@kagg/plugin-aws', '@kagg/plugin-local']) {
      assert.ok(registry.published.includes(`${name}@${VERSION}`), `${name} published`);
    }
    assert.ok(registry.published.some((p) => p.startsWith('@aws-sdk/client-lambda@')));
  });

  it('off a terminal without consent installs nothing and prints the exact command', async () => {
    const { home, env } = envFor();
    const result = await kagg(['deploy', NOTEBOOK, '--aws'], env);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /the "aws" target is not installed/);
    assert.ok(result.stderr.includes(`kagg plugins install @kagg/plugin-aws@${VERSION}`), result.stderr);
    assert.match(result.stderr, /--yes/);
    assert.equal(result.stdout, '');
    assert.ok(!existsSync(installedAws(home)), 'nothing installed');
  });

  it('--yes installs the plugin, deploys in the same run, and a second deploy does not reinstall', async () => {
    const { home, env } = envFor();
    const first = await kagg(['deploy', NOTEBOOK, '--aws', '--yes', '--name', 'adder', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout) as { target: string; url: string; changed: boolean };
    assert.equal(json.target, 'aws');
    assert.ok(json.url.startsWith(fake.url), json.url);
    assert.ok(fake.state.functions.has('kagg-adder'));
    assert.ok(existsSync(installedAws(home)), 'the plugin sits in the data dir');
    assert.ok(!existsSync(path.join(home, 'xdg-data', 'kagg', 'node_modules', '@kagg', 'cli')), 'only the plugin');

    // Installed now: no consent is needed, and nothing is installed again.
    const second = await kagg(['deploy', NOTEBOOK, '--aws', '--name', 'adder2'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /installing/);
    assert.match(second.stdout.trim(), /^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('every command that needs the target installs it on demand: destroy after an uninstall', async () => {
    const { home, env } = envFor();
    const deployed = await kagg(['deploy', NOTEBOOK, '--aws', '--yes', '--name', 'gone-soon'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stderr, new RegExp(`installing @kagg/plugin-aws@${VERSION} from the npm registry`));
    assert.doesNotMatch(deployed.stdout, /installing|npm/, 'no install chatter on stdout');
    const removed = await kagg(['plugins', 'uninstall', '@kagg/plugin-aws'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!existsSync(installedAws(home)));

    const refused = await kagg(['destroy', 'gone-soon'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the "aws" target is not installed/);
    assert.ok(fake.state.functions.has('kagg-gone-soon'), 'nothing destroyed without the plugin');

    const destroyed = await kagg(['destroy', 'gone-soon', '--yes', '--json'], env);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.deepEqual(JSON.parse(destroyed.stdout), { destroyed: 'gone-soon', target: 'aws', warnings: [] });
    assert.ok(!fake.state.functions.has('kagg-gone-soon'));
  });

  it('on a terminal it asks: "n" installs nothing, "y" installs and deploys', async () => {
    const { home, env } = envFor();
    const ask = (answer: string) => onTerminal(['deploy', NOTEBOOK, '--aws', '--name', 'asked'], env, answer);
    const declined = await ask('n');
    assert.equal(declined.code, 1, declined.output);
    assert.match(
      declined.output,
      /The "aws" target comes with @kagg\/plugin-aws@[\d.]+, which is not installed\. Install it now\? \[Y\/n\]/,
    );
    assert.match(declined.output, /the "aws" target is not installed/);
    assert.ok(!existsSync(installedAws(home)));
    const accepted = await ask('y');
    assert.equal(accepted.code, 0, accepted.output);
    assert.ok(existsSync(installedAws(home)));
    assert.ok(fake.state.functions.has('kagg-asked'));
  });

  it('"install": "never" in the settings refuses without asking the registry', async () => {
    const { home, env } = envFor({ KAGG_NPM_REGISTRY: 'http://127.0.0.1:9' });
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({ install: 'never' }));
    const result = await kagg(['deploy', NOTEBOOK, '--aws', '--yes'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /on-demand install is off: "install": "never"/);
    assert.doesNotMatch(result.stderr, /installing/);
  });

  it('a registry that accepts and never answers: kagg gives up with what to do ("install": "auto")', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const { home, env } = envFor({ KAGG_NPM_REGISTRY: url });
      writeFileSync(path.join(home, 'config.json'), JSON.stringify({ install: 'auto' }));
      const result = await kagg(['deploy', NOTEBOOK, '--aws', '--json'], env);
      assert.equal(result.code, 1);
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string; action: string } };
      assert.equal(error.code, 'PLUGIN_REGISTRY_UNREACHABLE');
      // npm's own fetch timeout, or kagg's look-up deadline when a loaded machine slows npm down.
      assert.ok(
        [' (timed out)', ' within 20 s'].some(
          (end) =>
            error.message ===
            `could not install @kagg/plugin-aws@${VERSION}: the npm registry ${url} did not answer${end}`,
        ),
        error.message,
      );
      assert.match(error.action, /KAGG_NPM_REGISTRY=<url>.*npm run pack-plugins/);
      assert.ok(sockets.size > 0, 'npm did reach the silent registry');
      assert.ok(!existsSync(installedAws(home)));
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('a registry that is down: kagg names the plugin, the version and how to install by hand', async () => {
    await registry.close();
    const { home, env } = envFor();
    const result = await kagg(['deploy', NOTEBOOK, '--aws', '--yes'], env);
    assert.equal(result.code, 1);
    assert.ok(
      result.stderr.includes(
        `could not install @kagg/plugin-aws@${VERSION}: the npm registry ${registry.url} could not be reached (ECONNREFUSED`,
      ),
      result.stderr,
    );
    // From a clone, the clone's own self-contained tarball.
    const tarball = path.join(ROOT, 'dist', 'plugins', `kagg-plugin-aws-${VERSION}.tgz`);
    assert.ok(result.stderr.includes(`kagg plugins install file:${tarball}`), result.stderr);
    assert.ok(result.stderr.includes(`\`npm run pack-plugins\` in ${ROOT}`), result.stderr);
    assert.doesNotMatch(result.stderr, /does not exist in the registry/);
    assert.ok(!existsSync(installedAws(home)));
  });
});
