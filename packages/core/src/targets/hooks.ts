/** kagg's hooks, run through oclif with their types from @kagg/plugin-api (`KaggHooks`): no casts. */
import type { KaggHooks } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import type { Hooks } from '@oclif/core/interfaces';

export function runKaggHook<E extends keyof KaggHooks>(
  config: Pick<Config, 'runHook'>,
  event: E,
  options: KaggHooks[E]['options'],
) {
  return config.runHook<E, Hooks & KaggHooks>(event, options);
}
