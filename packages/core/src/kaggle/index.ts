export {
  authorizationHeader,
  type CredentialCandidate,
  type CredentialDescription,
  type CredentialLookup,
  describeKaggleCredentials,
  findKaggleCredentials,
  type KaggleCredentials,
  kaggleDownloadRoot,
  kaggleJsonPath,
  type OAuthCredentials,
  oauthCredentialsPath,
} from './auth.js';
export {
  type Authentication,
  type CallOptions,
  type CredentialAttempt,
  createKaggleClient,
  DEFAULT_KAGGLE_API_URL,
  KaggleClient,
  type KaggleClientOptions,
  kaggleRateLimiter,
} from './client.js';
export { codeFileName, detectKernelKind, kernelText } from './code-file.js';
export {
  type AcceleratorQuota,
  acceleratorQuota,
  cancelKernelSession,
  deleteKernel,
  followKernelLog,
  initKernel,
  type KernelFile,
  type KernelFilesResult,
  kernelLog,
  type LogEvent,
  listKernelFiles,
  metadataTemplate,
} from './kernels.js';
export {
  KERNEL_TYPES,
  LANGUAGES,
  type ListOptions,
  type ListResult,
  listKernels,
  listKernelsRequest,
  OUTPUT_TYPES,
  SORT_BY,
} from './list.js';
export {
  type KernelMetadataFile,
  kernelMetadataSchema,
  METADATA_FILE,
  metadataForBareFile,
  pulledMetadataJson,
  saveKernelRequest,
  validateKernelMetadata,
} from './metadata.js';
export {
  type DownloadOutputsOptions,
  downloadKernelOutputs,
  downloadOutputs,
  type KernelOutputResult,
  type OutputFileResult,
  type OutputsOptions,
  type OutputsResult,
} from './output.js';
export { createLimit, failureActions } from './parallel.js';
export { errorBodyMessage, isTerminal, logToText, normalizeEnum, parseStatus } from './parse.js';
export {
  lastRunLabel,
  loadPickerPage,
  PICKER_LISTS,
  type PickerListId,
  type PickerPage,
  type PickKernelOptions,
  pickerRow,
  pickKernel,
} from './picker.js';
export {
  fetchKernelNotebook,
  type KernelNotebook,
  kernelIdFromFolder,
  type PullManyResult,
  type PullOptions,
  type PullResult,
  pullKernel,
  pullKernels,
} from './pull.js';
export { type PreparedPush, type PushOptions, type PushResult, preparePush, pushKernel, sendPush } from './push.js';
export { type FullKernelRef, formatRef, type KernelRef, parseKernelRef, requireKernelRef } from './ref.js';
export { type RunOptions, type RunResult, runKernel } from './run.js';
export { confinedPath, unsafeNameReason } from './safe-path.js';
export { slugify, titleFromSlug } from './slug.js';
export { kernelStatus, type StatusResult } from './status.js';
export type * from './types.js';
