/**
 * A target's settings, from three layers in order of precedence: the common flags of `kagg deploy`
 * (`--region --memory --timeout --public/--private`), then `--set key=value`, then the `targets.<id>`
 * section of the settings file. A setting the schema marks `secret: true` may also come from the
 * environment variable it names (`env`), after `--set` and before the settings file. The result is
 * validated against the target's `optionsSchema`; every secret value is masked in all output.
 */
import type { DeployTarget } from '@kagg/plugin-api';
import { registerSecret } from '../config/redact.js';
import { KaggError, usageError } from '../errors/index.js';
import { compileSchema, describeErrors } from '../schema/index.js';

export interface TargetOptionInputs {
  /** Values of the common flags that the user actually gave. */
  common: Record<string, unknown>;
  /** `--set key=value` pairs, values parsed as JSON when they parse, else kept as strings. */
  set: string[];
  /** The settings file's `targets.<id>` section. */
  fromSettings?: Record<string, unknown>;
  /** Where `env`-named secrets are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * For operations on an existing endpoint (describe, destroy, logs, invocation, doctor): a schema
   * error is not fatal (a `required` setting may have come from a flag at deploy time); the target
   * gets what there is.
   */
  partial?: boolean;
}

/** A setting the schema marks `secret: true`, and the environment variable it may come from. */
export interface SecretSetting {
  key: string;
  env?: string;
}

export function secretSettings(target: Pick<DeployTarget, 'optionsSchema'>): SecretSetting[] {
  const properties = (target.optionsSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties)
    .filter(([, p]) => p?.secret === true)
    .map(([key, p]) => (typeof p.env === 'string' ? { key, env: p.env } : { key }));
}

/** The secret values among a target's settings (those long enough to mask). */
export function secretValues(target: Pick<DeployTarget, 'optionsSchema'>, options: Record<string, unknown>): string[] {
  return secretSettings(target)
    .map(({ key }) => options[key])
    .filter((v): v is string => typeof v === 'string' && v.length >= 6);
}

/**
 * Refuses what a target hands back for the registry (a plain file) when it holds one of its secret
 * settings: nothing with the secret is written.
 */
export function refuseSecrets(target: DeployTarget, secrets: string[], value: unknown, what: string): void {
  const text = JSON.stringify(value) ?? '';
  if (secrets.some((secret) => text.includes(secret))) {
    throw new KaggError(
      `the ${target.id} target put a secret setting in ${what}; kagg did not record it in the endpoint registry`,
      {
        code: 'TARGET_SECRET_IN_REGISTRY',
        action: `this is a bug in the plugin of the ${target.id} target: report it to its maintainers`,
      },
    );
  }
}

function parseSet(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[key] = value;
  }
  return out;
}

export async function resolveTargetOptions(
  target: DeployTarget,
  inputs: TargetOptionInputs,
): Promise<Record<string, unknown>> {
  const env = inputs.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  for (const { key, env: name } of secretSettings(target)) {
    if (name && env[name]) fromEnv[key] = env[name];
  }
  const merged: Record<string, unknown> = {
    ...(inputs.fromSettings ?? {}),
    ...fromEnv,
    ...parseSet(inputs.set),
    ...Object.fromEntries(Object.entries(inputs.common).filter(([, v]) => v !== undefined)),
  };
  for (const secret of secretValues(target, merged)) registerSecret(secret);
  const check = await compileSchema<Record<string, unknown>>(target.optionsSchema);
  if (!check(merged) && !inputs.partial) {
    throw usageError(`invalid settings for the ${target.id} target: ${describeErrors(check.errors).join('; ')}`, {
      code: 'TARGET_OPTIONS_INVALID',
      action: `the ${target.id} target accepts: ${Object.keys((target.optionsSchema.properties as object) ?? {}).join(', ') || 'no settings'}`,
    });
  }
  return merged;
}
