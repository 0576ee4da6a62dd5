import type { DeployTarget } from '@kagg/plugin-api';
import { gcpTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `gcp` target. */
export default async function targets(): Promise<DeployTarget[]> {
  return [gcpTarget as unknown as DeployTarget];
}
