// `npm run pack-plugins [-- --out DIR] [aws ...]`: packs each first-party plugin that kagg installs
// on demand (those not bundled in the root package) into dist/plugins/<name>-<version>.tgz,
// self-contained: every dependency is bundled (bundleDependencies), @kagg/core and @kagg/plugin-api
// as `npm pack` makes them, the others copied from this clone's node_modules (what the lockfile
// installed), so a clone installs its own plugins with no registry and nothing is downloaded:
//   kagg plugins install file:$PWD/dist/plugins/kagg-plugin-aws-0.1.0.tgz
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependencyFolders } from './closure.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const modules = path.join(root, 'node_modules');
const npmCli = path.join(modules, 'npm', 'bin', 'npm-cli.js');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
/** `npm pack` with these arguments; returns npm's JSON report. */
const pack = (args, into) =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [npmCli, 'pack', ...args, `--pack-destination=${into}`, '--json', '--ignore-scripts', '--loglevel=error'],
      { cwd: root, encoding: 'utf8' },
    ),
  );

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? path.resolve(args.splice(outAt, 2)[1]) : path.join(root, 'dist', 'plugins');
const rootDeps = readJson(path.join(root, 'package.json')).dependencies;
const plugins = readdirSync(path.join(root, 'plugins'))
  .map((p) => path.join(root, 'plugins', p))
  .filter((dir) => existsSync(path.join(dir, 'package.json')))
  .filter((dir) => !(readJson(path.join(dir, 'package.json')).name in rootDeps))
  .filter((dir) => args.length === 0 || args.includes(path.basename(dir)));

mkdirSync(out, { recursive: true });
const work = mkdtempSync(path.join(os.tmpdir(), 'kagg-pack-'));
try {
  for (const dir of plugins) {
    const pjson = readJson(path.join(dir, 'package.json'));
    const stage = path.join(work, pjson.name.replace('/', '-'));
    const unpack = (tarball, into) => {
      mkdirSync(into, { recursive: true });
      execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', into, '--strip-components=1']);
    };
    // The plugin and the workspace packages it uses, as npm pack makes them.
    const workspaces = ['packages/plugin-api', 'packages/core', path.relative(root, dir)];
    for (const p of pack(
      workspaces.map((w) => `--workspace=${w}`),
      work,
    )) {
      unpack(p.filename, p.name === pjson.name ? stage : path.join(stage, 'node_modules', p.name));
    }
    // Third-party dependencies at the same place in the tree as in this clone.
    for (const folder of dependencyFolders(workspaces.map((w) => path.join(root, w)))) {
      const to = path.join(stage, 'node_modules', path.relative(modules, folder));
      cpSync(folder, to, { recursive: true, filter: (src) => src === folder || path.basename(src) !== 'node_modules' });
    }
    for (const name of ['@kagg/plugin-api', '@kagg/core']) {
      if (!(name in (pjson.dependencies ?? {}))) rmSync(path.join(stage, 'node_modules', name), { recursive: true });
    }
    const staged = readJson(path.join(stage, 'package.json'));
    staged.bundleDependencies = Object.keys(staged.dependencies ?? {});
    writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
    // tar, not npm pack: the staged tree is already what should ship, and npm's walk of 6,000
    // bundled files takes a minute.
    const tarball = path.join(out, `${pjson.name.replace(/^@/, '').replace('/', '-')}-${pjson.version}.tgz`);
    // Written beside, then renamed: a kagg installing from this tarball never reads half of one.
    const partial = `${tarball}.${process.pid}.partial`;
    execFileSync('tar', ['-czf', partial, '-C', stage, '--transform', 's,^\\.,package,', '.']);
    renameSync(partial, tarball);
    process.stderr.write(`packed ${tarball} (${(statSync(tarball).size / 1e6).toFixed(1)} MB)\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
