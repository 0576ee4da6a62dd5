/**
 * The checks behind the generic "credential assignment" rules that a regex alone cannot express:
 * is the assigned name a secret's name, and does the value look like a credential rather than an
 * identifier, a path, a placeholder or an English word. Modelled on gitleaks' generic-api-key
 * allowlists and stopwords and on detect-secrets' heuristic filters.
 */
import { shannonEntropy } from './entropy.js';
import type { MatchContext } from './types.js';

/** Name parts that mark a credential. */
const SECRET_PARTS = new Set([
  'key',
  'apikey',
  'secret',
  'secretkey',
  'clientsecret',
  'token',
  'accesstoken',
  'authtoken',
  'apitoken',
  'bearertoken',
  'refreshtoken',
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'auth',
  'credential',
  'credentials',
  'creds',
  'privatekey',
  'accesskey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'subscriptionkey',
  'appid',
  'apisecret',
]);

const PASSWORD_PARTS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase']);

/** A last name part that makes the value something about a credential, not the credential. */
const NON_SECRET_LAST = new Set(
  `id ids name names file files filename path paths dir folder url uri urls endpoint host hostname port type types
  len length size count col cols column columns field fields format fmt version prefix suffix env var variable
  label labels fn func function index idx map mapping list dict set num max min limit mode schema hash hashed
  digest checksum sha sha1 sha256 md5 cache header headers location loc region kind pattern regex re template
  placeholder example input widget text prompt msg message description desc help title expiry expires expiration
  ttl timeout enabled required provider method scheme algorithm alg policy scope scopes role user username owner
  option options config cfg settings params param flag box button source src ref level strength rule rules
  validator field_name storage_name attribute attr column_name sep separator delimiter encoding charset lang
  language vocab embedding embeddings ids_list position pos location start end offset`.split(/\s+/),
);

/** Name parts anywhere that make the value non-secret. */
const NON_SECRET_ANY = new Set([
  'public',
  'pub',
  'publishable',
  'is',
  'has',
  'use',
  'n',
  'num',
  'max',
  'min',
  'no',
  // a form's anti-forgery token (Rails' authenticity_token, csrf_token) is per session and public to the page
  'authenticity',
  'csrf',
  'xsrf',
]);

/** Words before a bare `key` that name a data key, not a credential (`sort_key`, `s3_key`, `rng_key`). */
const DATA_KEY_QUALIFIERS = new Set(
  `sort primary foreign hot cache partition dict group join merge row map s3 object blob bucket lookup index unique
  composite shard sharding routing sub parent child target source data feature label col column table field node
  rng prng random seed event message state file image item model config setting translation i18n cell widget ui
  json yaml csv dataset batch cluster entity record idempotency dedup dedupe order hash redis memcache`.split(/\s+/),
);

/** Splits `OPENAI_API_KEY`, `apiKey`, `x-api-key`, `papermill.parameters.db_pass` into lower-case parts. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.toLowerCase());
}

export type SecretNameKind = 'password' | 'key';

/** Whether an assigned name names a credential, and which kind. */
export function secretNameKind(name: string): SecretNameKind | undefined {
  const parts = nameParts(name);
  if (parts.length === 0) return undefined;
  const last = parts[parts.length - 1]!;
  if (NON_SECRET_LAST.has(last)) return undefined;
  if (parts.some((part) => NON_SECRET_ANY.has(part))) return undefined;
  let found: SecretNameKind | undefined;
  parts.forEach((part, k) => {
    if (!SECRET_PARTS.has(part)) return;
    if (part === 'key' && k > 0 && DATA_KEY_QUALIFIERS.has(parts[k - 1]!)) return;
    found = PASSWORD_PARTS.has(part) ? 'password' : (found ?? 'key');
  });
  return found;
}

const SEQUENCES = [
  '0123456789abcdefghijklmnopqrstuvwxyz',
  'abcdefghijklmnopqrstuvwxyz0123456789',
  'zyxwvutsrqponmlkjihgfedcba9876543210',
  'qwertyuiopasdfghjklzxcvbnm',
  '1234567890',
];

