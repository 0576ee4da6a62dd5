/**
 * Flags shared by the commands that choose a target (`deploy`, `package`, `batch`): the target
 * shortcuts, the settings common to all targets, and `--set` for target-specific ones. Plugins
 * cannot add flags to these commands (flags are static and cached in the manifest), hence `--set`.
 */

import { parseDuration } from '@kagg/core/config';
import type { TargetChoice } from '@kagg/core/deploy';
import { usageError } from '@kagg/core/errors';
import * as Flags from '@oclif/core/flags';

const shortcuts = ['local', 'aws', 'gcp', 'azure', 'container', 'cloud-run'] as const;

export const targetFlags = {
  local: Flags.boolean({
    summary: 'Target this machine (the default).',
    exclusive: ['aws', 'gcp', 'azure', 'container', 'cloud-run', 'target'],
  }),
  aws: Flags.boolean({
    summary: 'Target AWS Lambda.',
    exclusive: ['local', 'gcp', 'azure', 'container', 'cloud-run', 'target'],
  }),
  gcp: Flags.boolean({
    summary: 'Target Google Cloud Functions.',
    exclusive: ['local', 'aws', 'azure', 'container', 'cloud-run', 'target'],
  }),
  azure: Flags.boolean({
    summary: 'Target Azure Functions.',
    exclusive: ['local', 'aws', 'gcp', 'container', 'cloud-run', 'target'],
  }),
  container: Flags.boolean({
    summary: 'Target a container on this machine (Docker or Podman); with package, write its build context.',
    exclusive: ['local', 'aws', 'gcp', 'azure', 'cloud-run', 'target'],
  }),
  'cloud-run': Flags.boolean({
    summary: 'Target Google Cloud Run: a container built by Cloud Build (--set image=REF, gpu, cpu, concurrency...).',
    exclusive: ['local', 'aws', 'gcp', 'azure', 'container', 'target'],
  }),
  target: Flags.string({
    summary: 'The target with this id (third-party targets too).',
    exclusive: ['local', 'aws', 'gcp', 'azure', 'container', 'cloud-run'],
  }),
  region: Flags.string({ summary: 'Cloud region.' }),
  memory: Flags.integer({ summary: 'Memory in MB.', min: 128 }),
  timeout: Flags.string({ summary: 'Request timeout: seconds (60) or a duration (90s, 5m), as everywhere in kagg.' }),
  public: Flags.boolean({
    summary: 'Anyone with the URL may call it (default for cloud targets).',
    exclusive: ['private'],
  }),
  private: Flags.boolean({ summary: 'Callers must authenticate (IAM, function key).', exclusive: ['public'] }),
  set: Flags.string({ summary: 'A target-specific setting, key=value (repeatable).', multiple: true }),
};

/** For the commands that need a target: consent to installing its missing first-party plugin. */
export const installFlags = {
  yes: Flags.boolean({
    char: 'y',
    summary: "Install the target's plugin without asking when it is missing (e.g. @kagg/plugin-aws for --aws).",
  }),
};

interface TargetFlagValues {
  local?: boolean;
  aws?: boolean;
  gcp?: boolean;
  azure?: boolean;
  container?: boolean;
  'cloud-run'?: boolean;
  target?: string;
  region?: string;
  memory?: number;
  timeout?: string;
  public?: boolean;
  private?: boolean;
  set?: string[];
}

export function targetChoiceFrom(flags: TargetFlagValues): TargetChoice {
  const shortcut = shortcuts.find((s) => flags[s]);
  const common: Record<string, unknown> = {};
  if (flags.region !== undefined) common.region = flags.region;
  if (flags.memory !== undefined) common.memory = flags.memory;
  // Targets take whole seconds.
  if (flags.timeout !== undefined) common.timeout = Math.ceil(parseDuration(flags.timeout, '--timeout') / 1000);
  if (flags.public) common.public = true;
  if (flags.private) common.public = false;
  const target = shortcut ?? flags.target;
  return { ...(target ? { target } : {}), common, set: flags.set ?? [] };
}

/** `--env KEY=VALUE` pairs as an object. */
export function envFrom(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) {
      throw usageError(`--env expects KEY=VALUE with a valid variable name, got "${pair.split('=')[0]}=…"`);
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
