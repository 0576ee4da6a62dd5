// `npm run mutate [-- FOLDER...] [--concurrency N]`: mutation testing with StrykerJS, one folder at a
// time, outside `npm test`. Each folder below is mutated alone and only its related test files run
// against each mutant (node's runner through @stryker-mutator/tap-runner). The result of each folder is
// kept in reports/mutation/<folder>.json (committed): Stryker's incremental mode reads it back, so a
// later run re-tests only the mutants whose source or tests changed. How it works: docs/testing.md.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';
import { checkPrerequisites } from './prerequisites.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// folder -> the package built in the sandbox, the source mutated, and the tests that hold its promises
// (cheapest first: a mutant's run stops at the first test file that fails).
export const FOLDERS = {
  'core/deploy': {
    pkg: 'packages/core',
    tests: [
      'packages/core/test/deploy-identity.test.ts',
      'test/redeploy.test.ts',
      'test/deploy-local.test.ts',
      'test/targets.test.ts',
      'test/deploy-preprocess.test.ts',
    ],
  },
  'core/registry': {
    pkg: 'packages/core',
    // The schema is data compiled at build time into a standalone validator (scripts/schemas.mjs),
    // which the instrumented module cannot switch: its mutants would all survive, untestable.
    exclude: ['packages/core/src/registry/schema.ts'],
    tests: ['packages/core/test/registry-entries.test.ts', 'test/registry.test.ts', 'test/redeploy.test.ts'],
  },
  'core/fs': {
    pkg: 'packages/core',
    tests: ['packages/core/test/fs-atomic.test.ts', 'packages/core/test/fs-lock.test.ts'],
  },
  'core/config': {
    pkg: 'packages/core',
    tests: [
      'packages/core/test/config-duration.test.ts',
      'packages/core/test/redact.test.ts',
      'test/kagg-home-oclif.test.ts',
    ],
  },
  'core/http': {
    pkg: 'packages/core',
    tests: ['packages/core/test/http-client.test.ts', 'test/proxy.test.ts'],
  },
  'core/batch': {
    pkg: 'packages/core',
    tests: [
      'test/batch-formats.test.ts',
      'test/batch-retry.test.ts',
      'test/batch-resume.test.ts',
      'test/batch-deploy.test.ts',
      'test/batch-storm.test.ts',
    ],
  },
  'core/kaggle': {
    pkg: 'packages/core',
    tests: [
      'packages/core/test/kaggle-auth.test.ts',
      'packages/core/test/kaggle-credentials.test.ts',
      'packages/core/test/kaggle-services.test.ts',
      'test/kaggle-commands.test.ts',
      'test/kaggle-kernels.test.ts',
      'test/kaggle-secrets.test.ts',
      'test/kaggle-deploy.test.ts',
    ],
  },
  'plugins/local': {
    pkg: 'plugins/local',
    tests: ['plugins/local/test/server.test.ts', 'plugins/local/test/conformance.test.ts', 'test/deploy-local.test.ts'],
  },
  'plugins/preprocess': { pkg: 'plugins/preprocess', tests: ['plugins/preprocess/test/*.test.ts'] },
  'plugins/aws': {
    pkg: 'plugins/aws',
    tests: [
      'plugins/aws/test/conformance.test.ts',
      'test/aws-deploy.test.ts',
      'test/aws-redeploy.test.ts',
      'test/aws-vendor.test.ts',
      'test/aws-handler.test.ts',
      'test/aws-logs.test.ts',
      'test/aws-cli.test.ts',
    ],
  },
  'plugins/gcp': { pkg: 'plugins/gcp', tests: ['plugins/gcp/test/*.test.ts', 'test/gcp-cli.test.ts'] },
  'plugins/azure': { pkg: 'plugins/azure', tests: ['plugins/azure/test/*.test.ts', 'test/azure-cli.test.ts'] },
  'plugins/monitor': { pkg: 'plugins/monitor', tests: ['plugins/monitor/test/*.test.ts'] },
};

const srcOf = (name) => {
  const [group, folder] = name.split('/');
  return group === 'core' ? `packages/core/src/${folder}` : `plugins/${folder}/src`;
};

