import type { DeployTarget } from '@kagg/plugin-api';
import { localTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `local` target. */
export default async function targets(): Promise<DeployTarget[]> {
  return [localTarget as unknown as DeployTarget];
}
