/** @kagg/plugin-aws: the `aws` deploy target (AWS Lambda behind a Function URL). */
export { type AwsClients, type AwsLimits, type AwsSeam, LAMBDA_LIMITS, resolveRegion } from './clients.js';
export { codeSha256, configChanges } from './deploy.js';
export type { DestroyOptions } from './lifecycle.js';
export {
  type Architecture,
  type AwsOptions,
  awsOptionsSchema,
  functionNameOf,
  type PythonRuntime,
  resolveAwsOptions,
} from './options.js';
export {
  HANDLER,
  HANDLER_FILE,
  packageForLambda,
  pipDownloadArgs,
  platformTags,
  vendorRequirements,
  wheelFiles,
} from './package.js';
export { BASIC_EXECUTION_POLICY, INVOKE_SID, ROLE_NAME, TRUST_POLICY, URL_SID } from './session.js';
export { requestSigner } from './sign.js';
export { awsTarget, createAwsTarget } from './target.js';
