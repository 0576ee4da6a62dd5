import type { Deployment } from '@kagg/plugin-api';

/** One endpoint in the registry: a Deployment plus bookkeeping. Never holds a secret. */
export interface EndpointEntry extends Omit<Deployment, 'written'> {
  source?: string;
  /** The provider-safe name of its resources (`kagg-<name>`, cut and hashed when too long). */
  resourceName?: string;
  /** sha256 of the whole deployment (bundle, settings, environment, target and runtime versions). */
  fingerprint?: string;
  /** `pending`: a deploy began and did not finish; `destroy` removes what it made, `deploy` resumes. */
  state?: 'pending';
  createdAt: string;
  updatedAt: string;
  /** Present on entries imported from the replaced tool's registry. */
  legacy?: { provider: string; metadata?: unknown };
}

export interface RegistryFile {
  version: 1;
  endpoints: Record<string, EndpointEntry>;
}
