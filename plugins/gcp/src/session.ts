/**
 * One deploy's (or destroy's) conversation with Google: the clients, where it happens, errors turned
 * into KaggErrors that say what to fix, and long-running operations polled under kagg's own deadline
 * (google-gax's poller has none, contract §3.4).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KaggError } from '@kagg/core/errors';
import type { OperationContext } from '@kagg/plugin-api';
import { credentialSource, envOf, type GcpClients, type GcpSeam, openClients, timingOf } from './clients.js';

type Ctx = Pick<OperationContext, 'progress' | 'signal'> & { log?: OperationContext['log'] };

const STATUS = [
  'ALREADY_EXISTS',
  'NOT_FOUND',
  'ABORTED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
] as const;
export type GcpStatus = (typeof STATUS)[number] | 'UNKNOWN';

/**
 * The canonical status of a Google API error: @google-cloud/functions 5.x hands back gRPC codes,
 * 4.x the HTTP status with the JSON body as message (contract §3.5); both are understood.
 */
export function statusOf(error: unknown): GcpStatus {
  const e = error as { code?: unknown; message?: unknown; status?: unknown } | undefined;
  const text = `${typeof e?.status === 'string' ? e.status : ''} ${typeof e?.message === 'string' ? e.message : ''}`;
  const named = STATUS.find((s) => new RegExp(`\\b${s}\\b`).test(text));
  if (named) return named;
  switch (e?.code) {
    case 5:
    case 404:
      return 'NOT_FOUND';
    case 6:
      return 'ALREADY_EXISTS';
    case 409:
      return /concurrent/i.test(text) ? 'ABORTED' : 'ALREADY_EXISTS';
    case 10:
      return 'ABORTED';
    case 16:
    case 401:
      return 'UNAUTHENTICATED';
    case 7:
    case 403:
      return 'PERMISSION_DENIED';
    case 3:
    case 400:
      return 'INVALID_ARGUMENT';
    case 9:
    case 412:
      return 'FAILED_PRECONDITION';
    default:
      return 'UNKNOWN';
  }
}

export function isStatus(error: unknown, ...statuses: GcpStatus[]): boolean {
  return statuses.includes(statusOf(error));
}

/** The error's own message without the JSON wrapping 4.x clients put around it. */
function messageOf(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  try {
    const parsed = JSON.parse(message) as { error?: { message?: string } };
    return parsed.error?.message ?? message;
  } catch {
    return message.replace(/^\d+\s+[A-Z_]+:\s*/, '');
  }
}

/** "Location X is not found…": the region, not the resource, is missing. */
function isLocationMissing(message: string): boolean {
  return /\blocation [a-z0-9-]+ (is not found|is not available|not found)/i.test(message);
}

interface LongRunning {
  name?: string | null;
  done?: boolean | null;
  error?: { code?: number | null; message?: string | null } | null;
}

/** What a session's errors tell the user to check: the APIs it calls and the role they need. */
export interface GcpApis {
  product: string;
  apis: string;
  role: string;
}
const FUNCTIONS_APIS: GcpApis = {
  product: 'Cloud Functions (2nd gen)',
  apis: 'the Cloud Functions and Cloud Run APIs',
  role: 'roles/cloudfunctions.developer',
};

export class GcpSession<C extends { close(): Promise<void> } = GcpClients> {
  readonly timing: { pollMs: number; operationMs: number };

  private constructor(
    readonly clients: C,
    readonly project: string,
    readonly region: string,
    readonly seam: GcpSeam,
    readonly ctx: Ctx,
    private readonly apis: GcpApis,
  ) {
    this.timing = timingOf(seam);
  }

  /** Refuses to send a user's ADC token to a non-Google endpoint, and never lets ADC run against one. */
  static open(project: string, region: string, seam: GcpSeam, ctx: Ctx): Promise<GcpSession> {
    return GcpSession.openWith(project, region, seam, ctx, openClients, FUNCTIONS_APIS);
  }

  /** A session over other clients (`opener` builds them once the checks pass). */
  static async openWith<T extends { close(): Promise<void> }>(
    project: string,
    region: string,
    seam: GcpSeam,
    ctx: Ctx,
    opener: (seam: GcpSeam) => Promise<T>,
    apis: GcpApis,
  ): Promise<GcpSession<T>> {
    const env = envOf(seam);
    if (env.KAGG_GCP_API_ENDPOINT && !env.KAGG_GCP_ACCESS_TOKEN) {
      throw new KaggError(
        `KAGG_GCP_API_ENDPOINT is set (${env.KAGG_GCP_API_ENDPOINT}) but KAGG_GCP_ACCESS_TOKEN is not`,
        {
          code: 'GCP_TOKEN_MISSING',
          action:
            'set KAGG_GCP_ACCESS_TOKEN to the token that endpoint accepts (kagg never sends your Google credentials to another endpoint), or unset KAGG_GCP_API_ENDPOINT',
        },
      );
    }
    ctx.signal.throwIfAborted();
    return new GcpSession(await opener(seam), project, region, seam, ctx, apis);
  }

