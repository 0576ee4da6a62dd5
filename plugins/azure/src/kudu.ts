/**
 * Code deployment through the app's SCM (Kudu) host (contract §4.5): One Deploy `/api/publish` with
 * a remote build, Bearer ARM token, then the deployment polled until its `status` is terminal —
 * the HTTP status says nothing about the build. A failed build is reported with its log.
 */
import { KaggError } from '@kagg/core/errors';
import { createHttpClient, sleep } from '@kagg/core/http';
import { type AzureSession, pollMsOf } from './arm.js';

const STATUS: Record<number, string> = {
  [-1]: 'Cancelled',
  0: 'Pending',
  1: 'Building',
  2: 'Deploying',
  3: 'Failed',
  4: 'Success',
  5: 'Conflict',
  6: 'PartialSuccess',
};

interface KuduDeployment {
  status?: number;
  status_text?: string;
  complete?: boolean;
  log_url?: string;
}

export async function publish(
  s: AzureSession,
  scmHost: string,
  site: string,
  zip: Uint8Array,
  deadlineMs = 30 * 60_000,
): Promise<void> {
  const http = createHttpClient({ retries: 2 });
  const headers = async () => ({ authorization: `Bearer ${await s.token()}` });
  const base = `https://${scmHost}`;
  s.ctx.progress('uploading the package (One Deploy, remote build)', `${(zip.byteLength / 1024).toFixed(0)} KiB`);
  const posted = await http.request<unknown>({
    method: 'POST',
    url: `${base}/api/publish?RemoteBuild=true&Deployer=kagg&isAsync=true`,
    headers: { ...(await headers()), 'content-type': 'application/zip', 'if-match': '*' },
    body: zip,
    idempotent: false,
    signal: s.ctx.signal,
  });
  if (posted.status >= 400) {
    throw new KaggError(`Kudu refused the package for ${site}: HTTP ${posted.status} ${posted.text.slice(0, 300)}`, {
      code: posted.status === 401 || posted.status === 403 ? 'AZURE_AUTH' : 'AZURE_DEPLOY_FAILED',
      action: 'check that your account may deploy to the app (Website Contributor), then run kagg deploy again',
    });
  }
  const id = posted.text.trim().replace(/^"|"$/g, '');
  if (!/^[\w-]+$/.test(id))
    throw new KaggError(`Kudu did not return a deployment id for ${site}`, { code: 'AZURE_DEPLOY_FAILED' });
  const started = Date.now();
  for (;;) {
    const res = await http.request<KuduDeployment>({
      url: `${base}/api/deployments/${id}`,
      headers: await headers(),
      signal: s.ctx.signal,
    });
    const d = res.body ?? {};
    const status = typeof d.status === 'number' ? d.status : 0;
    if (status === 4) return;
    if (status === 3 || status === -1 || status === 5 || status === 6) {
      const log = d.log_url ? await buildLog(http, d.log_url, await headers(), s.ctx.signal) : '';
      throw new KaggError(
        `the remote build of ${site} ended ${STATUS[status]} (${d.status_text ?? ''})${log ? `:\n${log}` : ''}`,
        {
          code: 'AZURE_BUILD_FAILED',
          action:
            'fix what the build log says (often a requirement pip cannot install on Linux), then run kagg deploy again',
        },
      );
    }
    if (Date.now() - started > deadlineMs)
      throw new KaggError(`the deployment of ${site} did not finish in time (last status ${STATUS[status]})`, {
        code: 'AZURE_DEPLOY_TIMEOUT',
      });
    s.ctx.progress('waiting for the remote build', STATUS[status] ?? String(status));
    await sleep(pollMsOf(s.seam), s.ctx.signal);
  }
}

async function buildLog(
  http: ReturnType<typeof createHttpClient>,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<string> {
  const res = await http.request<Array<{ message?: string }>>({ url, headers, signal }).catch(() => undefined);
  if (!res || !Array.isArray(res.body)) return '';
  return res.body
    .map((line) => line.message ?? '')
    .filter(Boolean)
    .slice(-40)
    .join('\n');
}
