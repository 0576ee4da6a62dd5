/**
 * The Kaggle RPC client: `POST {base}/kernels.KernelsApiService/<Method>` with a camelCase JSON body
 * (contracts/kaggle-api.md §2). Base URL from `KAGG_KAGGLE_API_URL` (default https://api.kaggle.com/v1).
 * All clients of a process share one rate limiter (`KAGG_KAGGLE_RATE` requests per second).
 * Errors become KaggErrors that say what went wrong in the user's terms; credentials never leave
 * this module except in the Authorization header of API calls (never to storage URLs).
 */
import { KaggError } from '../errors/index.js';
import {
  createHttpClient,
  type DownloadProgress,
  type HttpClient,
  type HttpResponse,
  type RetryInfo,
} from '../http/client.js';
import { RateLimiter } from '../http/rate-limiter.js';
import {
  authorizationHeader,
  type CredentialCandidate,
  findKaggleCredentials,
  type KaggleCredentials,
  kaggleJsonPath,
  type OAuthCredentials,
} from './auth.js';
import { oauthAccessToken } from './oauth.js';
import {
  asObject,
  errorBodyMessage,
  parseBlob,
  parseKernelInfo,
  parseOutputPage,
  parseSaveResult,
  parseSessionStatus,
} from './parse.js';
import { type FullKernelRef, formatRef, type KernelRef } from './ref.js';
import type {
  KernelBlob,
  KernelInfo,
  ListKernelsRequest,
  OutputPage,
  SaveKernelRequest,
  SaveKernelResult,
  SessionStatus,
} from './types.js';

export const DEFAULT_KAGGLE_API_URL = 'https://api.kaggle.com/v1';
const SERVICE = 'kernels.KernelsApiService';

let sharedLimiter: RateLimiter | undefined;

/** The process-wide rate limiter of Kaggle traffic (`KAGG_KAGGLE_RATE` req/s, `KAGG_KAGGLE_BURST`). */
export function kaggleRateLimiter(): RateLimiter {
  if (!sharedLimiter) {
    const rate = Number(process.env.KAGG_KAGGLE_RATE);
    const burst = Number(process.env.KAGG_KAGGLE_BURST);
    sharedLimiter = new RateLimiter({
      ratePerSecond: Number.isFinite(rate) && rate > 0 ? rate : 10,
      burst: Number.isFinite(burst) && burst >= 1 ? burst : 2,
    });
  }
  return sharedLimiter;
}

export interface KaggleClientOptions {
  /** API base (default `KAGG_KAGGLE_API_URL` or https://api.kaggle.com/v1). */
  baseUrl?: string;
  /** Credentials to use (default: looked up from `env`). */
  credentials?: KaggleCredentials;
  /** Environment for the credential look-up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** HTTP client (default: kagg's client with the shared Kaggle rate limiter). */
  http?: HttpClient;
  /** Receives warnings such as a world-readable kaggle.json. */
  onWarning?: (message: string) => void;
  /** Receives each retry (for progress displays). */
  onRetry?: (info: RetryInfo) => void;
  /** Receives the progress of output downloads (a progress display). */
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Aborts every call in flight (and its retries) when it fires, e.g. on Ctrl-C. */
  signal?: AbortSignal;
}

/** One credential source the client considered, and what became of it (for `kagg doctor`). */
export interface CredentialAttempt {
  source: string;
  kind: 'bearer' | 'basic' | 'oauth';
  /** `used`, or why it was skipped. */
  outcome: 'used' | 'skipped';
  reason?: string;
}

export interface Authentication {
  credentials: KaggleCredentials;
  attempts: CredentialAttempt[];
}

export interface CallOptions {
  /** Repeating the call is harmless (reads). SaveKernel is not. */
  idempotent?: boolean;
  /** The kernel the call is about: 403/404 become "not found or no access" naming it. */
  kernel?: FullKernelRef;
}

export class KaggleClient {
  readonly baseUrl: string;
  readonly http: HttpClient;
  private readonly env: NodeJS.ProcessEnv;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly signal: AbortSignal | undefined;
  private creds: KaggleCredentials | undefined;
  private searched: string[] = [];
  private user: Promise<string> | undefined;
  private auth: Promise<Authentication> | undefined;

  constructor(options: KaggleClientOptions = {}) {
    this.env = options.env ?? process.env;
    this.baseUrl = (options.baseUrl ?? (this.env.KAGG_KAGGLE_API_URL || DEFAULT_KAGGLE_API_URL)).replace(/\/+$/, '');
    this.http =
      options.http ??
      createHttpClient({
        rateLimiter: kaggleRateLimiter(),
        onRetry: options.onRetry,
        onDownloadProgress: options.onDownloadProgress,
      });
    this.creds = options.credentials;
    this.onWarning = options.onWarning;
    this.signal = options.signal;
  }

