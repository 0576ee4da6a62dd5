#!/usr/bin/env node
// The published entry point: compiled commands, the committed oclif.manifest.json. Node's on-disk
// compile cache (Node 22.1+) spares re-parsing oclif and kagg's modules on every start.
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // One clear line, before oclif loads (it would warn per plugin and then fail further on).
  process.stderr.write(
    `kagg needs Node 22 or newer; this is Node ${process.versions.node} (${process.execPath}). In a clone, \`bash scripts/quickstart.sh\` installs Node 24 into .tools/node and bin/kagg uses it.\n`,
  );
  process.exit(1);
}
module.enableCompileCache?.();
// KAGG_HOME holds everything of kagg's, oclif's data (installed and linked plugins), cache and
// config folders too, unless KAGG_<X>_DIR or XDG_<X>_HOME says where they go.
if (process.env.KAGG_HOME) {
  const { join } = await import('node:path');
  for (const kind of ['DATA', 'CACHE', 'CONFIG']) {
    if (!process.env[`KAGG_${kind}_DIR`] && !process.env[`XDG_${kind}_HOME`]) {
      process.env[`KAGG_${kind}_DIR`] = join(process.env.KAGG_HOME, 'oclif', kind.toLowerCase());
    }
  }
}
// kagg loads plugins' compiled JavaScript only, linked ones too (`kagg plugins link` runs your
// dist/): no ts-node, so oclif's auto-transpiling is off, and with it the warning it printed on every
// command that a linked ESM plugin "cannot be auto-transpiled".
const { settings } = await import('@oclif/core/settings');
settings.enableAutoTranspile = false;
const { execute } = await import('@oclif/core/execute');
await execute({ dir: import.meta.url });
