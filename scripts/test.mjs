// `npm test`: build (tsc -b, assets, manifests), fail when the committed oclif.manifest.json is stale,
// lint and format-check, type-check the tests, then run every test with node's built-in runner.
// Each test file starts the fake servers it needs on 127.0.0.1 and stops them itself.
// How tests run (timeouts, the loopback guard, the temp folder check) is described in docs/testing.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPrerequisites } from './prerequisites.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const step = (title) => process.stderr.write(`\n== ${title}\n`);
const run = (args) => {
  try {
    execFileSync(node, args, { cwd: root, stdio: 'inherit' });
  } catch {
    process.stderr.write(`\nnpm test: the step above failed (${path.basename(args[0])}); no tests ran.\n`);
    process.exit(1);
  }
};

const manifestPath = path.join(root, 'oclif.manifest.json');
const committed = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';

step('prerequisites');
const prerequisites = checkPrerequisites((line) => process.stderr.write(`${line}\n`));
if (prerequisites.problems.length > 0) {
  for (const problem of prerequisites.problems) process.stderr.write(`npm test: ${problem}\n`);
  process.stderr.write('npm test: no tests ran.\n');
  process.exit(1);
}
process.stderr.write(`python3 with nbformat: ${prerequisites.env.KAGG_NBFORMAT_PYTHON}\n`);

step('build');
run([path.join(root, 'scripts/build.mjs')]);

step('oclif manifest drift');
if (readFileSync(manifestPath, 'utf8') !== committed) {
  process.stderr.write('oclif.manifest.json differs from the committed one: the build regenerated it; commit it.\n');
  process.exit(1);
}
process.stderr.write('oclif.manifest.json is current\n');

step('lint and format (biome)');
run([path.join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '.']);

step('type-check tests');
run([path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']);

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}
const only = process.argv.slice(2);
const files =
  only.length > 0 ? only : ['packages', 'plugins', 'test'].flatMap((d) => findTests(path.join(root, d))).sort();

// Every test fails past this: a hang fails its test instead of holding CI for hours.
const TEST_TIMEOUT_MS = 300_000;
// Loaded into the runner and, through NODE_OPTIONS, into every node process a test starts.
const guard = path.join(root, 'packages/testkit/dist/loopback-guard.js');
// The run gets its own temp folder, so what it leaves behind is told apart from other runs' files.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kagg-test-run-'));

step(`run ${files.length} test files`);
const result = spawnSync(
  node,
  [
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.KAGG_TEST_CONCURRENCY ?? 3}`,
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    `--import=${guard}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...prerequisites.env,
      KAGG_TEST: '1',
      TMPDIR: tmp,
      NODE_COMPILE_CACHE: path.join(tmp, 'node-compile-cache'),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${guard}`.trim(),
    },
  },
);

step('temp folder');
const left = readdirSync(tmp).filter((name) => name !== 'node-compile-cache');
rmSync(tmp, { recursive: true, force: true });
if (left.length > 0) {
  process.stderr.write(
    `the tests left ${left.length} entries in the temp folder:\n${left.map((n) => `  ${n}\n`).join('')}`,
  );
  process.exit(1);
}
process.stderr.write('the tests left nothing in the temp folder\n');
process.exit(result.status ?? 1);
