import type { DeployTarget } from '@kagg/plugin-api';
import { awsTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `aws` target. */
export default async function targets(): Promise<DeployTarget[]> {
  return [awsTarget as unknown as DeployTarget];
}
