/** @kagg/plugin-gcp: the `gcp` deploy target (Google Cloud Functions 2nd gen). */
export { credentialSource, type GcpSeam, identityToken, resolveProject } from './clients.js';
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
