/**
 * The Google clients of the gcp target, built lazily: @google-cloud/functions' v2 client and
 * @google-cloud/run's ServicesClient, both in REST fallback mode (contract §3.5). Credentials:
 * `KAGG_GCP_ACCESS_TOKEN` (an OAuth access token, used as is: nothing is fetched), else Application
 * Default Credentials. `KAGG_GCP_API_ENDPOINT` (e.g. `http://127.0.0.1:8123`) points both APIs
 * elsewhere; tests always set both, so ADC never probes the metadata server.
 */

import type { v2 as functionsV2 } from '@google-cloud/functions';
import type { v2 as runV2 } from '@google-cloud/run';
import { KaggError } from '@kagg/core/errors';

type FunctionServiceClient = InstanceType<typeof functionsV2.FunctionServiceClient>;
type ServicesClient = InstanceType<typeof runV2.ServicesClient>;

export interface GcpSeam {
  env?: NodeJS.ProcessEnv;
  /** Delay between operation polls and health calls (default KAGG_GCP_POLL_MS or 2000). */
  pollMs?: number;
  /** kagg's own deadline for one long-running operation (default 20 min: a real build takes minutes). */
  operationMs?: number;
}

export interface GcpClients {
  functions: FunctionServiceClient;
  run: ServicesClient;
  close(): Promise<void>;
}

export function envOf(seam: GcpSeam): NodeJS.ProcessEnv {
  return seam.env ?? process.env;
}

export function timingOf(seam: GcpSeam): { pollMs: number; operationMs: number } {
  const fromEnv = Number(envOf(seam).KAGG_GCP_POLL_MS);
  return {
    pollMs: seam.pollMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2000),
    operationMs: seam.operationMs ?? 20 * 60_000,
  };
}

/** Where the credentials come from, for messages (never the token itself). */
export function credentialSource(seam: GcpSeam): string {
  const env = envOf(seam);
  if (env.KAGG_GCP_ACCESS_TOKEN) return 'KAGG_GCP_ACCESS_TOKEN';
  if (env.GOOGLE_APPLICATION_CREDENTIALS)
    return `GOOGLE_APPLICATION_CREDENTIALS (${env.GOOGLE_APPLICATION_CREDENTIALS})`;
  return 'Application Default Credentials (`gcloud auth application-default login`)';
}

/** The project: the setting, else GOOGLE_CLOUD_PROJECT, else CLOUDSDK_CORE_PROJECT. */
export function resolveProject(project: string | undefined, seam: GcpSeam): string {
  const env = envOf(seam);
  const found = project ?? env.GOOGLE_CLOUD_PROJECT ?? env.CLOUDSDK_CORE_PROJECT;
  if (!found) {
    throw new KaggError('no Google Cloud project is set', {
      code: 'GCP_PROJECT_MISSING',
      exitCode: 2,
      action: 'pass --set project=ID, set GOOGLE_CLOUD_PROJECT, or run `gcloud config set project ID`',
    });
  }
  return found;
}

function endpointOptions(seam: GcpSeam): Record<string, unknown> {
  const raw = envOf(seam).KAGG_GCP_API_ENDPOINT;
  if (!raw) return {};
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new KaggError(`KAGG_GCP_API_ENDPOINT is not a URL: ${raw}`, {
      code: 'GCP_BAD_ENDPOINT',
      exitCode: 2,
      action: 'set it to a URL such as http://127.0.0.1:8123, or unset it',
    });
  }
  const protocol = url.protocol.replace(':', '');
  return {
    apiEndpoint: url.hostname,
    port: Number(url.port || (protocol === 'https' ? 443 : 80)),
    protocol,
  };
}

/** The auth client both SDK clients share: the injected token, or ADC. */
export async function authClient(seam: GcpSeam): Promise<unknown> {
  const token = envOf(seam).KAGG_GCP_ACCESS_TOKEN;
  const { OAuth2Client, GoogleAuth } = await import('google-auth-library');
  if (token) {
    const client = new OAuth2Client();
    client.setCredentials({ access_token: token, expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
    return client;
  }
  return new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
}

export async function openClients(seam: GcpSeam): Promise<GcpClients> {
  const [{ v2: functionsV2 }, { v2: runV2 }] = await Promise.all([
    import('@google-cloud/functions'),
    import('@google-cloud/run'),
  ]);
  const options = { fallback: true, ...endpointOptions(seam), authClient: await authClient(seam) } as never;
  const functions = new functionsV2.FunctionServiceClient(options);
  const run = new runV2.ServicesClient(options);
  return {
    functions,
    run,
    close: async () => {
      await Promise.allSettled([functions.close(), run.close()]);
    },
  };
}

/** An identity token for calling a private function URL (audience: the URL). */
export async function identityToken(url: string, seam: GcpSeam): Promise<string> {
  const env = envOf(seam);
  if (env.KAGG_GCP_IDENTITY_TOKEN) return env.KAGG_GCP_IDENTITY_TOKEN;
  try {
    const { GoogleAuth } = await import('google-auth-library');
    const client = await new GoogleAuth().getIdTokenClient(new URL(url).origin);
    return await client.idTokenProvider.fetchIdToken(new URL(url).origin);
  } catch (error) {
    throw new KaggError(`could not mint an identity token for ${url} from ${credentialSource(seam)}`, {
      code: 'GCP_IDENTITY_TOKEN',
      action:
        'use service-account or user credentials that can mint identity tokens (`gcloud auth application-default login`), or set KAGG_GCP_IDENTITY_TOKEN (e.g. from `gcloud auth print-identity-token`)',
      cause: error,
    });
  }
}
