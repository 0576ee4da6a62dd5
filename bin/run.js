#!/usr/bin/env node
// The published entry point: compiled commands, the committed oclif.manifest.json.
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  // One clear line, before oclif loads (it would warn per plugin and then fail further on).
  process.stderr.write(
    `kagg needs Node 22 or newer; this is Node ${process.versions.node} (${process.execPath}). In a clone, \`bash scripts/quickstart.sh\` installs Node 24 into .tools/node and bin/kagg uses it.\n`,
  );
  process.exit(1);
}
// KAGG_HOME holds everything of kagg's, oclif's data (installed and linked plugins), cache and
// config folders too, unless KAGG_<X>_DIR or XDG_<X>_HOME says where they go.
if (process.env.KAGG_HOME) {
  for (const kind of ['DATA', 'CACHE', 'CONFIG']) {
    if (!process.env[`KAGG_${kind}_DIR`] && !process.env[`XDG_${kind}_HOME`]) {
      process.env[`KAGG_${kind}_DIR`] = join(process.env.KAGG_HOME, 'oclif', kind.toLowerCase());
    }
  }
}
// Node's on-disk compile cache (Node 22.1+) spares re-parsing oclif's and kagg's modules on every
// start. It goes in kagg's cache folder (oclif's: KAGG_CACHE_DIR, XDG_CACHE_HOME/kagg, ~/.cache/kagg),
// made private to the user, not in the temp folder every user shares: cached code another user could
// write there would run as kagg. NODE_COMPILE_CACHE, when set, wins. A folder that cannot be made
// leaves the cache off; kagg runs as without it.
if (!process.env.NODE_COMPILE_CACHE && module.enableCompileCache) {
  const cache =
    process.env.KAGG_CACHE_DIR ??
    (process.platform === 'darwin' && !process.env.XDG_CACHE_HOME
      ? join(homedir(), 'Library', 'Caches', 'kagg')
      : join(process.env.XDG_CACHE_HOME ?? process.env.LOCALAPPDATA ?? join(homedir(), '.cache'), 'kagg'));
  try {
    const dir = join(cache, 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(dir);
  } catch {
    // unwritable: no cache
  }
}
// kagg loads plugins' compiled JavaScript only, linked ones too (`kagg plugins link` runs your
// dist/): no ts-node, so oclif's auto-transpiling is off, and with it the warning it printed on every
// command that a linked ESM plugin "cannot be auto-transpiled".
const { settings } = await import('@oclif/core/settings');
settings.enableAutoTranspile = false;
const { execute } = await import('@oclif/core/execute');
await execute({ dir: import.meta.url });
