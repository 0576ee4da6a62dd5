/**
 * The OAuth credentials file of `kaggle auth login` (~/.kaggle/credentials.json), used as kagglesdk's
 * KaggleCredentials does: the cached access token while it is fresh, else a new one from
 * `users.AccountService/GenerateAccessToken` (12 h, API_VERSION_V1) written back to the file (mode 0600,
 * the same keys). Differences on purpose: kagg refreshes 30 minutes *before* expiry (kagglesdk only 30
 * minutes after it, so it can send a dead token), and a refused refresh token is skipped with a reason
 * rather than deleting the user's file. Tokens are registered for redaction and never printed.
 */
import { registerSecret } from '../config/redact.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { HttpClient } from '../http/client.js';
import type { OAuthCredentials } from './auth.js';

const LIFETIME_SECONDS = 12 * 3600;
const MARGIN_MS = 30 * 60_000;

export type OAuthResult = { token: string; username?: string; warning?: string } | { refused: string };

/** Python's isoformat for an aware UTC datetime (what kagglesdk writes and reads back). */
function isoUtc(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

export async function oauthAccessToken(
  oauth: OAuthCredentials,
  options: { http: HttpClient; baseUrl: string; signal?: AbortSignal; now?: Date },
): Promise<OAuthResult> {
  const now = options.now ?? new Date();
  const expires = oauth.expiration ? Date.parse(oauth.expiration) : Number.NaN;
  if (oauth.accessToken && Number.isFinite(expires) && expires - MARGIN_MS > now.getTime()) {
    return { token: oauth.accessToken, ...(oauth.username ? { username: oauth.username } : {}) };
  }
  const res = await options.http.request({
    method: 'POST',
    url: `${options.baseUrl}/users.AccountService/GenerateAccessToken`,
    json: {
      refreshToken: oauth.refreshToken,
      apiVersion: 'API_VERSION_V1',
      expirationDuration: `${LIFETIME_SECONDS}s`,
    },
    idempotent: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (res.status >= 400 && res.status < 500)
    return { refused: `Kaggle refused its refresh token (HTTP ${res.status}); run \`kaggle auth login\` again` };
  const body = (res.body ?? {}) as { token?: unknown; expiresIn?: unknown; userName?: unknown };
  if (res.status >= 300 || typeof body.token !== 'string' || !body.token)
    return { refused: `GenerateAccessToken answered HTTP ${res.status} without a token` };
  registerSecret(body.token);
  const lifetime = typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : LIFETIME_SECONDS;
  const username = typeof body.userName === 'string' && body.userName ? body.userName : oauth.username;
  const data = {
    refresh_token: oauth.refreshToken,
    access_token: body.token,
    access_token_expiration: isoUtc(new Date(now.getTime() + lifetime * 1000)),
    username: username ?? '',
    scopes: oauth.scopes,
  };
  let warning: string | undefined;
  try {
    await writeFileAtomic(oauth.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
  } catch (error) {
    warning = `The refreshed access token could not be saved to ${oauth.file} (${(error as Error).message}); it is used for this run only.`;
  }
  return { token: body.token, ...(username ? { username } : {}), ...(warning ? { warning } : {}) };
}
