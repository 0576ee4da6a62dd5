export {
  describeEndpoint,
  destroyEndpoint,
  type EndpointDeps,
  endpointLogs,
  type InvokeRequest,
  type InvokeResult,
  invokeEndpoint,
} from './operations.js';
