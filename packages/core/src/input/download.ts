/**
 * Downloading a notebook with kagg's HTTP client (timeouts, retries on 429/5xx) and a size cap that
 * cuts the body off, so a huge or endless response cannot exhaust memory.
 */
import { KaggError } from '../errors/index.js';
import { createHttpClient } from '../http/client.js';

export async function downloadText(
  url: string,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<{ text: string; contentType: string }> {
  const response = await createHttpClient({ timeoutMs: limits.timeoutMs }).request({
    url,
    responseType: 'text',
    maxBytes: limits.maxBytes,
    headers: { accept: 'application/x-ipynb+json, application/json;q=0.9, text/plain;q=0.8, */*;q=0.1' },
  });
  if (response.status < 200 || response.status >= 300) {
    throw new KaggError(`could not download ${url}: HTTP ${response.status}`, { code: 'INPUT_DOWNLOAD_FAILED' });
  }
  return { text: response.text, contentType: response.headers.get('content-type') ?? '' };
}
