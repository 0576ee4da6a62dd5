/**
 * Downloading a notebook with kagg's HTTP client (timeouts, retries on 429/5xx) and a size cap that
 * cuts the body off, so a huge or endless response cannot exhaust memory.
 */
import { KaggError } from '../errors/index.js';
import { createHttpClient, safeUrl } from '../http/client.js';
import { isLoopbackHost } from './urls.js';

/**
 * A redirect is followed only where the URL itself would be accepted (https, or http on a loopback
 * host), and one from a loopback host only to a loopback host: a local server sending kagg elsewhere is refused
 * before any connection to the new host.
 */
function checkRedirect(url: string, from: string, to: string): void {
  const source = new URL(from);
  const target = new URL(to);
  const accepted = target.protocol === 'https:' || (target.protocol === 'http:' && isLoopbackHost(target.hostname));
  if (accepted && !(isLoopbackHost(source.hostname) && !isLoopbackHost(target.hostname))) return;
  throw new KaggError(
    `${safeUrl(url)} redirects to ${safeUrl(to)}, which kagg does not follow: a redirect must stay on https, and one from a loopback host on a loopback host`,
    {
      code: 'INPUT_REDIRECT_REFUSED',
      action: 'if you trust the new location, pass its URL to kagg yourself',
      details: { url: safeUrl(url), location: safeUrl(to) },
    },
  );
}

export async function downloadText(
  url: string,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<{ text: string; contentType: string }> {
  const response = await createHttpClient({ timeoutMs: limits.timeoutMs }).request({
    url,
    responseType: 'text',
    maxBytes: limits.maxBytes,
    checkRedirect: (from, to) => checkRedirect(url, from, to),
    headers: { accept: 'application/x-ipynb+json, application/json;q=0.9, text/plain;q=0.8, */*;q=0.1' },
  });
  if (response.status < 200 || response.status >= 300) {
    throw new KaggError(`could not download ${url}: HTTP ${response.status}`, { code: 'INPUT_DOWNLOAD_FAILED' });
  }
  return { text: response.text, contentType: response.headers.get('content-type') ?? '' };
}
