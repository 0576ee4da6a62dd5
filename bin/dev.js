#!/usr/bin/env node
// Runs kagg from source: an incremental `tsc -b` and the got bundle (when stale) first, then oclif in development mode (no manifest cache).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core/execute';
import { settings } from '@oclif/core/settings';
import { bundleGot } from '../scripts/bundle-got.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b'], { cwd: root, stdio: 'inherit' });
await bundleGot(root);
// Compiled JavaScript only, as bin/run.js (tsc -b just ran): no ts-node auto-transpiling.
settings.enableAutoTranspile = false;
await execute({ development: true, dir: import.meta.url });
