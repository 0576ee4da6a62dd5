export {
  type DiscoveredTargets,
  discoverTargets,
  FIRST_PARTY_TARGETS,
  requireTarget,
  type TargetProblem,
} from './discover.js';
export { resolveTargetOptions, type TargetOptionInputs } from './options.js';
