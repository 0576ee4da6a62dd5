/** Wire helpers of the fake Kaggle server: proto-JSON default omission, enum spellings, error envelopes. */

export type EnumStyle = 'NAME' | 'lower' | 'camel' | 'prefixed';
export type Envelope = 'google' | 'legacy' | 'empty' | 'text';

/** Drops fields equal to their default (false, 0, "", [], null), as proto JSON does. Recurses into objects. */
export function omitDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? omitDefaults(v) : v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null || v === false || v === 0 || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v !== null && typeof v === 'object' ? omitDefaults(v) : v;
  }
  return out;
}

/** `CANCEL_ACKNOWLEDGED` in the requested spelling. */
export function spellEnum(name: string, style: EnumStyle, prefix = 'KERNEL_WORKER_STATUS_'): string {
  switch (style) {
    case 'lower':
      return name.toLowerCase();
    case 'camel':
      return name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    case 'prefixed':
      return `${prefix}${name}`;
    default:
      return name;
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** The body of an error answer in one of the envelopes Kaggle uses. */
export function errorBody(status: number, message: string, envelope: Envelope): { body: string; contentType: string } {
  switch (envelope) {
    case 'legacy':
      return { body: JSON.stringify({ code: status, message }), contentType: 'application/json' };
    case 'empty':
      return { body: '', contentType: 'application/json' };
    case 'text':
      return { body: `<html><body>${status} ${message}</body></html>`, contentType: 'text/html' };
    default:
      return {
        body: JSON.stringify({ error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN' } }),
        contentType: 'application/json',
      };
  }
}
