/**
 * The clients of the cloud-run target, built lazily: @google-cloud/run's ServicesClient and
 * @google-cloud/cloudbuild's CloudBuildClient in REST fallback mode, plus plain JSON calls for
 * Cloud Storage (the source upload, the build log) and Artifact Registry (repository get/create).
 * Those two are REST through the same auth client rather than @google-cloud/storage and
 * @google-cloud/artifact-registry: kagg makes four calls to them, which the two SDKs would answer
 * by loading megabytes of protos and a second HTTP stack. `KAGG_GCP_API_ENDPOINT` points every API
 * at one place (tests: the fake on 127.0.0.1).
 */
import type { CloudBuildClient } from '@google-cloud/cloudbuild';
import type { v2 as runV2 } from '@google-cloud/run';
import { authClient, envOf, type GcpSeam } from '../clients.js';

type ServicesClient = InstanceType<typeof runV2.ServicesClient>;

/** An error of a plain JSON call, shaped like the SDKs' so `statusOf` reads it. */
export class GoogleRestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status: string,
  ) {
    super(message);
    this.name = 'GoogleRestError';
  }
}

export interface RestRequest {
  method: 'GET' | 'POST';
  /** Which Google host: storage.googleapis.com or artifactregistry.googleapis.com. */
  api: 'storage' | 'artifactregistry';
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array;
  contentType?: string;
  signal: AbortSignal;
}

export interface CloudRunClients {
  run: ServicesClient;
  build: CloudBuildClient;
  /** A JSON (or, with `raw`, text) call to Cloud Storage or Artifact Registry. */
  rest<T>(request: RestRequest & { raw?: false }): Promise<T>;
  rest(request: RestRequest & { raw: true }): Promise<string>;
  close(): Promise<void>;
}

function endpointOf(seam: GcpSeam): URL | undefined {
  const raw = envOf(seam).KAGG_GCP_API_ENDPOINT;
  return raw ? new URL(raw) : undefined;
}

async function tokenOf(auth: unknown): Promise<string> {
  const got = (await (auth as { getAccessToken(): Promise<unknown> }).getAccessToken()) as
    | string
    | { token?: string | null }
    | null;
  const token = typeof got === 'string' ? got : got?.token;
  if (!token) throw new GoogleRestError(401, 'no access token from the credentials', 'UNAUTHENTICATED');
  return token;
}

export async function openCloudRunClients(seam: GcpSeam): Promise<CloudRunClients> {
  const [{ v2: runV2 }, { CloudBuildClient }] = await Promise.all([
    import('@google-cloud/run'),
    import('@google-cloud/cloudbuild'),
  ]);
  const auth = await authClient(seam);
  const endpoint = endpointOf(seam);
  const where = endpoint
    ? {
        apiEndpoint: endpoint.hostname,
        port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
        protocol: endpoint.protocol.replace(':', ''),
      }
    : {};
  const options = { fallback: true, ...where, authClient: auth } as never;
  const run = new runV2.ServicesClient(options);
  const build = new CloudBuildClient(options);
  const rest = async (r: RestRequest & { raw?: boolean }): Promise<unknown> => {
    const url = new URL(r.path, endpoint ?? `https://${r.api}.googleapis.com`);
    for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
    const body = r.json !== undefined ? JSON.stringify(r.json) : r.body;
    const res = await fetch(url, {
      method: r.method,
      headers: {
        authorization: `Bearer ${await tokenOf(auth)}`,
        ...(body !== undefined
          ? {
              'content-type': r.json !== undefined ? 'application/json' : (r.contentType ?? 'application/octet-stream'),
            }
          : {}),
      },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.any([r.signal, AbortSignal.timeout(120_000)]),
    });
    const text = await res.text();
    if (!res.ok) {
      let envelope: { error?: { message?: string; status?: string } } = {};
      try {
        envelope = JSON.parse(text) as typeof envelope;
      } catch {}
      throw new GoogleRestError(
        res.status,
        envelope.error?.message ?? `HTTP ${res.status}: ${text.slice(0, 200)}`,
        envelope.error?.status ?? '',
      );
    }
    return r.raw ? text : text ? JSON.parse(text) : {};
  };
  return {
    run,
    build,
    rest: rest as CloudRunClients['rest'],
    close: async () => {
      await Promise.allSettled([run.close(), build.close()]);
    },
  };
}
