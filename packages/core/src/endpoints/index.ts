export { formatEvent, type LogsRequest, readLogs, sinceTime } from './logs.js';
export {
  describeEndpoint,
  destroyEndpoint,
  type EndpointDeps,
  endpointLogs,
  type InvokeRequest,
  type InvokeResult,
  invokeEndpoint,
  type ResolvedInvocation,
  resolveInvocation,
} from './operations.js';
