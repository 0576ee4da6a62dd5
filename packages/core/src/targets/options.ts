/**
 * A target's settings, from three layers in order of precedence: the common flags of `kagg deploy`
 * (`--region --memory --timeout --public/--private`), then `--set key=value`, then the `targets.<id>`
 * section of the settings file. The result is validated against the target's `optionsSchema`.
 */
import type { DeployTarget } from '@kagg/plugin-api';
import { usageError } from '../errors/index.js';
import { compileSchema, describeErrors } from '../schema/index.js';

export interface TargetOptionInputs {
  /** Values of the common flags that the user actually gave. */
  common: Record<string, unknown>;
  /** `--set key=value` pairs, values parsed as JSON when they parse, else kept as strings. */
  set: string[];
  /** The settings file's `targets.<id>` section. */
  fromSettings?: Record<string, unknown>;
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
  const merged: Record<string, unknown> = {
    ...(inputs.fromSettings ?? {}),
    ...parseSet(inputs.set),
    ...Object.fromEntries(Object.entries(inputs.common).filter(([, v]) => v !== undefined)),
  };
  const check = await compileSchema<Record<string, unknown>>(target.optionsSchema);
  if (!check(merged)) {
    throw usageError(`invalid settings for the ${target.id} target: ${describeErrors(check.errors).join('; ')}`, {
      code: 'TARGET_OPTIONS_INVALID',
      action: `the ${target.id} target accepts: ${Object.keys((target.optionsSchema.properties as object) ?? {}).join(', ') || 'no settings'}`,
    });
  }
  return merged;
}
