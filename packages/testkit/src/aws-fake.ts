/** The strict AWS fake (IAM, Lambda, S3, Function URLs) for tests: `startAwsFake()`. */

export { bundleOf, type CellSpec, notebookJson, type RecordingContext, recordingContext } from './aws/fixtures.js';
export { buildEvent, mapResult } from './aws/function-url.js';
export {
  type AwsFake,
  type AwsFakeOptions,
  type AwsFakeState,
  type FakeFunction,
  type RecordedRequest,
  startAwsFake,
  WRITE_OPERATIONS,
} from './aws/server.js';
export { parseAuthorization, verifySignature } from './aws/sigv4.js';
