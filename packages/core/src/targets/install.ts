/**
 * On-demand install of a first-party target plugin: `kagg deploy NB --aws` on a kagg without
 * @kagg/plugin-aws asks (on a terminal), or installs with consent given ahead (`--yes`, settings
 * `"install": "auto"`), through @oclif/plugin-plugins, reloads the plugins and carries on in the same
 * process. Off a terminal without consent it stops with the exact command to run; it never reads a
 * prompt from a piped stdin.
 *
 * An install never hangs: npm runs with short fetch timeouts and few retries, and a first look-up of
 * the plugin's version (killed at a deadline) tells an unreachable registry from a missing version,
 * so the user reads what really happened and how to install by hand, not plugin-plugins' "does not
 * exist in the registry".
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { DeployTarget } from '@kagg/plugin-api';
import type { Config, Interfaces } from '@oclif/core';
import { KaggError, messageOf } from '../errors/index.js';
import { discoverTargets, FIRST_PARTY_TARGETS, requireTarget } from './discover.js';

export interface PluginInstaller {
  /** The running CLI's config: its data dir, npm registry, version, and the plugins to reload. */
  config: Interfaces.Config & Partial<Pick<Config, 'loadPluginsAndCommands'>>;
  /** `--yes`: consent given on the command line. */
  yes: boolean;
  /** The settings file's `install` ("auto" consents, "never" refuses, "prompt" is the default). */
  mode?: 'auto' | 'prompt' | 'never' | undefined;
  /** Where the settings file lives, to name it in messages. */
  settingsFile?: string;
  /** Progress on stderr (silent under --json). */
  progress: (stage: string) => void;
}

/** The longest a registry look-up may take before kagg gives up (the whole install stays under 30 s). */
const LOOKUP_DEADLINE_MS = 20_000;

/**
 * npm settings that bound every request (npm's defaults took 71 s on a refused registry and hung on
 * a silent one). Set in kagg's environment, which every npm run inherits; the user's own win.
 */
