export {
  type DiscoveredTargets,
  discoverTargets,
  FIRST_PARTY_TARGETS,
  requireTarget,
  type TargetProblem,
} from './discover.js';
export { ensureTarget, installTargetPlugin, notInstalledError, type TargetInstaller } from './install.js';
export { resolveTargetOptions, type TargetOptionInputs } from './options.js';
