/**
 * Kaggle credentials, looked up in the official CLI's order (contracts/kaggle-api.md §1):
 *   1. inside a Kaggle notebook: the file named by KAGGLE_API_V1_TOKEN          → Bearer
 *   2. KAGGLE_API_TOKEN (the token, or the path of a file holding it)          → Bearer
 *   3. ~/.kaggle/access_token, then ~/.kaggle/access_token.txt                  → Bearer
 *   4. KAGGLE_USERNAME + KAGGLE_KEY, completed by kaggle.json                   → Basic
 *      (kaggle.json: $KAGGLE_CONFIG_DIR, else ~/.kaggle, else on Linux when ~/.kaggle does not exist
 *      ${XDG_CONFIG_HOME:-~/.config}/kaggle)
 *   5. ~/.kaggle/credentials.json (OAuth, from `kaggle auth login`)            → Bearer, refreshed
 * As the official CLI does, only the first token of 1–3 is a candidate; the client validates it with
 * IntrospectToken and falls back to 4, then 5, when it is inactive or refused (client.ts authenticate).
 * Every secret found is registered for redaction at once. A kaggle.json readable by group or others
 * gives a warning (as the official CLI does), not a failure.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '../config/redact.js';

export type KaggleCredentials =
  | { kind: 'bearer'; token: string; source: string; username?: string }
  | { kind: 'basic'; username: string; key: string; source: string };

/** The OAuth credentials file of `kaggle auth login` (kagglesdk kaggle_creds.py), as read. */
export interface OAuthCredentials {
  kind: 'oauth';
  source: string;
  file: string;
  refreshToken: string;
  accessToken?: string;
  /** ISO date the access token expires. */
  expiration?: string;
  username?: string;
  scopes: string[];
}

export type CredentialCandidate = KaggleCredentials | OAuthCredentials;

export interface CredentialLookup {
  /** The first candidate that is not an OAuth file (what is used without validation). */
  credentials: KaggleCredentials | undefined;
  /** Every source found, in the order the client tries them. */
  candidates: CredentialCandidate[];
  /** Every place looked at, in order (for error messages and `kagg doctor`). */
  searched: string[];
  warnings: string[];
}

export type CredentialDescription =
  | { source: string; kind: 'bearer' | 'basic'; username?: string; warnings: string[] }
  | { missing: true; searched: string[]; warnings: string[] };

function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

function readTrimmed(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where kaggle.json is, by the official CLI's rule (whether or not it exists). */
export function kaggleJsonPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAGGLE_CONFIG_DIR) return path.join(env.KAGGLE_CONFIG_DIR, 'kaggle.json');
  const home = homeDir(env);
  const dotKaggle = path.join(home, '.kaggle');
  if (process.platform === 'linux' && !existsSync(dotKaggle)) {
    return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'kaggle', 'kaggle.json');
  }
  return path.join(dotKaggle, 'kaggle.json');
}

function bearer(token: string, source: string): KaggleCredentials {
  registerSecret(token);
  return { kind: 'bearer', token, source };
}

/** Looks for Kaggle credentials. Never throws; `credentials` is undefined when none were found. */
export function findKaggleCredentials(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const searched: string[] = [];
  const warnings: string[] = [];
  const candidates: CredentialCandidate[] = [];
  const token = findToken(env, searched, warnings);
  if (token) candidates.push(token);
  const basic = findKey(env, searched, warnings);
  if (basic) candidates.push(basic);
  const oauth = findOAuth(env, searched, warnings);
  if (oauth) candidates.push(oauth);
  const credentials = candidates.find((c): c is KaggleCredentials => c.kind !== 'oauth');
  return { credentials, candidates, searched, warnings };
}

/** Where `kaggle auth login` keeps its OAuth credentials (hard-coded to ~/.kaggle by kagglesdk). */
export function oauthCredentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(homeDir(env), '.kaggle', 'credentials.json');
}

function findOAuth(env: NodeJS.ProcessEnv, searched: string[], warnings: string[]): OAuthCredentials | undefined {
  const file = oauthCredentialsPath(env);
  searched.push(file);
  if (!existsSync(file)) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    warnings.push(`${file} is not valid JSON (${(error as Error).message}); it was ignored.`);
    return undefined;
  }
  const str = (k: string) => (typeof data[k] === 'string' && data[k] !== '' ? (data[k] as string) : undefined);
  const refreshToken = str('refresh_token');
  if (!refreshToken) {
    warnings.push(`${file} has no refresh_token; it was ignored (run \`kaggle auth login\` again).`);
    return undefined;
  }
  registerSecret(refreshToken);
  const accessToken = str('access_token');
  if (accessToken) registerSecret(accessToken);
  const expiration = str('access_token_expiration');
  const username = str('username');
  return {
    kind: 'oauth',
    source: file,
    file,
    refreshToken,
    ...(accessToken ? { accessToken } : {}),
    ...(expiration ? { expiration } : {}),
    ...(username ? { username } : {}),
    scopes: Array.isArray(data.scopes) ? data.scopes.filter((x): x is string => typeof x === 'string') : [],
  };
}

