import type { DeployTarget } from '@kagg/plugin-api';
import { cloudRunTarget } from '../cloud-run/target.js';
import { gcpTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `gcp` and `cloud-run` targets. */
export default async function targets(): Promise<DeployTarget[]> {
  return [gcpTarget as unknown as DeployTarget, cloudRunTarget as unknown as DeployTarget];
}
