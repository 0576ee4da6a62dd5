/** Settings of the local target (`--set key=value` or `targets.local` in the settings file). */
export interface LocalOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** The Python interpreter. */
  python?: string;
  /** pip-install the bundle's requirements into the endpoint's folder before starting. */
  installRequirements?: boolean;
  /** Seconds to wait for the server to answer its health check. */
  startTimeout?: number;
  /** Include tracebacks in error responses. */
  debug?: boolean;
}

export const localOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    python: { type: 'string', minLength: 1, default: 'python3' },
    installRequirements: { type: 'boolean', default: false },
    startTimeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 120 },
    debug: { type: 'boolean', default: false },
  },
} as const;
