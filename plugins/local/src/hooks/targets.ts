import type { TargetsHook } from '@kagg/plugin-api';
import { localTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `local` target. */
const targets: TargetsHook = async () => [localTarget];

export default targets;
