import type { TargetsHook } from '@kagg/plugin-api';
import { awsTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `aws` target. */
const targets: TargetsHook = async () => [awsTarget];

export default targets;
