/**
 * `kagg plugins` with no argument: the targets this kagg has (and which plugin gives each), the
 * first-party targets it can install (with the command), and the other plugins installed or linked.
 */
import type { Config } from '@oclif/core';
import { discoverTargets, FIRST_PARTY_TARGETS } from './discover.js';

export interface PluginsOverview {
  targets: Array<{ id: string; plugin: string; version: string; type: string }>;
  installable: Array<{ id: string; plugin: string; version: string; command: string }>;
  plugins: Array<{ name: string; version: string; type: string }>;
  problems: Array<{ plugin: string; message: string }>;
}

export async function pluginsOverview(
  config: Pick<Config, 'runHook' | 'plugins' | 'bin' | 'version'>,
  options: { core?: boolean } = {},
): Promise<PluginsOverview> {
  const found = await discoverTargets(config);
  const about = (name: string) => config.plugins.get(name);
  const targets = [...found.targets].map(([id, { plugin }]) => ({
    id,
    plugin,
    version: about(plugin)?.version ?? '',
    type: about(plugin)?.type ?? '',
  }));
  const installable = Object.entries(FIRST_PARTY_TARGETS)
    .filter(([id, plugin]) => !found.targets.has(id) && !about(plugin))
    .map(([id, plugin]) => ({
      id,
      plugin,
      version: config.version,
      command: `${config.bin} plugins install ${plugin}@${config.version}`,
    }));
  const plugins = [...config.plugins.values()]
    .filter((p) => p.type !== 'core' || (options.core && !p.isRoot))
    .map((p) => ({ name: p.name, version: p.version, type: p.type }));
  return { targets, installable, plugins, problems: found.problems };
}
