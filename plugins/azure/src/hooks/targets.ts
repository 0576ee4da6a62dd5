import type { DeployTarget } from '@kagg/plugin-api';
import { azureTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `azure` target. */
export default async function targets(): Promise<DeployTarget[]> {
  return [azureTarget as unknown as DeployTarget];
}
