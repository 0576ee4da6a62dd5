#!/usr/bin/env node
// Runs kagg from source: an incremental `tsc -b` first, then oclif in development mode (no manifest cache).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core/execute';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b'], { cwd: root, stdio: 'inherit' });
await execute({ development: true, dir: import.meta.url });
