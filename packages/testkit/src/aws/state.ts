/** The in-memory world of the AWS fake: roles, functions, their URLs and policies, S3 objects. */
import type { PythonWorker } from './worker.js';

export interface FakeRole {
  name: string;
  arn: string;
  roleId: string;
  path: string;
  createDate: string;
  assumeRolePolicyDocument: string;
  attachedPolicies: string[];
  tags: Record<string, string>;
  /** CreateFunction calls naming this role that still fail with the propagation error. */
  propagationFailuresLeft: number;
}

export interface FakeStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface FakeUrlConfig {
  authType: 'NONE' | 'AWS_IAM';
  urlId: string;
  creationTime: string;
  lastModifiedTime: string;
  cors?: unknown;
  invokeMode: string;
}

export interface FakeFunction {
  name: string;
  arn: string;
  region: string;
  role: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  architectures: string[];
  environment: Record<string, string>;
  ephemeralStorage: number;
  description: string;
  zip: Uint8Array;
  codeSha256: string;
  codeSize: number;
  unzippedSize: number;
  lastModified: string;
  revisionId: string;
  state: 'Pending' | 'Active' | 'Failed';
  lastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  /** GetFunction polls left before Pending/InProgress settles. */
  pollsLeft: number;
  /** Bumped on every code or configuration change: one warm worker per version. */
  version: number;
  url?: FakeUrlConfig;
  statements: FakeStatement[];
  tags: Record<string, string>;
  worker?: PythonWorker;
  workerVersion?: number;
}

export interface FakeLogEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
  logStreamName: string;
  eventId: string;
}

export interface FakeLogGroup {
  name: string;
  arn: string;
  creationTime: number;
  tags: Record<string, string>;
  events: FakeLogEvent[];
}

export interface AwsFakeState {
  accountId: string;
  /** CloudWatch Logs groups by name. */
  logGroups: Map<string, FakeLogGroup>;
  roles: Map<string, FakeRole>;
  functions: Map<string, FakeFunction>;
  /** bucket → key → bytes. */
  buckets: Map<string, Map<string, Uint8Array>>;
}

export interface RecordedRequest {
  /** Which part of the fake answered: iam, lambda, s3, url (the function URL), or unknown. */
  service: 'iam' | 'lambda' | 's3' | 'logs' | 'url' | 'unknown';
  /** IAM action or Lambda operation name when known (GetRole, CreateFunction, AddPermission...). */
  operation?: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
  status?: number;
}

/** Operations that change state: a no-op deploy must make none of them. */
export const WRITE_OPERATIONS = new Set([
  'CreateRole',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'DeleteRole',
  'CreateFunction',
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'DeleteFunction',
  'CreateFunctionUrlConfig',
  'UpdateFunctionUrlConfig',
  'DeleteFunctionUrlConfig',
  'AddPermission',
  'TagResource',
  'CreateLogGroup',
  'DeleteLogGroup',
  'RemovePermission',
  'PutObject',
  'CreateBucket',
]);

/**
 * Regions of the aws partition. A request signed for another region reaches no host on AWS (there
 * is no `lambda.<region>.amazonaws.com`): the fake drops the connection, as DNS would fail.
 */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
]);

/** Environment variables the Lambda runtime sets itself: CreateFunction and updates refuse them. */
export const RESERVED_ENV_KEYS: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);