function findToken(env: NodeJS.ProcessEnv, searched: string[], warnings: string[]): KaggleCredentials | undefined {
  if (env.KAGGLE_KERNEL_RUN_TYPE && env.KAGGLE_API_V1_TOKEN) {
    searched.push(`KAGGLE_API_V1_TOKEN (${env.KAGGLE_API_V1_TOKEN})`);
    const token = readTrimmed(env.KAGGLE_API_V1_TOKEN);
    if (token) return bearer(token, 'KAGGLE_API_V1_TOKEN');
  }

  searched.push('KAGGLE_API_TOKEN');
  const envToken = env.KAGGLE_API_TOKEN?.trim();
  if (envToken) {
    if (isFile(envToken)) {
      const token = readTrimmed(envToken);
      if (token) return bearer(token, `KAGGLE_API_TOKEN (file ${envToken})`);
      warnings.push(`KAGGLE_API_TOKEN names the file ${envToken}, which is empty.`);
    } else {
      return bearer(envToken, 'KAGGLE_API_TOKEN');
    }
  }

  const home = homeDir(env);
  for (const name of ['access_token', 'access_token.txt']) {
    const file = path.join(home, '.kaggle', name);
    searched.push(file);
    const token = readTrimmed(file);
    if (token) return bearer(token, file);
  }
  return undefined;
}

function findKey(env: NodeJS.ProcessEnv, searched: string[], warnings: string[]): KaggleCredentials | undefined {
  searched.push('KAGGLE_USERNAME + KAGGLE_KEY');
  let username = env.KAGGLE_USERNAME?.trim() || undefined;
  let key = env.KAGGLE_KEY?.trim() || undefined;
  const sources: string[] = [];
  if (username || key)
    sources.push(username && key ? 'KAGGLE_USERNAME + KAGGLE_KEY' : username ? 'KAGGLE_USERNAME' : 'KAGGLE_KEY');
  if (!(username && key)) {
    const file = kaggleJsonPath(env);
    searched.push(file);
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { username?: unknown; key?: unknown };
        if (typeof parsed.key === 'string') registerSecret(parsed.key);
        if (!username && typeof parsed.username === 'string' && parsed.username) username = parsed.username;
        if (!key && typeof parsed.key === 'string' && parsed.key) key = parsed.key;
        sources.push(file);
        if (process.platform !== 'win32') {
          const mode = statSync(file).mode;
          if (mode & 0o044) {
            warnings.push(
              `Your Kaggle API key is readable by other users on this system. To fix it: chmod 600 ${file}`,
            );
          }
        }
      } catch (error) {
        warnings.push(`${file} is not valid JSON (${(error as Error).message}); it was ignored.`);
      }
    }
  }
  if (username && key) {
    registerSecret(key);
    registerSecret(Buffer.from(`${username}:${key}`).toString('base64'));
    return { kind: 'basic', username, key, source: sources.join(' + ') };
  }
  return undefined;
}

/** The `Authorization` header value for these credentials. */
export function authorizationHeader(credentials: KaggleCredentials): string {
  if (credentials.kind === 'bearer') return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.key}`).toString('base64')}`;
}

/** Where the credentials would come from without asking the server, never their value. */
export function describeKaggleCredentials(env: NodeJS.ProcessEnv = process.env): CredentialDescription {
  const { candidates, searched, warnings } = findKaggleCredentials(env);
  const first = candidates[0];
  if (!first) return { missing: true, searched, warnings };
  return {
    source: first.source,
    kind: first.kind === 'basic' ? 'basic' : 'bearer',
    ...(first.kind === 'basic' ? { username: first.username } : {}),
    warnings,
  };
}

/**
 * The official CLI's download root: `KAGGLE_PATH`, else `path` in kaggle.json; undefined when neither
 * is set (then pull and output write into the current folder, as the official CLI does).
 */
export function kaggleDownloadRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KAGGLE_PATH?.trim()) return env.KAGGLE_PATH.trim();
  try {
    const parsed = JSON.parse(readFileSync(kaggleJsonPath(env), 'utf8')) as { path?: unknown };
    return typeof parsed.path === 'string' && parsed.path.trim() ? parsed.path.trim() : undefined;
  } catch {
    return undefined;
  }
}
