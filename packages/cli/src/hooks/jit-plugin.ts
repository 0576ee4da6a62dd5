/**
 * oclif's `jit_plugin_not_installed` hook: a command owned by a plugin listed under the root's
 * `oclif.jitPlugins` (e.g. `kagg monitor` from @kagg/plugin-monitor) installs that plugin on demand,
 * with the same consent rules and messages as a missing target: a prompt on a terminal, `--yes` or
 * `"install": "auto"` off it, else exit 1 with the exact command. oclif then reloads the plugins and
 * runs the command.
 */
import { redact } from '@kagg/core/config';
import { isKaggError } from '@kagg/core/errors';
import { installPlugin } from '@kagg/core/targets';
import type { Hook } from '@oclif/core';
import { pluginInstaller, services } from '../services.js';

const hook: Hook<'jit_plugin_not_installed'> = async function (options) {
  const json = options.argv.includes('--json');
  const say = (line: string) => {
    if (!json) process.stderr.write(`${redact(line)}\n`);
  };
  try {
    const svc = await services();
    const yes = options.argv.includes('--yes') || options.argv.includes('-y');
    await installPlugin(pluginInstaller({ config: options.config, info: say }, svc, yes), {
      plugin: options.pluginName,
      version: options.pluginVersion,
      what: `the "${options.id.replaceAll(':', ' ')}" command`,
      code: 'PLUGIN_NOT_INSTALLED',
      details: { command: options.id },
    });
  } catch (error) {
    if (!isKaggError(error)) throw error;
    if (json) {
      const { code, message, action } = error;
      process.stdout.write(`${JSON.stringify({ error: { code, message, ...(action ? { action } : {}) } }, null, 2)}\n`);
    } else {
      process.stderr.write(`Error: ${redact(error.message)}\n`);
      if (error.action) process.stderr.write(`  → ${redact(error.action)}\n`);
    }
    this.exit(error.exitCode);
  }
};

export default hook;
