import type { TargetsHook } from '@kagg/plugin-api';
import { containerTarget } from '../target.js';

/** The `kagg:targets` hook: this plugin contributes the `container` target. */
const targets: TargetsHook = async () => [containerTarget];

export default targets;