  /**
   * The credentials to use, chosen as the official CLI does: the first token found is validated with
   * IntrospectToken and skipped when inactive or refused (HTTP 400/401/403/404); then the legacy key
   * (used as is); then the OAuth credentials file, whose access token is refreshed when missing or
   * expiring. Throws a KaggError naming every place looked at, and why each was skipped, when none is left.
   */
  authenticate(): Promise<Authentication> {
    this.auth ??= this.chooseCredentials();
    return this.auth;
  }

  private async chooseCredentials(): Promise<Authentication> {
    if (this.creds) return { credentials: this.creds, attempts: [] };
    const found = findKaggleCredentials(this.env);
    this.searched = found.searched;
    for (const w of found.warnings) this.onWarning?.(w);
    const attempts: CredentialAttempt[] = [];
    for (const candidate of found.candidates) {
      const skip = (reason: string) => {
        attempts.push({ source: candidate.source, kind: candidate.kind, outcome: 'skipped', reason });
        this.onWarning?.(`Kaggle credentials from ${candidate.source} skipped: ${reason}.`);
      };
      const chosen = await this.tryCandidate(candidate).catch((error: unknown) => {
        if (error instanceof Skip) return error;
        throw error;
      });
      if (chosen instanceof Skip) {
        skip(chosen.message);
        continue;
      }
      attempts.push({ source: candidate.source, kind: candidate.kind, outcome: 'used' });
      this.creds = chosen;
      return { credentials: chosen, attempts };
    }
    const why = attempts.map((a) => `${a.source}: ${a.reason}`).join('; ');
    throw new KaggError(
      found.candidates.length === 0
        ? `No Kaggle credentials found. Looked in: ${found.searched.join(', ')}.`
        : `No usable Kaggle credentials (${why}). Looked in: ${found.searched.join(', ')}.`,
      {
        code: found.candidates.length === 0 ? 'KAGGLE_NO_CREDENTIALS' : 'KAGGLE_UNAUTHORIZED',
        action: `Create an API token at https://www.kaggle.com/settings and set KAGGLE_API_TOKEN, or save kaggle.json as ${kaggleJsonPath(this.env)} (chmod 600).`,
        details: { searched: found.searched, attempts },
      },
    );
  }

  private async tryCandidate(candidate: CredentialCandidate): Promise<KaggleCredentials> {
    if (candidate.kind === 'basic') return candidate;
    if (candidate.kind === 'oauth') return this.fromOAuth(candidate);
    const username = await this.introspect(candidate);
    return { ...candidate, username };
  }

