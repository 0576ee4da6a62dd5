import os from 'node:os';
import path from 'node:path';

/**
 * Where kagg keeps its files. `KAGG_HOME` puts everything under one folder (tests use it);
 * otherwise the OS conventions: XDG config/state on Linux, Library/Application Support on macOS,
 * %APPDATA% on Windows.
 */
export interface KaggPaths {
  /** Root of kagg's own files. */
  home: string;
  /** config.json (settings; no secrets in clear). */
  configFile: string;
  /** endpoints.json, the endpoint registry. */
  registryFile: string;
  /** Per-target state folders: targets/<id>. */
  targetsDir: string;
  /** Logs of local servers and operations. */
  logsDir: string;
  /** Batch state files. */
  batchesDir: string;
  /** Packaged artifacts and bundles. */
  cacheDir: string;
}

export function kaggHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAGG_HOME) return path.resolve(env.KAGG_HOME);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'kagg');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'kagg');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'kagg');
}

export function kaggPaths(env: NodeJS.ProcessEnv = process.env): KaggPaths {
  const home = kaggHome(env);
  return {
    home,
    configFile: path.join(home, 'config.json'),
    registryFile: path.join(home, 'endpoints.json'),
    targetsDir: path.join(home, 'targets'),
    logsDir: path.join(home, 'logs'),
    batchesDir: path.join(home, 'batches'),
    cacheDir: path.join(home, 'cache'),
  };
}
