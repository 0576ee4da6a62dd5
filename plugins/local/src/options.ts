import type { FromSchema } from '@kagg/plugin-api';

export const LOCAL_DEFAULTS = { timeout: 60, maxQueue: 256, maxBodyBytes: 6 * 1024 * 1024, drainSeconds: 30 };

/** Settings of the local target (`--set key=value` or `targets.local` in the settings file). */
export const localOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // Port to listen on; 0 keeps the endpoint's previous port (a free one the first time).
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    // The Python interpreter.
    python: { type: 'string', minLength: 1, default: 'python3' },
    // pip-install the bundle's requirements into the endpoint's folder before starting.
    installRequirements: { type: 'boolean', default: false },
    // Seconds to wait for the server to answer its health check.
    startTimeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 120 },
    // Include tracebacks in error responses.
    debug: { type: 'boolean', default: false },
    // Seconds a call may run before it is answered 504 (`--timeout`).
    timeout: { type: 'number', exclusiveMinimum: 0, maximum: 86400, default: LOCAL_DEFAULTS.timeout },
    // Requests run at once; more wait in a queue of `maxQueue`, beyond which they are answered 503.
    maxConcurrency: { type: 'integer', minimum: 1, maximum: 1024 },
    // Requests that may wait for a turn before the server answers 503 with Retry-After.
    maxQueue: { type: 'integer', minimum: 0, maximum: 65536, default: LOCAL_DEFAULTS.maxQueue },
    // Largest request body accepted; a larger one is answered 413 (Lambda's limit, 6 MB, by default).
    maxBodyBytes: { type: 'integer', minimum: 0, default: LOCAL_DEFAULTS.maxBodyBytes },
    // Seconds the requests in flight may take to finish when a server is replaced or destroyed.
    drainSeconds: { type: 'number', minimum: 0, maximum: 3600, default: LOCAL_DEFAULTS.drainSeconds },
  },
} as const;

/** The settings as TypeScript sees them: derived from the schema, written once. */
export type LocalOptions = FromSchema<typeof localOptionsSchema>;
