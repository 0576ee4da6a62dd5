export { type ContextDeps, operationContext } from './context.js';
export {
  chooseTargetId,
  type DeployDeps,
  type DeployRequest,
  type DeployResult,
  deployNotebook,
  loadTarget,
  packageNotebook,
  type TargetChoice,
} from './deploy.js';
export { canonicalJson, deploymentFingerprint, pluginDigest, runtimeDigest } from './fingerprint.js';
export {
  applyTransforms,
  NAME_PATTERN,
  NO_SCAN_WARNING,
  type PreparedBundle,
  type PrepareOptions,
  prepareBundle,
  type TransformOutcome,
} from './prepare.js';
