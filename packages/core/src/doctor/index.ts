/**
 * `kagg doctor`: what kagg needs from this machine, checked. Node and python3 versions, the
 * installed plugins and targets (with their own checks, e.g. credentials found), and the registry.
 */
import { execFile } from 'node:child_process';
import type { DoctorCheck } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import type { KaggPaths } from '../config/home.js';
import type { Settings } from '../config/settings.js';
import { messageOf } from '../errors/index.js';
import { EndpointRegistry } from '../registry/registry.js';
import { discoverTargets } from '../targets/discover.js';
import { resolveTargetOptions } from '../targets/options.js';

export interface DoctorReport {
  ok: boolean;
  home: string;
  checks: DoctorCheck[];
  plugins: Array<{ name: string; version: string; type: string }>;
  targets: string[];
}

function python3Version(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('python3', ['--version'], { timeout: 10_000 }, (err, stdout, stderr) =>
      resolve(err ? undefined : (stdout || stderr).trim()),
    ),
  );
}

export async function runDoctor(deps: {
  config: Config;
  paths: KaggPaths;
  settings?: Settings;
}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: major >= 22,
    detail: `v${process.versions.node}${major >= 22 ? '' : ' (kagg needs 22 or newer)'}`,
  });
  const py = await python3Version();
  checks.push({
    name: 'python3',
    ok: py !== undefined,
    detail: py ?? 'not found on PATH (the local target and packaging need it)',
  });
  try {
    const n = (await new EndpointRegistry(deps.paths.registryFile).list()).length;
    checks.push({
      name: 'registry',
      ok: true,
      detail: `${deps.paths.registryFile} (${n} endpoint${n === 1 ? '' : 's'})`,
    });
  } catch (error) {
    checks.push({ name: 'registry', ok: false, detail: messageOf(error) });
  }
  checks.push(await kaggleCredentialsCheck());
  const found = await discoverTargets(deps.config);
  for (const problem of found.problems)
    checks.push({ name: `plugin ${problem.plugin}`, ok: false, detail: problem.message });
  for (const [id, { target, plugin }] of [...found.targets].sort(([a], [b]) => a.localeCompare(b))) {
    checks.push({ name: `target ${id}`, ok: true, detail: `${target.title} (${plugin})` });
    if (target.doctor) {
      try {
        const fromSettings = deps.settings?.targets?.[id];
        const options = await resolveTargetOptions(target, {
          common: {},
          set: [],
          ...(fromSettings ? { fromSettings } : {}),
          partial: true,
        });
        for (const c of await target.doctor({ options })) checks.push({ ...c, name: `${id}: ${c.name}` });
      } catch (error) {
        checks.push({ name: `${id}: checks`, ok: false, detail: messageOf(error) });
      }
    }
  }
  const plugins = deps.config
    .getPluginsList()
    .map((p) => ({ name: p.name, version: p.version, type: p.type }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    ok: checks.every((c) => c.ok),
    home: deps.paths.home,
    checks,
    plugins,
    targets: [...found.targets.keys()].sort(),
  };
}

/**
 * Which Kaggle credentials are used and why the others were skipped. A found token (or the OAuth file)
 * is checked with Kaggle as every command would check it; a key alone is reported without a request.
 */
async function kaggleCredentialsCheck(): Promise<DoctorCheck> {
  const name = 'kaggle credentials';
  const { findKaggleCredentials } = await import('../kaggle/auth.js');
  const found = findKaggleCredentials();
  const warned = found.warnings.length ? ` (${found.warnings.join('; ')})` : '';
  if (found.candidates.length === 0)
    return {
      name,
      ok: true,
      warning: true,
      detail: `none found (needed for list/pull/push/run; looked in ${found.searched.join(', ')})${warned}`,
    };
  const { createKaggleClient } = await import('../kaggle/client.js');
  const messages: string[] = [];
  try {
    const { credentials, attempts } = await createKaggleClient({ onWarning: () => {} }).authenticate();
    const what =
      credentials.kind === 'bearer'
        ? `API token of ${credentials.username ?? 'unknown user'}`
        : `key of ${credentials.username}`;
    for (const a of attempts) if (a.outcome === 'skipped') messages.push(`skipped ${a.source}: ${a.reason}`);
    const notes = [...messages, ...found.warnings];
    return {
      name,
      ok: found.warnings.length === 0,
      ...(messages.length > 0 && found.warnings.length === 0 ? { warning: true } : {}),
      detail: `${what} from ${credentials.source}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    };
  } catch (error) {
    return { name, ok: false, detail: `${messageOf(error)}${warned}` };
  }
}
