import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * Compiles a JSON Schema with ajv (strict, all errors, formats for date-time). ajv is loaded on first
 * use only, so commands that never validate do not pay for it at start-up.
 */
let ajvInstance: import('ajv').Ajv | undefined;
const cache = new WeakMap<object, ValidateFunction>();

export async function compileSchema<T>(schema: object): Promise<ValidateFunction<T>> {
  const hit = cache.get(schema);
  if (hit) return hit as ValidateFunction<T>;
  if (!ajvInstance) {
    const { Ajv } = await import('ajv');
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    ajvInstance = ajv;
  }
  const fn = ajvInstance.compile<T>(schema);
  cache.set(schema, fn);
  return fn;
}

/** Human-readable lines for ajv errors: `/endpoints/x/url: must be string`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(top level)';
    if (e.keyword === 'additionalProperties') {
      return `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    }
    if (e.keyword === 'enum') {
      return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return `${where}: ${e.message ?? e.keyword}`;
  });
}
