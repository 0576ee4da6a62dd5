import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SCRIPT = `
import { Config } from '@oclif/core';
const config = await Config.load({ root: ${JSON.stringify(PLUGIN_ROOT)} });
await config.runCommand('preprocess', process.argv.slice(1));
`;

/** Runs `kagg preprocess ARGS` through oclif with this plugin loaded, in a child process. */
export function runPreprocessCli(
  args: string[],
  cwd = PLUGIN_ROOT,
): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(PLUGIN_ROOT, 'node_modules') },
    maxBuffer: 1 << 26,
    timeout: 100_000, // a hang fails the test instead of blocking its process
  });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
