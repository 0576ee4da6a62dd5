#!/usr/bin/env node
// The published entry point: compiled commands, the committed oclif.manifest.json. Node's on-disk
// compile cache (Node 22.1+) spares re-parsing oclif and kagg's modules on every start.
import module from 'node:module';

module.enableCompileCache?.();
const { execute } = await import('@oclif/core/execute');
await execute({ dir: import.meta.url });
