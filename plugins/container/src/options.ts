/** Settings of the container target (`--set key=value` or `targets.container` in the settings file). */
export interface ContainerOptions {
  /** The engine to talk to: `unix:///path/to.sock` or `tcp://127.0.0.1:N` (default: DOCKER_HOST, then the usual sockets). */
  dockerHost?: string;
  /** Host port on 127.0.0.1; 0 keeps the endpoint's previous port (a free one the first time). */
  port?: number;
  /** Seconds to wait for the container to answer after it starts. */
  startTimeout?: number;
  /** Memory limit of the container in MB (`--memory`); none by default. */
  memory?: number;
  /** Seconds a call may run before it is answered 504 (`--timeout`); 0: no limit. */
  timeout?: number;
  /** Largest request body accepted; a larger one is answered 413. */
  maxBodyBytes?: number;
  /** Include tracebacks in error responses. */
  debug?: boolean;
}

export const containerOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dockerHost: { type: 'string', pattern: '^(unix|tcp)://' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    startTimeout: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 120 },
    memory: { type: 'integer', minimum: 16 },
    timeout: { type: 'number', minimum: 0, maximum: 86400, default: 0 },
    maxBodyBytes: { type: 'integer', minimum: 0, default: 32 * 1024 * 1024 },
    debug: { type: 'boolean', default: false },
  },
} as const;
