export {
  createHttpClient,
  type DownloadRequest,
  type DownloadResult,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type ResponseType,
  type RetryInfo,
  safeUrl,
} from './client.js';
export { type Clock, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { backoffDelay, classifyNetworkError, isRetryableStatus, parseRetryAfter, sleep } from './retry.js';