  /** The token's owner, or a Skip when Kaggle says it is inactive or refuses it. */
  private async introspect(creds: KaggleCredentials & { kind: 'bearer' }): Promise<string> {
    const res = await this.http.request({
      method: 'POST',
      url: `${this.baseUrl}/security.OAuthService/IntrospectToken`,
      headers: { authorization: authorizationHeader(creds) },
      json: { token: creds.token },
      idempotent: true,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if ([400, 401, 403, 404].includes(res.status)) throw new Skip(`Kaggle refused the token (HTTP ${res.status})`);
    if (res.status < 200 || res.status >= 300) throw this.errorFor('IntrospectToken', res, undefined);
    const o = asObject(res.body);
    if (o.active !== true || typeof o.username !== 'string' || !o.username)
      throw new Skip('Kaggle says the token is not active (expired or revoked)');
    return o.username;
  }

  private async fromOAuth(oauth: OAuthCredentials): Promise<KaggleCredentials> {
    const result = await oauthAccessToken(oauth, {
      http: this.http,
      baseUrl: this.baseUrl,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if ('refused' in result) throw new Skip(result.refused);
    if (result.warning) this.onWarning?.(result.warning);
    return {
      kind: 'bearer',
      token: result.token,
      source: oauth.source,
      ...(result.username ? { username: result.username } : {}),
    };
  }

  /** The user the credentials belong to. */
  async username(): Promise<string> {
    const { credentials } = await this.authenticate();
    if (credentials.kind === 'basic') return credentials.username;
    if (credentials.username) return credentials.username;
    const creds = credentials;
    this.user ??= this.post('security.OAuthService/IntrospectToken', { token: creds.token }, { idempotent: true }).then(
      (body) => {
        const o = asObject(body);
        if (o.active === false || typeof o.username !== 'string' || !o.username) {
          throw new KaggError(`The Kaggle token from ${creds.source} is not active.`, {
            code: 'KAGGLE_UNAUTHORIZED',
            action: 'Create a new API token at https://www.kaggle.com/settings.',
          });
        }
        return o.username;
      },
    );
    return this.user;
  }

  /** Fills in the owner of a bare slug with the current user. */
  async resolve(ref: KernelRef): Promise<FullKernelRef> {
    return {
      owner: ref.owner ?? (await this.username()),
      slug: ref.slug,
      ...(ref.version ? { version: ref.version } : {}),
    };
  }

  /** One RPC of the kernels service. Returns the parsed JSON body of a successful answer. */
  call(method: string, body: Record<string, unknown>, options: CallOptions = {}): Promise<unknown> {
    return this.post(`${SERVICE}/${method}`, body, options);
  }

  private async post(path: string, body: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const { credentials: creds } = await this.authenticate();
    const res = await this.http.request({
      method: 'POST',
      url: `${this.baseUrl}/${path}`,
      headers: { authorization: authorizationHeader(creds) },
      json: body,
      idempotent: options.idempotent ?? true,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    const method = path.split('/').pop() ?? path;
    const codeInBody = asObject(res.body).code;
    if (res.status >= 200 && res.status < 300 && !(typeof codeInBody === 'number' && codeInBody >= 400)) {
      return res.body ?? {};
    }
    throw this.errorFor(method, res, options.kernel);
  }

  private errorFor(method: string, res: HttpResponse, kernel: FullKernelRef | undefined): KaggError {
    const parsed = errorBodyMessage(res.body, res.text);
    const status = res.status >= 400 ? res.status : (parsed.code ?? res.status);
    const said = parsed.message ? `: ${parsed.message}` : '';
    const details = {
      status,
      method,
      ...(parsed.status ? { reason: parsed.status } : {}),
      ...(kernel ? { kernel: formatRef(kernel) } : {}),
    };
    if (status === 401) {
      const creds = this.creds;
      const searched = this.searched.length > 0 ? this.searched : findKaggleCredentials(this.env).searched;
      return new KaggError(
        `Kaggle rejected the credentials from ${creds?.source ?? 'the environment'} (HTTP 401${said}). Credentials are looked for in: ${searched.join(', ')}.`,
        {
          code: 'KAGGLE_UNAUTHORIZED',
          action:
            'Check the token or key (a new one can be made at https://www.kaggle.com/settings), then run `kagg doctor`.',
          details,
        },
      );
    }
    if ((status === 403 || status === 404) && kernel) {
      return new KaggError(
        `Kernel ${formatRef(kernel)} was not found or you have no access to it (HTTP ${status}${said}).`,
        {
          code: 'KAGGLE_NOT_FOUND',
          action:
            'Check the owner and slug (kagg list --user <owner>); private kernels are visible only to their owner and collaborators.',
          details,
        },
      );
    }
    if (status === 429) {
      return new KaggError(
        `Kaggle kept answering "too many requests" to ${method} (HTTP 429${said}), even after retries.`,
        {
          code: 'KAGGLE_RATE_LIMITED',
          action: 'Wait a minute and retry, or lower KAGG_KAGGLE_RATE.',
          details,
        },
      );
    }
    return new KaggError(
      `Kaggle API ${method} failed: HTTP ${status}${said || ` (${res.text.slice(0, 200) || 'empty body'})`}`,
      {
        code: status >= 500 ? 'KAGGLE_SERVER_ERROR' : 'KAGGLE_API_ERROR',
        details,
      },
    );
  }

  async listKernels(request: ListKernelsRequest): Promise<KernelInfo[]> {
    const body = asObject(await this.call('ListKernels', { ...request }));
    const kernels = Array.isArray(body.kernels) ? body.kernels : [];
    return kernels.map(parseKernelInfo);
  }

  async getKernel(ref: FullKernelRef): Promise<{ metadata: KernelInfo; blob: KernelBlob }> {
    const request: Record<string, unknown> = { userName: ref.owner, kernelSlug: ref.slug };
    // kagglesdk ApiGetKernelRequest.versionLabel: Kaggle wants "v<N>" (a bare N, or slug/N, is refused).
    if (ref.version) request.versionLabel = `v${ref.version}`;
    const body = asObject(await this.call('GetKernel', request, { kernel: ref }));
    return { metadata: parseKernelInfo(body.metadata), blob: parseBlob(body.blob) };
  }

  /** SaveKernel is not idempotent: it is retried only on 429 and on connections refused before sending. */
  async saveKernel(request: SaveKernelRequest): Promise<SaveKernelResult> {
    return parseSaveResult(await this.call('SaveKernel', { ...request }, { idempotent: false }));
  }

  async getSessionStatus(ref: FullKernelRef): Promise<SessionStatus> {
    return parseSessionStatus(
      await this.call('GetKernelSessionStatus', { userName: ref.owner, kernelSlug: ref.slug }, { kernel: ref }),
    );
  }

  async listSessionOutput(ref: FullKernelRef, pageToken?: string, pageSize = 200): Promise<OutputPage> {
    const body: Record<string, unknown> = { userName: ref.owner, kernelSlug: ref.slug, pageSize };
    if (ref.version) body.versionLabel = `v${ref.version}`;
    if (pageToken) body.pageToken = pageToken;
    return parseOutputPage(await this.call('ListKernelSessionOutput', body, { kernel: ref }));
  }
}

/** A credential source to pass over, with the reason. */
class Skip extends Error {}

export function createKaggleClient(options: KaggleClientOptions = {}): KaggleClient {
  return new KaggleClient(options);
}