  get parent(): string {
    return `projects/${this.project}/locations/${this.region}`;
  }

  functionName(id: string): string {
    return `${this.parent}/functions/${id}`;
  }

  explain(error: unknown, operation: string): KaggError {
    if (error instanceof KaggError || (error as Error)?.name === 'KaggError') return error as KaggError;
    if ((error as Error)?.name === 'AbortError' || this.ctx.signal.aborted) return error as KaggError;
    const status = statusOf(error);
    const message = messageOf(error);
    const source = credentialSource(this.seam);
    if (
      status === 'UNAUTHENTICATED' ||
      /default credentials|invalid_grant|Could not refresh access token/i.test(message)
    ) {
      return new KaggError(`Google rejected the credentials from ${source}: ${message} (${operation})`, {
        code: 'GCP_CREDENTIALS_INVALID',
        action:
          'run `gcloud auth application-default login` (or refresh KAGG_GCP_ACCESS_TOKEN, e.g. `gcloud auth print-access-token`), then `kagg doctor`',
        cause: error,
      });
    }
    if (status === 'PERMISSION_DENIED') {
      return new KaggError(`Google refused ${operation} in project ${this.project}: ${message}`, {
        code: 'GCP_PERMISSION_DENIED',
        action: `check the project id (--set project=, GOOGLE_CLOUD_PROJECT), that ${this.apis.apis} are enabled in it, and that the credentials from ${source} may deploy there (${this.apis.role})`,
        cause: error,
      });
    }
    if (status === 'NOT_FOUND' && isLocationMissing(message)) {
      return new KaggError(`${this.apis.product} is not available in region ${this.region}: ${message}`, {
        code: 'GCP_REGION_UNAVAILABLE',
        action: `pick a region that has ${this.apis.product}, e.g. --region us-central1 or --region europe-west1`,
        cause: error,
      });
    }
    if (
      status === 'UNKNOWN' &&
      /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|Deadline exceeded|timed? ?out|network/i.test(message)
    ) {
      const endpoint = envOf(this.seam).KAGG_GCP_API_ENDPOINT || 'https://cloudfunctions.googleapis.com';
      return new KaggError(`could not reach ${endpoint} for ${operation}: ${message}`, {
        code: 'GCP_UNREACHABLE',
        action: 'check the network and KAGG_GCP_API_ENDPOINT if set, then run the same command again',
        cause: error,
      });
    }
    return new KaggError(`${operation} failed: ${message}`, { code: 'GCP_CALL_FAILED', cause: error });
  }

  /** Runs one API call; `missingOk`: NOT_FOUND gives undefined. */
  async call<T>(operation: string, run: () => Promise<T>, missingOk = false): Promise<T | undefined> {
    this.ctx.signal.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      if (missingOk && isStatus(error, 'NOT_FOUND') && !isLocationMissing(messageOf(error))) return undefined;
      throw this.explain(error, operation);
    }
  }

  async must<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return (await this.call(operation, run)) as T;
  }

  async pause(ms = this.timing.pollMs): Promise<void> {
    await sleep(ms, undefined, { signal: this.ctx.signal });
  }

  /**
   * Polls a long-running operation until done, under kagg's deadline; returns its error, if any.
   * `operations`: the operations client of the API that started it (each API has its own host).
   */
  async waitOperation(
    operations: { getOperation(request: never): Promise<unknown> },
    name: string,
    what: string,
  ): Promise<{ code?: number; message: string } | undefined> {
    const deadline = Date.now() + this.timing.operationMs;
    for (;;) {
      const [op] = (await this.must(`getOperation (${what})`, () =>
        operations.getOperation({ name } as never),
      )) as unknown as [LongRunning];
      if (op.done) return op.error ? { code: op.error.code ?? undefined, message: op.error.message ?? '' } : undefined;
      if (Date.now() + this.timing.pollMs > deadline) {
        throw new KaggError(
          `${what} did not finish within ${Math.round(this.timing.operationMs / 1000)} s (operation ${name})`,
          {
            code: 'GCP_OPERATION_TIMEOUT',
            action: 'run `kagg deploy` again later: it resumes, and `kagg describe` shows the state meanwhile',
          },
        );
      }
      this.ctx.log?.debug(`${what}: operation ${name} still running`);
      await this.pause();
    }
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}
