/**
 * The Azure session of one operation: the subscription, a credential (KAGG_AZURE_ACCESS_TOKEN, else
 * @azure/identity's DefaultAzureCredential), the three ARM clients pointed at KAGG_AZURE_ARM_ENDPOINT
 * (else management.azure.com), loaded lazily, and Azure's errors turned into messages that say what to fix.
 */

import type { WebSiteManagementClient } from '@azure/arm-appservice';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import { registerSecret } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import type { OperationContext } from '@kagg/plugin-api';

export const ARM_SCOPE = 'https://management.azure.com/.default';

/** Tests and embedders: the environment to read (default process.env) and poll interval. */
export interface AzureSeam {
  env?: NodeJS.ProcessEnv;
  pollMs?: number;
}

export function envOf(seam: AzureSeam): NodeJS.ProcessEnv {
  return seam.env ?? process.env;
}

export function pollMsOf(seam: AzureSeam): number {
  const fromEnv = Number(envOf(seam).KAGG_AZURE_POLL_MS);
  return seam.pollMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2000);
}

export function subscriptionOf(option: string | undefined, seam: AzureSeam): string {
  const id = option ?? envOf(seam).AZURE_SUBSCRIPTION_ID;
  if (!id) {
    throw new KaggError('no Azure subscription is set', {
      code: 'AZURE_SUBSCRIPTION_REQUIRED',
      exitCode: 2,
      action: 'set AZURE_SUBSCRIPTION_ID, or pass --set subscription=<id> (az account show --query id)',
    });
  }
  return id;
}

function credentialOf(seam: AzureSeam): Promise<TokenCredential> | TokenCredential {
  const token = envOf(seam).KAGG_AZURE_ACCESS_TOKEN;
  if (token) {
    registerSecret(token);
    return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  }
  return import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
}

/** Where a message error body says what went wrong: ARM's `{error:{code,message}}` or Web's `{Code,Message}`. */
export function azureErrorOf(error: unknown): { status?: number; code?: string; message: string } {
  const e = error as { statusCode?: number; code?: string; message?: string; response?: { bodyAsText?: string } };
  let code = e.code;
  let message = e.message ?? String(error);
  const text = e.response?.bodyAsText;
  if (text) {
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string }; Code?: string; Message?: string };
      code = body.error?.code ?? body.Code ?? code;
      message = body.error?.message ?? body.Message ?? message;
    } catch {
      message = text.slice(0, 500) || message;
    }
  }
  return { ...(e.statusCode ? { status: e.statusCode } : {}), ...(code ? { code } : {}), message };
}

export class AzureSession {
  readonly endpoint: string;
  private clientsPromise?: Promise<{
    resources: ResourceManagementClient;
    storage: StorageManagementClient;
    web: WebSiteManagementClient;
  }>;
  private credential?: Promise<TokenCredential>;
  private timeoutMs = 0;

  constructor(
    readonly subscription: string,
    readonly seam: AzureSeam,
    readonly ctx: Pick<OperationContext, 'progress' | 'signal'>,
  ) {
    this.endpoint = (envOf(seam).KAGG_AZURE_ARM_ENDPOINT ?? 'https://management.azure.com').replace(/\/+$/, '');
  }

  private cred(): Promise<TokenCredential> {
    this.credential ??= Promise.resolve(credentialOf(this.seam));
    return this.credential;
  }

  /** A bearer token for the SCM (Kudu) host: the same scope as ARM (contract §4.5). */
  async token(): Promise<string> {
    const got = await (await this.cred()).getToken(ARM_SCOPE, { abortSignal: this.ctx.signal });
    if (!got?.token) throw new KaggError('no Azure access token', { code: 'AZURE_AUTH', action: 'run `az login`' });
    registerSecret(got.token);
    return got.token;
  }

  clients() {
    this.clientsPromise ??= (async () => {
      const credential = await this.cred();
      const [{ ResourceManagementClient }, { StorageManagementClient }, { WebSiteManagementClient }] =
        await Promise.all([
          import('@azure/arm-resources'),
          import('@azure/arm-storage'),
          import('@azure/arm-appservice'),
        ]);
      const { httpTimeoutMs } = await import('@kagg/core/http');
      const timeout = httpTimeoutMs();
      // The Azure clients wait forever by default: a server that never answers would hang kagg.
      const options = {
        endpoint: this.endpoint,
        retryOptions: { maxRetries: 2 },
        additionalPolicies: [
          {
            position: 'perRetry' as const,
            policy: {
              name: 'kaggTimeout',
              sendRequest: (request: PipelineRequest, next: SendRequest) => {
                request.timeout ||= timeout;
                return next(request);
              },
            },
          },
        ],
      };
      this.timeoutMs = timeout;
      return {
        resources: new ResourceManagementClient(credential, this.subscription, options),
        storage: new StorageManagementClient(credential, this.subscription, options),
        web: new WebSiteManagementClient(credential, this.subscription, options),
      };
    })();
    return this.clientsPromise;
  }

  /** Runs one ARM call; 404 gives undefined when `missingOk`, any other failure a KaggError naming the call. */
  async call<T>(what: string, run: () => Promise<T>, missingOk = false): Promise<T | undefined> {
    this.ctx.signal.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      this.ctx.signal.throwIfAborted();
      const e = azureErrorOf(error);
      if (missingOk && e.status === 404 && e.code !== 'SubscriptionNotFound') return undefined;
      throw this.explain(e, what);
    }
  }

  async must<T>(what: string, run: () => Promise<T>): Promise<T> {
    return (await this.call(what, run)) as T;
  }

  explain(e: { status?: number; code?: string; message: string }, what: string): KaggError {
    const detail = `${what}: ${e.code ? `${e.code}: ` : ''}${e.message}`;
    if (e.code === 'SubscriptionNotFound')
      return new KaggError(`Azure subscription ${this.subscription} was not found (${detail})`, {
        code: 'AZURE_SUBSCRIPTION_NOT_FOUND',
        action: 'check AZURE_SUBSCRIPTION_ID or --set subscription (az account list -o table)',
      });
    if (e.status === 401 || e.status === 403 || /AuthenticationToken|AuthorizationFailed/.test(e.code ?? ''))
      return new KaggError(`Azure refused the credentials (${detail})`, {
        code: 'AZURE_AUTH',
        action:
          'sign in again with `az login` (or refresh KAGG_AZURE_ACCESS_TOKEN), and check the role on the subscription',
      });
    if (
      e.status === undefined &&
      (e.code === 'REQUEST_SEND_ERROR' || /^E[A-Z]+$/.test(e.code ?? '') || /aborted/i.test(e.message))
    ) {
      const why = /aborted/i.test(e.message) ? `no answer within ${this.timeoutMs} ms` : (e.code ?? e.message);
      return new KaggError(`could not reach ${this.endpoint} for ${what} (${why})`, {
        code: 'AZURE_UNREACHABLE',
        action: 'check the network and KAGG_AZURE_ARM_ENDPOINT if set, then run the same command again',
      });
    }
    return new KaggError(`Azure ${detail}`, { code: 'AZURE_CALL_FAILED' });
  }
}