const NPM_BOUNDS: Record<string, string> = {
  npm_config_fetch_timeout: '8000',
  npm_config_fetch_retries: '1',
  npm_config_fetch_retry_mintimeout: '1000',
  npm_config_fetch_retry_maxtimeout: '2000',
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

/** What is being installed, from where, by which CLI (its name and folder, for messages). */
interface Spec {
  plugin: string;
  version: string;
  registry: string | undefined;
  bin: string;
  root: string;
}

function registryName(spec: Spec): string {
  return spec.registry ? `the npm registry ${spec.registry}` : "npm's configured registry";
}

function tarballName(spec: Pick<Spec, 'plugin' | 'version'>): string {
  return `${spec.plugin.replace(/^@/, '').replace('/', '-')}-${spec.version}.tgz`;
}

/** A clone's scripts/pack-plugins.mjs, which packs the clone's own plugins. */
const packScript = (spec: Spec) => path.join(spec.root, 'scripts', 'pack-plugins.mjs');

/**
 * How to install by hand, for every message that gives up. From a kagg clone, the clone's own
 * self-contained tarball, which installs offline.
 */
function byHand(spec: Spec): string {
  const file = tarballName(spec);
  const tarball = existsSync(packScript(spec))
    ? `or offline from this clone: \`npm run pack-plugins\` in ${spec.root}, then \`${spec.bin} plugins install file:${path.join(spec.root, 'dist', 'plugins', file)}\``
    : `or from a tarball: \`${spec.bin} plugins install file:/absolute/path/${file}\``;
  return `install it by hand: \`${spec.bin} plugins install ${spec.plugin}@${spec.version}\` once the registry answers; from another registry with KAGG_NPM_REGISTRY=<url>; ${tarball}`;
}

function installError(message: string, spec: Spec, code: string, cause?: unknown): KaggError {
  return new KaggError(message, {
    code,
    action: byHand(spec),
    details: { plugin: spec.plugin, version: spec.version, ...(spec.registry ? { registry: spec.registry } : {}) },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The npm CLI that @oclif/plugin-plugins itself runs (its own pinned npm). */
function npmCli(pluginsRoot: string): string {
  const pjson = createRequire(path.join(pluginsRoot, 'package.json')).resolve('npm/package.json');
  return path.join(path.dirname(pjson), 'bin', 'npm-cli.js');
}

/**
 * `npm view <plugin>@<version> version --json`, killed at a deadline. Resolves when the registry
 * has that version; otherwise throws the error the user should read.
 */
async function lookUp(spec: Spec, npm: string, cwd: string): Promise<void> {
  const args = [npm, 'view', `${spec.plugin}@${spec.version}`, 'version', '--json', '--loglevel=silent'];
  if (spec.registry) args.push(`--registry=${spec.registry}`);
  const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>(
    (resolve) => {
      execFile(
        process.execPath,
        args,
        { cwd, timeout: LOOKUP_DEADLINE_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
            stdout,
            stderr,
            killed: Boolean(error?.killed),
          }),
      );
    },
  );
  if (outcome.code === 0 && outcome.stdout.includes(spec.version)) return;
  const where = registryName(spec);
  const fail = (what: string, code: string) =>
    installError(`could not install ${spec.plugin}@${spec.version}: ${where} ${what}`, spec, code);
  if (outcome.killed) throw fail(`did not answer within ${LOOKUP_DEADLINE_MS / 1000} s`, 'PLUGIN_REGISTRY_UNREACHABLE');
  // npm --json prints {"error": {"code", "summary"}}; no output at all means the version is missing.
  let error: { code?: string; summary?: string } = {};
  try {
    error = (JSON.parse(outcome.stdout) as { error?: typeof error }).error ?? {};
  } catch {
    // not JSON: judged by the exit code alone
  }
  if (outcome.code === 0) throw fail('does not have this version', 'PLUGIN_NOT_PUBLISHED');
  if (error.code === 'E404') throw fail('does not have this plugin', 'PLUGIN_NOT_PUBLISHED');
  const reason = /timeout/i.test(error.summary ?? '')
    ? 'did not answer (timed out)'
    : `could not be reached (${error.code ?? 'no answer'}${error.summary ? `: ${error.summary}` : ''})`;
  throw fail(reason, 'PLUGIN_REGISTRY_UNREACHABLE');
}

/**
 * This clone's own self-contained tarball of the plugin (`npm run pack-plugins`), packed now into
 * dist/plugins/ so that it holds this clone's build; undefined when kagg does not run from a clone
 * holding this plugin at this version, or KAGG_NO_CLONE_PLUGINS is set (the registry only, as a
 * published kagg's users see it).
 */
async function cloneTarball(spec: Spec, progress: (stage: string) => void): Promise<string | undefined> {
  const script = packScript(spec);
  const dir = path.join(spec.root, 'plugins', spec.plugin.replace(/^@kagg\/plugin-/, ''));
  if (process.env.KAGG_NO_CLONE_PLUGINS || !spec.plugin.startsWith('@kagg/plugin-') || !existsSync(script))
    return undefined;
  if (!existsSync(path.join(dir, 'package.json'))) return undefined;
  const pjson = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
  };
  if (pjson.name !== spec.plugin || pjson.version !== spec.version) return undefined;
  const out = path.join(spec.root, 'dist', 'plugins');
  progress(`packing ${spec.plugin}@${spec.version} from this clone into ${out}`);
  await promisify(execFile)(process.execPath, [script, '--out', out, path.basename(dir)], {
    cwd: spec.root,
    maxBuffer: 4 * 1024 * 1024,
  });
  return path.join(out, tarballName(spec));
}

/**
 * What npm installs: the plugin from the registry when the registry has this version, else (the
 * version is not published, or the registry cannot be reached) this clone's own tarball as
 * `file:<tarball>`. Throws the registry's error, with how to install by hand, when neither can.
 */
async function installSource(spec: Spec, npm: string, cwd: string, progress: (stage: string) => void): Promise<string> {
  for (const [key, value] of Object.entries(NPM_BOUNDS)) process.env[key] ??= value;
  await mkdir(cwd, { recursive: true });
  try {
    await lookUp(spec, npm, cwd);
    return spec.plugin;
  } catch (error) {
    if (!(error instanceof KaggError)) throw error;
    const tarball = await cloneTarball(spec, progress).catch((packing: unknown) => {
      throw installError(
        `${error.message}, and packing it from this clone failed: ${messageOf(packing).split('\n')[0]}`,
        spec,
        String(error.code),
        packing,
      );
    });
    if (!tarball) throw error;
    progress(`${error.message.replace(/^could not install /, '')}: installing from this clone's tarball ${tarball}`);
    return `file:${tarball}`;
  }
}

/**
 * The `plugins:preinstall` side of `kagg plugins install @kagg/plugin-<x>`: a first-party plugin of
 * this kagg's version comes from the registry when it has it, else from this clone's tarball (the
 * returned npm spec replaces the name plugin-plugins installs).
 */
export async function firstPartySource(
  config: Interfaces.Config,
  plugin: string,
  progress: (stage: string) => void,
): Promise<string> {
  const pluginsRoot = config.plugins.get('@oclif/plugin-plugins')?.root;
  if (!pluginsRoot) return plugin;
  const spec = specOf(config, plugin, config.version);
  return installSource(spec, npmCli(pluginsRoot), config.dataDir, progress);
}

function specOf(config: Interfaces.Config, plugin: string, version: string): Spec {
  return { plugin, version, registry: config.npmRegistry, bin: config.bin, root: config.root };
}

async function consent(installer: PluginInstaller, need: PluginNeed): Promise<boolean> {
  if (installer.mode === 'never') return false;
  if (installer.yes || installer.mode === 'auto') return true;
  // Never a prompt read from a pipe: only when both ends are a terminal.
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const what = need.what.charAt(0).toUpperCase() + need.what.slice(1);
  return askOnTerminal(`${what} comes with ${need.plugin}@${need.version}, which is not installed. Install it now?`);
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [Y/n] `);
    return /^(y|yes)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** A plugin kagg needs for something the user asked: a target, a command. */
export interface PluginNeed {
  plugin: string;
  version: string;
  /** What needs it, for messages: `the "aws" target`, `the "monitor" command`. */
  what: string;
  /** The error code when it may not be installed now. */
  code: string;
  details?: Record<string, unknown>;
}

/** The error for a missing plugin that kagg may not install now: it names the exact command. */
export function notInstalledError(need: PluginNeed, bin: string, installer?: PluginInstaller): KaggError {
  const settingsFile = installer?.settingsFile ?? "kagg's settings file";
  const consentHint =
    installer?.mode === 'never'
      ? ` (on-demand install is off: "install": "never" in ${settingsFile})`
      : installer && !installer.yes
        ? `; or add --yes to install it on demand (or set "install": "auto" in ${settingsFile})`
        : '';
  return new KaggError(`${need.what} is not installed: it comes with the plugin ${need.plugin}`, {
    code: need.code,
    action: `run \`${bin} plugins install ${need.plugin}@${need.version}\`, then this command again${consentHint}`,
    details: { ...need.details, plugin: need.plugin, version: need.version },
  });
}

