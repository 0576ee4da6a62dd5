// Build: compile every package (`tsc -b`), copy non-TypeScript assets (the Python runtime, JSON
// schemas) from src/ to dist/, bundle got (scripts/bundle-got.mjs), write @kagg/testkit's fixture
// bundles, then regenerate the oclif manifests (root and plugins).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleGot } from './bundle-got.mjs';
import { writeManifests } from './manifest.mjs';
import { writeValidators } from './schemas.mjs';
import { writeTestkitBundles } from './testkit-bundles.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ASSET = /\.(py|json|txt)$/;

execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b'], {
  cwd: root,
  stdio: 'inherit',
});

function copyAssets(src, dist) {
  for (const name of readdirSync(src)) {
    const from = path.join(src, name);
    if (statSync(from).isDirectory()) copyAssets(from, path.join(dist, name));
    else if (ASSET.test(name)) cpSync(from, path.join(dist, name));
  }
}
for (const group of ['packages', 'plugins']) {
  for (const pkg of readdirSync(path.join(root, group))) {
    const src = path.join(root, group, pkg, 'src');
    if (existsSync(src)) copyAssets(src, path.join(root, group, pkg, 'dist'));
  }
}
await bundleGot(root);
await writeValidators(root);
await writeTestkitBundles(root);
await writeManifests(root);
