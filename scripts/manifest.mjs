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
  // oclif loads command files concurrently and records them as they finish: on a busy machine the
  // order changes from one build to the next. Sorted, the manifest is the same bytes every time.
  const { commands, ...rest } = plugin.manifest;
  const sorted = Object.fromEntries(
    Object.keys(commands)
      .sort()
      .map((id) => [id, commands[id]]),
  );
  return `${JSON.stringify({ ...rest, commands: sorted }, null, 2)}\n`;
}

/**
 * The commands of plugins installed on demand (`oclif.jitPlugins`), as `oclif manifest --jit` adds
 * them to the root manifest: oclif then knows `kagg monitor` before its plugin is installed, and
 * runs the `jit_plugin_not_installed` hook when it is called.
 */
export async function jitCommands(pluginDirs) {
  const commands = {};
  for (const dir of pluginDirs) {
    const plugin = new Plugin({ root: dir, type: 'jit', ignoreManifest: true, errorOnManifestCreate: true });
    await plugin.load();
    Object.assign(commands, plugin.manifest.commands);
  }
  return commands;
}

export async function writeManifests(root) {
  const manifest = JSON.parse(await manifestOf(root));
  const jit = Object.keys(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).oclif.jitPlugins ?? {});
  const byName = new Map(
    readdirSync(path.join(root, 'plugins'))
      .map((p) => path.join(root, 'plugins', p))
      .filter((dir) => existsSync(path.join(dir, 'package.json')))
      .map((dir) => [JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name, dir]),
  );
  const missing = jit.filter((name) => !byName.has(name));
  if (missing.length > 0)
    throw new Error(`oclif.jitPlugins lists ${missing.join(', ')}, which no folder in plugins/ holds`);
  Object.assign(manifest.commands, await jitCommands(jit.map((name) => byName.get(name))));
  writeFileSync(path.join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const pkg of readdirSync(path.join(root, 'plugins'))) {
    const dir = path.join(root, 'plugins', pkg);
    const pj = path.join(dir, 'package.json');
    if (!existsSync(pj)) continue;
    if (!JSON.parse(readFileSync(pj, 'utf8')).oclif?.commands) continue;
    writeFileSync(path.join(dir, 'oclif.manifest.json'), await manifestOf(dir, 'user'));
  }
}
