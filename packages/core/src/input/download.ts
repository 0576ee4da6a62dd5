/**
 * Downloading a notebook over HTTP with a size cap and a timeout. The body is streamed and cut off
 * at the cap, so a huge or endless response cannot exhaust memory.
 */
import { KaggError } from '../errors/index.js';

export async function downloadText(
  url: string,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<{ text: string; contentType: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(limits.timeoutMs),
      headers: { accept: 'application/x-ipynb+json, application/json;q=0.9, text/plain;q=0.8, */*;q=0.1' },
    });
  } catch (error) {
    throw new KaggError(`could not download ${url}: ${(error as Error).message}`, { code: 'INPUT_DOWNLOAD_FAILED' });
  }
  if (!response.ok) {
    throw new KaggError(`could not download ${url}: HTTP ${response.status} ${response.statusText}`, {
      code: 'INPUT_DOWNLOAD_FAILED',
    });
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    throw new KaggError(`${url} is ${declared} bytes, over the ${limits.maxBytes} byte limit`, {
      code: 'INPUT_TOO_LARGE',
    });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limits.maxBytes) {
      throw new KaggError(`${url} is larger than the ${limits.maxBytes} byte limit`, { code: 'INPUT_TOO_LARGE' });
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), contentType: response.headers.get('content-type') ?? '' };
}