/**
 * Installs a plugin with the user's consent and reloads the CLI's plugins. Throws `need.code`
 * without consent, PLUGIN_* errors when the install fails.
 */
export async function installPlugin(installer: PluginInstaller, need: PluginNeed): Promise<void> {
  const { config } = installer;
  const { plugin } = need;
  const spec = specOf(config, plugin, need.version);
  if (!(await consent(installer, need))) throw notInstalledError(need, config.bin, installer);
  const pluginsRoot = config.plugins.get('@oclif/plugin-plugins')?.root;
  if (!pluginsRoot) {
    throw installError(
      `could not install ${plugin}: this kagg has no @oclif/plugin-plugins`,
      spec,
      'PLUGIN_INSTALL_FAILED',
    );
  }
  installer.progress(`installing ${plugin}@${spec.version} from ${registryName(spec)}`);
  const source = await installSource(spec, npmCli(pluginsRoot), config.dataDir, installer.progress);
  try {
    const { default: Plugins } = (await import(pathToFileURL(path.join(pluginsRoot, 'lib', 'plugins.js')).href)) as {
      default: new (options: {
        config: Interfaces.Config;
        logLevel: 'silent';
      }) => { install(name: string, options: { tag: string }): Promise<unknown> };
    };
    await new Plugins({ config, logLevel: 'silent' }).install(source, { tag: spec.version });
  } catch (error) {
    const from = source === plugin ? registryName(spec) : source.slice('file:'.length);
    throw installError(
      `could not install ${plugin}@${spec.version} from ${from}: ${messageOf(error).split('\n')[0]}`,
      spec,
      'PLUGIN_INSTALL_FAILED',
      error,
    );
  }
  installer.progress(`installed ${plugin}@${spec.version}`);
  // oclif reloads by itself after its jit hook; a command's config is reloaded here.
  await config.loadPluginsAndCommands?.({ force: true });
}

/**
 * The target with this id; a missing first-party one is installed on demand when an installer is
 * given (the CLI's commands give one), else the error says how to get it.
 */
export async function ensureTarget(
  config: Pick<Config, 'runHook'>,
  id: string,
  installer?: PluginInstaller,
): Promise<DeployTarget> {
  const found = await discoverTargets(config);
  const plugin = FIRST_PARTY_TARGETS[id];
  if (found.targets.has(id) || !plugin || !installer || found.problems.some((p) => p.plugin === plugin)) {
    return requireTarget(found, id);
  }
  await installPlugin(installer, {
    plugin,
    // First-party plugins are released with kagg itself.
    version: installer.config.version,
    what: `the "${id}" target`,
    code: 'TARGET_NOT_INSTALLED',
    details: { target: id },
  });
  return requireTarget(await discoverTargets(config), id);
}