function parseArgs(argv) {
  const names = [];
  let concurrency = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--concurrency') concurrency = Number(argv[++i]);
    else if (arg === '--folder') names.push(argv[++i]);
    else names.push(arg);
  }
  const chosen = names.map((n) => n.replace(/^packages\/core\/src\//, 'core/').replace(/\/src\/?$|\/$/, ''));
  for (const name of chosen) {
    if (!(name in FOLDERS)) {
      process.stderr.write(`npm run mutate: unknown folder "${name}"; one of: ${Object.keys(FOLDERS).join(', ')}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write('npm run mutate: --concurrency must be a whole number of at least 1\n');
    process.exit(2);
  }
  return { chosen: chosen.length > 0 ? chosen : Object.keys(FOLDERS), concurrency };
}

/**
 * Stryker's incremental mode re-tests a mutant when its source changes, and, without per-test
 * coverage, never because the tests changed. When any of the folder's test files changed since the
 * stored report, its undetected mutants are dropped from it, so this run tests them again against
 * the new tests (mutants already killed stay killed; delete the report to re-test everything).
 */
function retestUndetectedIfTestsChanged(reportFile, tests) {
  if (!existsSync(reportFile)) return;
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const stored = report.testFiles ?? {};
  const changed =
    tests.some((t) => !t.includes('*') && !(t in stored)) ||
    Object.entries(stored).some(([file, { source }]) => !existsSync(file) || readFileSync(file, 'utf8') !== source);
  if (!changed) return;
  for (const file of Object.values(report.files)) {
    file.mutants = file.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
  }
  writeFileSync(reportFile, JSON.stringify(report));
}

async function mutateFolder(name, concurrency) {
  const { pkg, tests, exclude = [] } = FOLDERS[name];
  const src = srcOf(name);
  const slug = name.replace('/', '-');
  const reportFile = `reports/mutation/${slug}.json`;
  retestUndetectedIfTestsChanged(reportFile, tests);
  const stryker = new Stryker({
    mutate: [`${src}/**/*.ts`, `!${src}/**/index.ts`, ...exclude.map((f) => `!${f}`)],
    testRunner: 'kagg-tap',
    plugins: ['@stryker-mutator/tap-runner', path.join(root, 'scripts/mutate-runner.mjs')],
    tap: {
      testFiles: tests,
      nodeArgs: ['--test-reporter=tap', `--import=${guard}`, '-r', '{{hookFile}}', '{{testFile}}'],
    },
    // Tests start kagg in child processes, where Stryker cannot see coverage: every mutant runs the
    // folder's test files (up to the first that fails; see scripts/mutate-runner.mjs).
    coverageAnalysis: 'off',
    buildCommand: `node scripts/mutate-build.mjs ${pkg}`,
    symlinkNodeModules: false,
    ignorePatterns: [
      'node_modules',
      '/.stryker-tmp',
      '/.tools',
      '/reports',
      '/bench',
      '/examples',
      '/docs',
      '**/__pycache__',
    ],
    incremental: true,
    incrementalFile: reportFile,
    concurrency,
    timeoutMS: 60_000,
    timeoutFactor: 3,
    reporters: ['progress', 'clear-text'],
    clearTextReporter: { allowColor: false, reportTests: false, reportScoreTable: true },
    // One temp folder per folder mutated, so two runs can go side by side.
    tempDirName: `.stryker-tmp/${slug}`,
    cleanTempDir: 'always',
    logLevel: 'info',
    fileLogLevel: 'off',
  });
  const started = Date.now();
  const results = await stryker.runMutationTest();
  const count = (...statuses) => results.filter((r) => statuses.includes(r.status)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  return {
    name,
    mutants: results.length,
    detected,
    undetected,
    errors: count('CompileError', 'RuntimeError'),
    ignored: count('Ignored'),
    score: detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected),
    minutes: (Date.now() - started) / 60_000,
  };
}

const guard = path.join(root, 'packages/testkit/dist/loopback-guard.js');
const { chosen, concurrency } = parseArgs(process.argv.slice(2));
const prerequisites = checkPrerequisites((line) => process.stderr.write(`${line}\n`));
if (prerequisites.problems.length > 0) {
  for (const problem of prerequisites.problems) process.stderr.write(`npm run mutate: ${problem}\n`);
  process.exit(1);
}
// The same environment `npm test` gives its tests (scripts/test.mjs): the loopback guard in every node
// process, test mode, and a temp folder of the run's own.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kagg-mutate-'));
Object.assign(process.env, prerequisites.env, {
  KAGG_TEST: '1',
  TMPDIR: tmp,
  KAGG_MUTATE_ROOT: root,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${guard}`.trim(),
});
process.chdir(root);

const scores = [];
try {
  for (const name of chosen) scores.push(await mutateFolder(name, concurrency));
} finally {
  const left = readdirSync(tmp);
  rmSync(tmp, { recursive: true, force: true });
  if (left.length > 0) process.stderr.write(`the mutated test runs left ${left.length} entries in the temp folder\n`);
}
process.stdout.write(
  '\nmutation score per folder (killed + timed out) / (killed + timed out + survived + no coverage):\n',
);
for (const s of scores) {
  process.stdout.write(
    `  ${s.name.padEnd(20)} ${s.score.toFixed(1).padStart(5)}%  ${s.detected}/${s.detected + s.undetected} mutants` +
      `${s.errors > 0 ? `, ${s.errors} errors` : ''}${s.ignored > 0 ? `, ${s.ignored} ignored` : ''}` +
      `  ${s.minutes.toFixed(1)} min\n`,
  );
}
