/**
 * The strict fake of `gcloud run deploy --source`'s APIs (Cloud Storage upload, Artifact Registry,
 * Cloud Build, Cloud Run Admin v2, service URLs) for tests: `startCloudRunFake()`.
 */
export {
  type CloudRunFake,
  type CloudRunFakeOptions,
  type CloudRunFakeService,
  type CloudRunRecordedRequest,
  parseDockerfile,
  startCloudRunFake,
} from './gcp/cloud-run.js';
