/** @kagg/plugin-gcp: the `gcp` (Cloud Functions 2nd gen) and `cloud-run` deploy targets. */
export { credentialSource, type GcpSeam, identityToken, resolveProject } from './clients.js';
export { CONFIG_LABEL, REPOSITORY, serviceTemplate, sourceTarball } from './cloud-run/deploy.js';
export {
  CLOUD_RUN_NAMING,
  type CloudRunOptions,
  cloudRunOptionsSchema,
  resolveCloudRunOptions,
  serviceIdOf,
} from './cloud-run/options.js';
export { cloudRunTarget, createCloudRunTarget } from './cloud-run/target.js';
export { INVOKER_ROLE, labelValueOf, serviceChanges, sourceHash, stateOf } from './deploy.js';
export {
  functionIdOf,
  GCF_NAMING,
  type GcpOptions,
  type GcpRuntime,
  gcpOptionsSchema,
  RESERVED_ENV_KEYS,
  resolveGcpOptions,
} from './options.js';
export { ENTRY_POINT, FUNCTIONS_FRAMEWORK, MAIN_FILE, packageForGcf, requirementsTxt } from './package.js';
export { isStatus, statusOf } from './session.js';
export { createGcpTarget, gcpTarget } from './target.js';
