/** The strict Google Cloud fake (Cloud Functions v2, Cloud Run IAM, function URLs) for tests: `startGcpFake()`. */
export {
  type GcpFake,
  type GcpFakeFunction,
  type GcpFakeOptions,
  type GcpRecordedRequest,
  startGcpFake,
} from './gcp/server.js';
