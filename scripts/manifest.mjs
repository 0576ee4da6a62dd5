// Generates oclif.manifest.json for the root CLI and for every plugin that has commands, the way
// `oclif manifest` does (oclif's own Plugin loader), without pulling the oclif packaging tool in.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Plugin } from '@oclif/core';

export async function manifestOf(dir, type = 'core') {
  const plugin = new Plugin({
    root: dir,
    type,
    ignoreManifest: true,
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  });
  await plugin.load();
  // oclif lists commands in the order its glob found them, which varies from run to run on a
  // loaded machine: sorted, the file only changes when a command does.
  const { commands } = plugin.manifest;
  const sorted = Object.fromEntries(
    Object.keys(commands)
      .sort()
      .map((id) => [id, commands[id]]),
  );
  return `${JSON.stringify({ ...plugin.manifest, commands: sorted }, null, 2)}\n`;
}

export async function writeManifests(root) {
  writeFileSync(path.join(root, 'oclif.manifest.json'), await manifestOf(root));
  for (const pkg of readdirSync(path.join(root, 'plugins'))) {
    const dir = path.join(root, 'plugins', pkg);
    const pj = path.join(dir, 'package.json');
    if (!existsSync(pj)) continue;
    if (!JSON.parse(readFileSync(pj, 'utf8')).oclif?.commands) continue;
    writeFileSync(path.join(dir, 'oclif.manifest.json'), await manifestOf(dir, 'user'));
  }
}
