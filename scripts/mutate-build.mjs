// Stryker's build step, run inside its sandbox (a copy of the repository whose mutated folder holds
// the instrumented source): compile the one package that folder belongs to, so the tests, which import
// built dist/ through the workspace packages, run the mutants. Usage: node scripts/mutate-build.mjs PKG
//
// The repository's node_modules cannot simply be linked (Stryker's default, turned off in mutate.mjs):
// its workspace links (node_modules/@kagg/*) would lead back to the unmutated packages. The sandbox
// gets a node_modules of its own instead: links to every installed package, and @kagg/* linked to the
// sandbox's packages. A workspace's own node_modules (packages/core/node_modules) is linked as it is.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const sandbox = process.cwd();
const pkg = process.argv[2];
const original = process.env.KAGG_MUTATE_ROOT;
if (!pkg || !original) {
  process.stderr.write('usage: KAGG_MUTATE_ROOT=<repository> node scripts/mutate-build.mjs <package folder>\n');
  process.exit(2);
}

const modules = path.join(sandbox, 'node_modules');
if (!existsSync(modules)) {
  const from = path.join(original, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(from)) {
    if (name === '@kagg') continue;
    symlinkSync(path.join(from, name), path.join(modules, name));
  }
  mkdirSync(path.join(modules, '@kagg'));
  for (const name of readdirSync(path.join(from, '@kagg'))) {
    // npm's workspace links are relative (../../packages/core), so they resolve inside the sandbox.
    symlinkSync(readlinkSync(path.join(from, '@kagg', name)), path.join(modules, '@kagg', name));
  }
  for (const group of ['packages', 'plugins']) {
    for (const name of readdirSync(path.join(original, group))) {
      const own = path.join(original, group, name, 'node_modules');
      if (existsSync(own)) symlinkSync(own, path.join(sandbox, group, name, 'node_modules'));
    }
  }
}

execFileSync(process.execPath, [path.join(sandbox, 'node_modules/typescript/bin/tsc'), '-b', pkg], {
  cwd: sandbox,
  stdio: 'inherit',
});
