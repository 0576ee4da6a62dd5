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
export { NAME_PATTERN, type PreparedBundle, type PrepareOptions, prepareBundle } from './prepare.js';
