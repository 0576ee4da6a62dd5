/**
 * kagg's settings file, KAGG_HOME/config.json: the default target, how missing target plugins are
 * installed, and per-target settings (`targets.<id>`), the lowest layer under `--set` and flags.
 */
import { readFile } from 'node:fs/promises';
import { KaggError } from '../errors/index.js';
import { compileSchema, describeErrors } from '../schema/index.js';
import { kaggPaths } from './home.js';

export interface Settings {
  defaultTarget?: string;
  /** What to do when a first-party target's plugin is missing. */
  install?: 'auto' | 'prompt' | 'never';
  targets?: Record<string, Record<string, unknown>>;
}

export const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultTarget: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    install: { enum: ['auto', 'prompt', 'never'] },
    targets: { type: 'object', additionalProperties: { type: 'object' } },
  },
} as const;

export async function loadSettings(file = kaggPaths().configFile): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KaggError(`the settings file ${file} is not valid JSON: ${(error as Error).message}`, {
      code: 'SETTINGS_INVALID',
      action: `fix ${file} (kagg does not rewrite it)`,
    });
  }
  const check = await compileSchema<Settings>(settingsSchema);
  if (!check(data)) {
    throw new KaggError(`the settings file ${file} is invalid: ${describeErrors(check.errors).join('; ')}`, {
      code: 'SETTINGS_INVALID',
      action: `fix ${file}`,
    });
  }
  return data;
}
