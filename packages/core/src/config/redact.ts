/**
 * Redaction of secrets in everything kagg prints or writes. Code that loads a secret (a Kaggle key,
 * a token, a function key) registers it once; every output path runs text through `redact`.
 * Patterns catch the common carriers even for secrets kagg never saw (Authorization headers,
 * `key=`/`code=` query parameters, passwords in URLs).
 */
import { secretRegistry } from '@kagg/plugin-api/kit';

/** One set for kagg and every plugin's copy of @kagg/plugin-api/kit (`registerSecret` there). */
const secrets = secretRegistry();
const MASK = '****';

/** Registers a secret value so that it never appears in output. Values shorter than 6 chars are ignored. */
export { registerSecret } from '@kagg/plugin-api/kit';

const patterns: Array<[RegExp, string]> = [
  [/\b(authorization\s*[:=]\s*"?(?:basic|bearer)\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
  [/\b(x-functions-key|x-amz-security-token|x-api-key)(\s*[:=]\s*"?)[^\s",]+/gi, `$1$2${MASK}`],
  [/([?&](?:code|key|sig|signature|token|access_token|X-Amz-Signature|X-Amz-Credential)=)[^&\s"']+/gi, `$1${MASK}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${MASK}@`],
  [/\bKGAT_[A-Za-z0-9_]{8,}/g, `KGAT_${MASK}`],
];

/** Returns `text` with every registered secret and every recognised credential pattern masked. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}

/** Deeply redacts every string inside a JSON-like value (for `--json` output and the registry). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v);
    return out as T;
  }
  return value;
}
