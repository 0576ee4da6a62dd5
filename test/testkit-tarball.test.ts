/**
 * @kagg/testkit is publishable: `npm pack` of it and of @kagg/plugin-api, with the public packages
 * they depend on as tarballs, install with `npm install --offline` (an empty cache, no registry) into
 * an empty folder, nothing of @kagg/core comes along, and the conformance suite runs from there on the
 * example third-party target, as a plugin author would run it.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanup, ROOT, tempDir } from './helpers.ts';
import { NPM_CLI, packFolder, packWorkspaces, tarballOf, withoutNpmConfig } from './npm-registry.ts';

const { dependencyFolders } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'closure.mjs')).href)) as {
  dependencyFolders(workspaces: string[]): string[];
};

const testkitManifest = JSON.parse(readFileSync(path.join(ROOT, 'packages', 'testkit', 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const installed = (name: string) => path.join(ROOT, 'node_modules', name);

const work = tempDir('kagg-testkit-tarball-');
after(() => cleanup(work));

it('the conformance suite runs from the packed testkit, installed offline into an empty folder', async () => {
  const kits = [path.join(ROOT, 'packages', 'plugin-api'), path.join(ROOT, 'packages', 'testkit')];
  mkdirSync(path.join(work, 'deps'), { recursive: true });
  const tarballs = [
    ...packWorkspaces(kits, path.join(work, 'packed')),
    packFolder(path.join(ROOT, 'test', 'fixtures', 'plugins', 'example-target'), path.join(work, 'packed')),
    // The public packages testkit depends on, and theirs (not its optional peer, @kagg/core).
    ...dependencyFolders(Object.keys(testkitManifest.dependencies).map(installed))
      .filter((dir) => !dir.includes(`${path.sep}@kagg${path.sep}`))
      .map((dir) => tarballOf(dir, path.join(work, 'deps'))),
  ];
  const app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const env = withoutNpmConfig(process.env);
  execFileSync(
    process.execPath,
    [
      NPM_CLI,
      'install',
      '--offline',
      `--cache=${path.join(work, 'empty-cache')}`,
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
    ],
    { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  assert.deepEqual(readdirSync(path.join(app, 'node_modules', '@kagg')).sort(), ['plugin-api', 'testkit']);
  assert.ok(!existsSync(path.join(app, 'node_modules', '@kagg', 'core')), 'nothing of @kagg/core');

  writeFileSync(
    path.join(app, 'conformance.test.js'),
    [
      "import { describeDeployTarget } from '@kagg/testkit/conformance';",
      "import { exampleTarget } from 'kagg-plugin-example';",
      "describeDeployTarget(exampleTarget, { refuse: { python: '/nowhere/python3' } });",
      '',
    ].join('\n'),
  );
  // Without NODE_TEST_CONTEXT the child runs its own suite instead of reporting to this one.
  const { NODE_TEST_CONTEXT: _, ...childEnv } = env;
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--test', '--test-reporter=spec', 'conformance.test.js'],
      { cwd: app, env: childEnv, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
  assert.equal(code, 0, output);
  assert.match(output, /DeployTarget conformance: example/);
  assert.match(output, /ℹ fail 0/);
  assert.match(output, /ℹ todo 0/);
  assert.doesNotMatch(output, /ℹ pass 0/);
});
