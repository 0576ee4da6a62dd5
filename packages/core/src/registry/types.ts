import type { Deployment } from '@kagg/plugin-api';

/** One endpoint in the registry: a Deployment plus bookkeeping. Never holds a secret. */
export interface EndpointEntry extends Deployment {
  source?: string;
  createdAt: string;
  updatedAt: string;
  /** Present on entries imported from the replaced tool's registry. */
  legacy?: { provider: string; metadata?: unknown };
}

export interface RegistryFile {
  version: 1;
  endpoints: Record<string, EndpointEntry>;
}
