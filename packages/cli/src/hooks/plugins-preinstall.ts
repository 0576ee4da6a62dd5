/**
 * @oclif/plugin-plugins' `plugins:preinstall` hook: `kagg plugins install @kagg/plugin-aws` (any
 * first-party plugin, at this kagg's version) installs from the registry when it has this version,
 * else from the clone's own tarball: the plugin's npm name is replaced by `file:<tarball>`, which
 * plugin-plugins then installs. When neither can, the error says what is really possible (exit 1).
 */
import { redact } from '@kagg/core/config';
import { isKaggError } from '@kagg/core/errors';
import { firstPartySource } from '@kagg/core/targets';
import type { Hook, Interfaces } from '@oclif/core';

/** plugin-plugins' own event: the plugin about to be installed, which a hook may redirect. */
type PreinstallHooks = Interfaces.Hooks & {
  'plugins:preinstall': { options: { plugin: { type: string; name?: string; tag?: string } }; return: undefined };
};

const hook: Hook<'plugins:preinstall', PreinstallHooks> = async function ({ plugin, config }) {
  if (plugin.type !== 'npm' || !plugin.name?.startsWith('@kagg/plugin-')) return;
  if (plugin.tag && plugin.tag !== 'latest' && plugin.tag !== config.version) return;
  try {
    plugin.name = await firstPartySource(config, plugin.name, (line) => process.stderr.write(`${redact(line)}\n`));
  } catch (error) {
    if (!isKaggError(error)) throw error;
    process.stderr.write(`Error: ${redact(error.message)}\n`);
    if (error.action) process.stderr.write(`  → ${redact(error.action)}\n`);
    this.exit(error.exitCode);
  }
};

export default hook;