/** Values written as stand-ins for a credential. */
const PLACEHOLDER_EXACT =
  /^(?:x+|\*+|\.+|-+|_+|#+|0+|none|null|nil|undefined|true|false|changeme|change[_-]?me|secret|password|passwd|token|api[_-]?key|string|str|value|todo|tbd|fixme|redacted|hidden|masked|empty|default|sample|example|dummy|foo|bar|baz|qwerty|letmein|admin|root|guest|user|pass)$/i;

const PLACEHOLDER_PART =
  /x{4,}|\*{3,}|\.{3}|…|your[_\- ]|^your|my[_-]?(?:api|secret|token|key|pass)|<[^>]*>|\{[^}]*\}|\$\{|^\$[A-Za-z_]|%\(?\w*\)?[sd]|placeholder|example|redacted|insert[_ -]|replace[_ -]?(?:me|with|this)|enter[_ -]|put[_ -]|_here\b|here$|changeme|dummy|xxxx/i;

export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_EXACT.test(value) || PLACEHOLDER_PART.test(value)) return true;
  if (/^(.)\1+$/.test(value)) return true;
  const lower = value.toLowerCase();
  return lower.length >= 6 && SEQUENCES.some((sequence) => sequence.includes(lower));
}

/** Common words that, inside a value, mark prose or configuration rather than a credential. */
export const GENERIC_STOPWORDS = `password passwd secret token apikey sample example dummy placeholder changeme
  default config setting localhost admin user username null none undefined string value lorem ipsum todo fixme
  redacted hidden masked dataset train valid model input output label feature column index result response
  request client server service public private local remote https http kaggle colab notebook python pandas numpy
  torch tensorflow keras sklearn bert base uncased cased large small medium tiny embedding vector prompt
  message content system assistant header bearer basic oauth login logout session cookie enabled disabled
  true false enter insert replace here your mine test_ demo_`
  .split(/\s+/)
  .filter((word) => word.length >= 4);

const IDENTIFIER_CHAIN = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const ENV_VAR_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const SLUG = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]{1,12})+$/;
const FILE_LIKE =
  /(?:^[./~]|^[a-z]:\\|\.(?:csv|tsv|json|jsonl|txt|pkl|pickle|h5|hdf5|pt|pth|bin|onnx|npy|npz|parquet|feather|png|jpe?g|gif|svg|zip|gz|tar|yaml|yml|toml|ini|cfg|py|ipynb|md|html|xml|log|db|sqlite|pem|key|crt|cer|p12)$)/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;

/**
 * The generic rule's value check. `groups`: 1 name, 2 the name's closing quote, 3 the operator,
 * 5 a quoted value, 6 an unquoted value.
 */
export function genericAssignmentIsSecret(context: MatchContext): boolean {
  const { groups, secret: value } = context;
  const name = groups[1] ?? '';
  const nameQuoted = (groups[2] ?? '') !== '';
  const operator = groups[3] ?? '';
  const quoted = groups[5] !== undefined;
  if (operator === ',' && !(nameQuoted && quoted)) return false;
  const kind = secretNameKind(name);
  if (!kind) return false;
  if (!quoted) {
    if (IDENTIFIER_CHAIN.test(value) && !/\d/.test(value)) return false;
    if (/^[([.]/.test(context.after)) return false;
    if (/^\d+(?:\.\d+)?$/.test(value)) return false;
  }
  if (isPlaceholder(value)) return false;
  if (ENV_VAR_NAME.test(value)) return false;
  if (FILE_LIKE.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
  if (/^[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)+$/i.test(value) && !/[A-Z].*[0-9]|[0-9].*[A-Z]/.test(value)) return false;
  const lower = value.toLowerCase();
  if (kind === 'password') {
    if (value.length < 6) return false;
    if (IDENTIFIER_CHAIN.test(value) && !quoted) return false;
    if (GENERIC_STOPWORDS.some((word) => lower === word || (word.length >= 6 && lower.includes(word)))) return false;
    return shannonEntropy(value) >= 2.5;
  }
  if (value.length < 10) return false;
  if (GENERIC_STOPWORDS.some((word) => lower.includes(word))) return false;
  if (SLUG.test(value)) return false;
  if (UUID.test(value)) {
    const parts = nameParts(name);
    if (!parts.some((part) => part !== 'key' && SECRET_PARTS.has(part)) && !parts.includes('api')) return false;
    return true;
  }
  if (!/\d/.test(value) && !(value.length >= 20 && /[A-Z]/.test(value) && /[a-z]/.test(value))) return false;
  const threshold = HEX.test(value) ? 3.0 : 3.5;
  return shannonEntropy(value) >= threshold;
}
