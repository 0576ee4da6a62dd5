export {
  createHttpClient,
  type DownloadProgress,
  type DownloadRequest,
  type DownloadResult,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  httpTimeoutMs,
  ResponseHeaders,
  type ResponseType,
  type RetryInfo,
  safeUrl,
} from './client.js';
export { type GotBundle, loadGot } from './got.js';
export { createProxyAgents, proxyConfigured, proxyForUrl } from './proxy.js';
export { type Clock, RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { backoffDelay, sleep } from './retry.js';
