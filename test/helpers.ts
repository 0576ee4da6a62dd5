/** Helpers for end-to-end tests: run bin/run.js as a user would, each test in its own KAGG_HOME. */
import { type SpawnOptions, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '@kagg/testkit/temp';

export { tempDir };

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BIN = path.join(ROOT, 'bin', 'run.js');
export const FIXTURES = path.join(ROOT, 'packages', 'core', 'test', 'fixtures', 'notebooks');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An environment whose kagg keeps everything, its temp files included, under `home`. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const tmp = path.join(home, 'tmp'); // what a killed kagg leaves in its temp folder goes with home
  mkdirSync(tmp, { recursive: true });
  return {
    ...process.env,
    TMPDIR: tmp,
    KAGG_HOME: home,
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
    CI: '1',
    ...extra,
  };
}

/** A kagg a test starts is killed past this (it would otherwise outlive a test that timed out). */
export const CHILD_TIMEOUT_MS = 100_000;

/** Runs `kagg ...args`; never rejects: the exit code is part of the result (-1 when killed). */
export function kagg(args: string[], env: NodeJS.ProcessEnv, options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      ...options,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `kagg ... --json`, parsed. */
export async function kaggJson<T = Record<string, unknown>>(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<RunResult & { json: T }> {
  const result = await kagg([...args, '--json'], env);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `kagg ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return { ...result, json };
}

/** Destroys every endpoint of a KAGG_HOME (stops local servers), then deletes the folder. */
export async function cleanup(home: string): Promise<void> {
  const env = isolatedEnv(home);
  const list = await kagg(['endpoints', 'list', '--json'], env);
  try {
    const { endpoints } = JSON.parse(list.stdout) as { endpoints: Array<{ name: string }> };
    for (const e of endpoints) await kagg(['destroy', e.name], env);
  } catch {
    // a corrupt or missing registry: nothing to stop through it
  }
  rmSync(home, { recursive: true, force: true });
}

/**
 * A kagg installation without some of its bundled plugins: a folder whose package.json is kagg's
 * own minus those plugins, sharing kagg's node_modules and compiled commands. Runs as `node <bin>`.
 */
export function kaggWithout(plugins: string[]): string {
  const dir = tempDir('kagg-without-');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  pkg.oclif.plugins = pkg.oclif.plugins.filter((p: string) => !plugins.includes(p));
  pkg.oclif.commands = path.relative(dir, path.join(ROOT, 'packages', 'cli', 'dist', 'commands'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const bin = path.join(dir, 'run.js');
  writeFileSync(bin, "import { execute } from '@oclif/core/execute';\nawait execute({ dir: import.meta.url });\n");
  return bin;
}

/** The variables that point the real AWS SDK at the AWS fake, with its credentials injected. */
export function awsFakeEnv(fake: {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: fake.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fake.secretAccessKey,
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    KAGG_AWS_POLL_MS: '10',
  };
}
