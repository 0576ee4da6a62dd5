export {
  type ChatExchange,
  type ChatIo,
  type ChatOptions,
  type ChatResult,
  type ChatTurn,
  chatLoop,
  REPLY_KEYS,
  replyText,
  type SendRequest,
  type SendResult,
  sendText,
} from './chat.js';
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
