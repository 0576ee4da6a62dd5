/** The post-deploy health call: GET the Function URL until it answers 2xx, or say why not. */
import { setTimeout as sleep } from 'node:timers/promises';
import { KaggError } from '@kagg/core/errors';
import type { InvocationRequest } from '@kagg/plugin-api';

export interface HealthOptions {
  url: string;
  sign?: (request: InvocationRequest) => Promise<Record<string, string>>;
  deadlineMs: number;
  pollMs: number;
  signal: AbortSignal;
  functionName: string;
}

export async function waitUntilAnswering(o: HealthOptions): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + o.deadlineMs;
  let last = 'no answer yet';
  let delay = o.pollMs;
  for (;;) {
    o.signal.throwIfAborted();
    try {
      const headers = o.sign ? await o.sign({ method: 'GET', url: o.url, headers: {}, body: '' }) : {};
      const res = await fetch(o.url, {
        headers,
        signal: AbortSignal.any([o.signal, AbortSignal.timeout(Math.max(5000, Math.min(30_000, o.deadlineMs)))]),
      });
      const body = await res.text();
      if (res.ok) return { status: res.status, body };
      if (res.status === 500) {
        let parsed: { error?: unknown; type?: unknown } | undefined;
        try {
          parsed = JSON.parse(body) as { error?: unknown; type?: unknown };
        } catch {
          parsed = undefined;
        }
        if (parsed && typeof parsed.error === 'string') {
          throw new KaggError(
            `the function is deployed but the notebook failed at start-up: ${parsed.type ?? 'Error'}: ${parsed.error}`,
            {
              code: 'AWS_NOTEBOOK_FAILED',
              action: `see the function's logs (\`kagg logs\`, or CloudWatch log group /aws/lambda/${o.functionName}), fix the notebook and deploy again`,
            },
          );
        }
      }
      last = `HTTP ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`;
    } catch (error) {
      if (error instanceof KaggError || o.signal.aborted) throw error;
      last = (error as Error).message;
    }
    if (Date.now() + delay > deadline) {
      throw new KaggError(
        `the Function URL ${o.url} did not answer its health call within ${Math.round(o.deadlineMs / 1000)} s (last: ${last})`,
        {
          code: 'AWS_HEALTH_TIMEOUT',
          action: `run \`kagg deploy\` again (it resumes), or read CloudWatch log group /aws/lambda/${o.functionName}`,
        },
      );
    }
    await sleep(delay, undefined, { signal: o.signal });
    delay = Math.min(delay * 2, o.pollMs * 5);
  }
}
