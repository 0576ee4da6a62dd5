/**
 * What commands need from the outside world, made in one place: paths under KAGG_HOME, the
 * registry, settings, and the context targets run with (progress, logger, Ctrl-C as an abort).
 */

import { type KaggPaths, kaggPaths, loadSettings, type Settings } from '@kagg/core/config';
import { EndpointRegistry } from '@kagg/core/registry';
import type { PluginInstaller } from '@kagg/core/targets';
import type { Logger } from '@kagg/plugin-api';

export interface Services {
  paths: KaggPaths;
  registry: EndpointRegistry;
  settings: Settings;
  signal: AbortSignal;
}

export async function services(): Promise<Services> {
  const paths = kaggPaths();
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('cancelled (Ctrl-C)'));
    process.exitCode = 130;
  });
  return {
    paths,
    registry: new EndpointRegistry(paths.registryFile),
    settings: await loadSettings(paths.configFile),
    signal: controller.signal,
  };
}

export function loggerFor(cmd: { info(m: string): void; warning(m: string): void }): Logger {
  return {
    info: (m) => cmd.info(m),
    warn: (m) => cmd.warning(m),
    debug: (m) => {
      if (process.env.KAGG_DEBUG) cmd.info(m);
    },
  };
}

interface CommandLike {
  config: import('@oclif/core').Config;
  info(m: string): void;
  warning(m: string): void;
  progress: { stage(text: string): void };
}

/** What installs a missing plugin for a command, with the user's consent (`--yes`, settings `install`). */
export function pluginInstaller(
  cmd: { config: PluginInstaller['config']; info(m: string): void },
  svc: Services,
  yes = false,
): PluginInstaller {
  return {
    config: cmd.config,
    yes,
    mode: svc.settings.install,
    settingsFile: svc.paths.configFile,
    progress: (s) => cmd.info(s),
  };
}

/** The collaborators of deploy/endpoint operations, from a command and its services. */
export function operationDeps(cmd: CommandLike, svc: Services, options: { progress?: boolean; yes?: boolean } = {}) {
  return {
    installer: pluginInstaller(cmd, svc, options.yes),
    config: cmd.config,
    registry: svc.registry,
    settings: svc.settings,
    paths: svc.paths,
    signal: svc.signal,
    progress: options.progress ? (s: string) => cmd.progress.stage(s) : () => {},
    log: loggerFor(cmd),
  };
}
