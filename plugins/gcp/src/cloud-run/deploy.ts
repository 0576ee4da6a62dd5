/**
 * `deploy`, `destroy` and `describe` of the cloud-run target: the path `gcloud run deploy --source`
 * takes. The service is looked up (ownership from its labels); when the source changed, the build
 * context goes up as a .tar.gz to the `<project>_cloudbuild` bucket, Cloud Build runs `docker build`
 * into the `kagg` Artifact Registry repository (created when missing), and the service is created or
 * replaced (with its etag, a stale one retried) with the new image; a settings-only change skips the
 * build. Every operation is waited on under kagg's deadline; then the invoker binding and a health
 * call. An unchanged notebook with unchanged settings writes nothing.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { registerSecret } from '@kagg/core/config';
import { CONTAINER_PORT, tarFiles } from '@kagg/core/container';
import { KaggError } from '@kagg/core/errors';
import type { Artifact, DeployContext, Deployment, DeploymentStatus, OperationContext } from '@kagg/plugin-api';
import { type GcpSeam, resolveProject } from '../clients.js';
import { ENDPOINT_LABEL, labelValueOf, locateDeployment, MANAGED_BY_LABEL, openUp, SOURCE_LABEL } from '../deploy.js';
import { type GcpApis, GcpSession, isStatus } from '../session.js';
import { type CloudRunClients, openCloudRunClients } from './clients.js';
import { type CloudRunOptions, type ResolvedCloudRunOptions, resolveCloudRunOptions, serviceIdOf } from './options.js';

/** The Artifact Registry repository kagg builds into, one per region. */
export const REPOSITORY = 'kagg';
/** The builder `gcloud builds submit --tag` uses. */
export const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
/** A hash of the service settings kagg wrote, so an unchanged deploy is recognised without diffing protos. */
export const CONFIG_LABEL = 'kagg-config';
/** Lines of a failed build's log shown in the error. */
const LOG_TAIL = 25;

const APIS: GcpApis = {
  product: 'Cloud Run',
  apis: 'the Cloud Run, Cloud Build, Artifact Registry and Cloud Storage APIs',
  role: 'roles/run.admin, roles/cloudbuild.builds.editor, roles/artifactregistry.admin, roles/storage.admin',
};

type Session = GcpSession<CloudRunClients>;
type Service = {
  name?: string | null;
  uri?: string | null;
  etag?: string | null;
  labels?: Record<string, string> | null;
  reconciling?: boolean | null;
  template?: { containers?: Array<{ image?: string | null }> | null } | null;
  terminalCondition?: { state?: string | number | null; message?: string | null } | null;
};
type Build = {
  id?: string | null;
  status?: string | number | null;
  statusDetail?: string | null;
  logUrl?: string | null;
  logsBucket?: string | null;
  results?: { images?: Array<{ name?: string | null; digest?: string | null }> | null } | null;
};

const BUILD_STATUS: Record<number, string> = {
  0: 'STATUS_UNKNOWN',
  10: 'PENDING',
  1: 'QUEUED',
  2: 'WORKING',
  3: 'SUCCESS',
  4: 'FAILURE',
  5: 'INTERNAL_ERROR',
  6: 'TIMEOUT',
  7: 'CANCELLED',
  9: 'EXPIRED',
};
const CONDITION_STATE: Record<number, string> = {
  0: 'STATE_UNSPECIFIED',
  1: 'CONDITION_PENDING',
  2: 'CONDITION_RECONCILING',
  3: 'CONDITION_FAILED',
  4: 'CONDITION_SUCCEEDED',
};
const named = (map: Record<number, string>, value: string | number | null | undefined) =>
  typeof value === 'number' ? (map[value] ?? 'UNKNOWN') : (value ?? 'UNKNOWN');

const hash = (value: unknown) =>
  createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value))
    .digest('hex');

/** The upload: the build context as a deterministic .tar.gz (what Cloud Build takes as source). */
export function sourceTarball(artifact: Artifact): Uint8Array {
  return new Uint8Array(gzipSync(tarFiles(artifact.files), { level: 9 }));
}

/** The service's template: image, resources, scaling, concurrency, timeout, environment. */
export function serviceTemplate(image: string, o: ResolvedCloudRunOptions, env: Record<string, string>) {
  return {
    containers: [
      {
        image,
        ports: [{ containerPort: CONTAINER_PORT }],
        env: Object.keys(env)
          .sort()
          .map((name) => ({ name, value: env[name] })),
        resources: {
          limits: {
            cpu: String(o.cpu),
            memory: `${o.memory}Mi`,
            ...(o.gpu > 0 ? { 'nvidia.com/gpu': String(o.gpu) } : {}),
          },
          // A GPU needs its CPU always allocated; otherwise CPU is billed only while serving.
          cpuIdle: o.gpu === 0,
          startupCpuBoost: true,
        },
      },
    ],
    scaling: { minInstanceCount: o.minInstances, maxInstanceCount: o.maxInstances },
    maxInstanceRequestConcurrency: o.concurrency,
    timeout: { seconds: o.timeout },
    ...(o.serviceAccount ? { serviceAccount: o.serviceAccount } : {}),
    ...(o.gpu > 0 ? { nodeSelector: { accelerator: o.gpuType }, gpuZonalRedundancyDisabled: true } : {}),
  };
}

function ownershipCheck(s: Session, ctx: DeployContext<CloudRunOptions>, svc: Service, id: string): void {
  const owner = svc.labels?.[ENDPOINT_LABEL];
  if (owner === labelValueOf(ctx.name) && svc.labels?.[MANAGED_BY_LABEL] === 'kagg') return;
  if (ctx.adopt || (owner === undefined && ctx.previous?.providerIds.serviceId === id)) return;
  throw new KaggError(
    `a Cloud Run service named ${id} already exists in ${s.project}/${s.region} and kagg did not create it for the endpoint "${ctx.name}"${owner ? ` (it belongs to the kagg endpoint "${owner}")` : ''}`,
    {
      code: 'GCP_NAME_TAKEN',
      action: 'choose another --name, or take the service over with --adopt (its image and settings will be replaced)',
    },
  );
}

/** The service, once no rollout is in progress (an interrupted kagg run's, or someone else's). */
async function settledService(s: Session, name: string): Promise<Service | undefined> {
  const deadline = Date.now() + s.timing.operationMs;
  for (;;) {
    const [svc] = ((await s.call('getService', () => s.clients.run.getService({ name }), true)) ?? []) as [Service?];
    if (!svc?.reconciling) return svc;
    if (Date.now() > deadline)
      throw new KaggError(`${name} is still rolling out`, {
        code: 'GCP_OPERATION_TIMEOUT',
        action: 'run `kagg deploy` again later',
      });
    s.ctx.log?.debug(`${name} is reconciling`);
    await s.pause();
  }
}

/** The `kagg` Docker repository in the region, created when missing. */
async function ensureRepository(s: Session): Promise<void> {
  const path = `/v1/${s.parent}/repositories/${REPOSITORY}`;
  const found = await s.call(
    'Artifact Registry repositories.get',
    () => s.clients.rest({ method: 'GET', api: 'artifactregistry', path, signal: s.ctx.signal }),
    true,
  );
  if (found) return;
  s.ctx.progress('creating the Artifact Registry repository', `${REPOSITORY} in ${s.region}`);
  let op: { name: string; done?: boolean; error?: { message?: string } };
  try {
    op = await s.clients.rest({
      method: 'POST',
      api: 'artifactregistry',
      path: `/v1/${s.parent}/repositories`,
      query: { repositoryId: REPOSITORY },
      json: {
        format: 'DOCKER',
        description: 'Images of notebooks deployed by kagg',
        labels: { [MANAGED_BY_LABEL]: 'kagg' },
      },
      signal: s.ctx.signal,
    });
  } catch (error) {
    if (isStatus(error, 'ALREADY_EXISTS')) return;
    throw s.explain(error, 'Artifact Registry repositories.create');
  }
  const deadline = Date.now() + s.timing.operationMs;
  while (!op.done) {
    if (Date.now() > deadline)
      throw new KaggError(`creating the repository ${REPOSITORY} did not finish`, {
        code: 'GCP_OPERATION_TIMEOUT',
        action: 'run `kagg deploy` again later',
      });
    await s.pause();
    op = await s.must('Artifact Registry operations.get', () =>
      s.clients.rest({ method: 'GET', api: 'artifactregistry', path: `/v1/${op.name}`, signal: s.ctx.signal }),
    );
  }
  if (op.error)
    throw new KaggError(`creating the repository ${REPOSITORY} failed: ${op.error.message}`, {
      code: 'GCP_CALL_FAILED',
    });
}

/** Uploads the tarball to `<project>_cloudbuild` (created when missing, as gcloud does). */
async function uploadSource(
  s: Session,
  tarball: Uint8Array,
  object: string,
): Promise<{ bucket: string; object: string }> {
  const bucket = `${s.project}_cloudbuild`;
  const exists = await s.call(
    'Cloud Storage buckets.get',
    () => s.clients.rest({ method: 'GET', api: 'storage', path: `/storage/v1/b/${bucket}`, signal: s.ctx.signal }),
    true,
  );
  if (!exists) {
    s.ctx.progress('creating the staging bucket', bucket);
    try {
      await s.clients.rest({
        method: 'POST',
        api: 'storage',
        path: '/storage/v1/b',
        query: { project: s.project },
        json: { name: bucket, location: s.region.toUpperCase() },
        signal: s.ctx.signal,
      });
    } catch (error) {
      if (!isStatus(error, 'ALREADY_EXISTS')) throw s.explain(error, 'Cloud Storage buckets.insert');
    }
  }
  s.ctx.progress('uploading the build context', `${(tarball.byteLength / 1024).toFixed(0)} KiB to gs://${bucket}`);
  await s.must('Cloud Storage upload', () =>
    s.clients.rest({
      method: 'POST',
      api: 'storage',
      path: `/upload/storage/v1/b/${bucket}/o`,
      query: { uploadType: 'media', name: object },
      body: tarball,
      contentType: 'application/gzip',
      signal: s.ctx.signal,
    }),
  );
  return { bucket, object };
}

/** The last lines of a build's log (`log-<id>.txt` in its logs bucket), or why there are none. */
async function logTail(s: Session, build: Build): Promise<string[]> {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(build.logsBucket ?? '');
  if (!m || !build.id) return [];
  const object = `${m[2] ? `${m[2].replace(/\/$/, '')}/` : ''}log-${build.id}.txt`;
  try {
    const text = await s.clients.rest({
      method: 'GET',
      api: 'storage',
      path: `/storage/v1/b/${m[1]}/o/${encodeURIComponent(object)}`,
      query: { alt: 'media' },
      raw: true,
      signal: s.ctx.signal,
    });
    return text.trimEnd().split('\n').slice(-LOG_TAIL);
  } catch (error) {
    return [`(the build log could not be read: ${(error as Error).message})`];
  }
}

/** Builds the context into `<region>-docker.pkg.dev/<project>/kagg/<service>:<hash>`; returns the image by digest. */
async function buildImage(s: Session, tarball: Uint8Array, id: string, sourceHash: string): Promise<string> {
  await ensureRepository(s);
  const source = await uploadSource(s, tarball, `source/${id}-${sourceHash.slice(0, 16)}.tgz`);
  const tag = `${s.region}-docker.pkg.dev/${s.project}/${REPOSITORY}/${id}:${sourceHash.slice(0, 16)}`;
  s.ctx.progress('starting the build', tag);
  const [op] = (await s.must('Cloud Build builds.create', () =>
    s.clients.build.createBuild({
      parent: s.parent,
      build: {
        source: { storageSource: source },
        steps: [{ name: DOCKER_BUILDER, args: ['build', '-t', tag, '.'] }],
        images: [tag],
        tags: ['kagg', id],
        timeout: { seconds: Math.round(s.timing.operationMs / 1000) },
      },
    } as never),
  )) as unknown as [{ name?: string; metadata?: { build?: Build } }];
  const buildId = op.metadata?.build?.id;
  if (!buildId)
    throw new KaggError(`Cloud Build answered without a build id (operation ${op.name})`, { code: 'GCP_CALL_FAILED' });
  const name = `${s.parent}/builds/${buildId}`;
  const deadline = Date.now() + s.timing.operationMs;
  let last = '';
  for (;;) {
    const [build] = (await s.must('Cloud Build builds.get', () =>
      s.clients.build.getBuild({ name } as never),
    )) as unknown as [Build];
    const status = named(BUILD_STATUS, build.status);
    if (status !== last) s.ctx.progress('building the image', `Cloud Build ${buildId}: ${status}`);
    last = status;
    if (status === 'SUCCESS') {
      const built = (build.results?.images ?? []).find((i) => i.name === tag);
      return built?.digest ? `${tag.replace(/:[^:/]+$/, '')}@${built.digest}` : tag;
    }
    if (!['PENDING', 'QUEUED', 'WORKING', 'STATUS_UNKNOWN'].includes(status)) {
      const tail = await logTail(s, build);
      throw new KaggError(
        `the Cloud Build of ${id} ended ${status}${build.statusDetail ? `: ${build.statusDetail}` : ''}${tail.length ? `\n--- last lines of the build log ---\n${tail.join('\n')}` : ''}`,
        {
          code: 'CLOUD_RUN_BUILD_FAILED',
          action: `read the full log at ${build.logUrl ?? 'the Cloud Build page of the console'}, fix the notebook or its requirements, and run \`kagg deploy\` again`,
          details: { buildId, status, logUrl: build.logUrl, logTail: tail },
        },
      );
    }
    if (Date.now() + s.timing.pollMs > deadline)
      throw new KaggError(
        `the Cloud Build ${buildId} did not finish within ${Math.round(s.timing.operationMs / 1000)} s`,
        {
          code: 'GCP_OPERATION_TIMEOUT',
          action: `follow it at ${build.logUrl ?? 'the Cloud Build page of the console'}, then run \`kagg deploy\` again`,
        },
      );
    await s.pause();
  }
}

/** Creates the service, or replaces it with the etag read (a stale etag: read again, up to 5 times). */
async function writeService(
  s: Session,
  id: string,
  existing: Service | undefined,
  body: Record<string, unknown>,
): Promise<string> {
  const name = `${s.parent}/services/${id}`;
  if (!existing) {
    s.ctx.signal.throwIfAborted();
    try {
      const [op] = await s.clients.run.createService({ parent: s.parent, serviceId: id, service: body } as never);
      return (op as { name: string }).name;
    } catch (error) {
      if (!isStatus(error, 'ALREADY_EXISTS')) throw s.explain(error, 'Cloud Run createService');
      existing = await settledService(s, name);
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      s.ctx.signal.throwIfAborted();
      const [op] = await s.clients.run.updateService({
        service: { ...body, name, etag: existing?.etag ?? '' },
      } as never);
      return (op as { name: string }).name;
    } catch (error) {
      if (!isStatus(error, 'ABORTED') || attempt >= 5) throw s.explain(error, 'Cloud Run updateService');
      s.ctx.progress('the service changed meanwhile: reading it again', `attempt ${attempt + 1}`);
      existing = await settledService(s, name);
    }
  }
}

export async function deployToCloudRun(
  artifact: Artifact,
  ctx: DeployContext<CloudRunOptions>,
  seam: GcpSeam,
): Promise<Deployment> {
  const options = resolveCloudRunOptions(ctx.options);
  const project = resolveProject(options.project, seam);
  const id = ctx.resourceName ?? serviceIdOf(ctx.name);
  const env = { ...options.environment, ...ctx.env };
  for (const value of Object.values(env)) registerSecret(value);
  const written = new Set<string>();
  const s = await GcpSession.openWith(project, options.region, seam, ctx, openCloudRunClients, APIS);
  try {
    const name = `${s.parent}/services/${id}`;
    await ctx.record?.({ serviceId: id, project, region: options.region });
    ctx.progress('looking up the service', `${id} in ${project}/${options.region}`);
    const existing = await settledService(s, name);
    if (existing) ownershipCheck(s, ctx, existing, id);
    const tarball = options.image ? undefined : sourceTarball(artifact);
    const source = hash(options.image ? `image ${options.image}` : (tarball as Uint8Array)).slice(0, 63);
    const running = existing?.template?.containers?.[0]?.image ?? undefined;
    const failed = named(CONDITION_STATE, existing?.terminalCondition?.state) === 'CONDITION_FAILED';
    const codeChanged = !existing || failed || existing.labels?.[SOURCE_LABEL] !== source || !running;
    const image =
      options.image ?? (codeChanged ? await buildImage(s, tarball as Uint8Array, id, source) : (running as string));
    // The config label covers the settings, not the image: a rebuilt image is a code change.
    const config = hash(serviceTemplate('', options, env)).slice(0, 63);
    const labels = {
      [MANAGED_BY_LABEL]: 'kagg',
      [ENDPOINT_LABEL]: labelValueOf(ctx.name),
      [SOURCE_LABEL]: source,
      [CONFIG_LABEL]: config,
    };
    const configChanged = !existing || existing.labels?.[CONFIG_LABEL] !== config;
    if (codeChanged || configChanged) {
      const body = { labels, template: serviceTemplate(image, options, env) };
      ctx.progress(existing ? 'updating the service' : 'creating the service', `${id} (${image})`);
      const operation = await writeService(s, id, existing, body);
      if (codeChanged) written.add('code');
      if (configChanged) written.add('config');
      ctx.progress('waiting for the new revision', id);
      const error = await s.waitOperation(s.clients.run.operationsClient, operation, `rolling out ${id}`);
      if (error)
        throw new KaggError(`the Cloud Run rollout of ${id} failed: ${error.message}`, {
          code: 'CLOUD_RUN_ROLLOUT_FAILED',
          action:
            "read the service's revision logs in the Cloud console, fix the notebook, and run `kagg deploy` again",
        });
    } else {
      ctx.progress('service unchanged', id);
    }
    const [svc] = (await s.must('getService', () => s.clients.run.getService({ name }))) as unknown as [Service];
    const url = svc.uri as string;
    if (await openUp(s, name, url, options.public, seam)) written.add('auth');
    return {
      target: 'cloud-run',
      name: ctx.name,
      url,
      auth: options.public ? 'public' : 'private',
      bundleHash: artifact.bundle.hash,
      region: options.region,
      providerIds: { serviceId: id, project, region: options.region, service: name, image },
      written: [...written],
    };
  } finally {
    await s.close();
  }
}

const locate = (deployment: Deployment, ctx: OperationContext, seam: GcpSeam) =>
  locateDeployment(
    deployment,
    resolveCloudRunOptions(ctx.options as CloudRunOptions | undefined),
    seam,
    'serviceId',
    serviceIdOf,
  );

/** Deletes the service (its IAM policy goes with it). Images stay in the `kagg` repository. */
export async function destroyCloudRun(deployment: Deployment, ctx: OperationContext, seam: GcpSeam): Promise<void> {
  const { project, region, id } = locate(deployment, ctx, seam);
  const s = await GcpSession.openWith(project, region, seam, ctx, openCloudRunClients, APIS);
  try {
    const name = `${s.parent}/services/${id}`;
    if (!(await settledService(s, name))) return;
    ctx.progress('deleting the service', id);
    const deleted = await s.call('Cloud Run deleteService', () => s.clients.run.deleteService({ name }), true);
    if (!deleted) return;
    const error = await s.waitOperation(
      s.clients.run.operationsClient,
      (deleted[0] as { name: string }).name,
      `deleting ${id}`,
    );
    if (error) throw new KaggError(`deleting ${name} failed: ${error.message}`, { code: 'GCP_CALL_FAILED' });
  } finally {
    await s.close();
  }
}

export async function describeCloudRun(
  deployment: Deployment,
  ctx: OperationContext,
  seam: GcpSeam,
): Promise<DeploymentStatus> {
  const { project, region, id } = locate(deployment, ctx, seam);
  const s = await GcpSession.openWith(project, region, seam, ctx, openCloudRunClients, APIS);
  try {
    const name = `${s.parent}/services/${id}`;
    const [svc] = ((await s.call('getService', () => s.clients.run.getService({ name }), true)) ?? []) as [Service?];
    if (!svc) return { state: 'missing', detail: `no Cloud Run service ${id} in ${project}/${region}` };
    const image = svc.template?.containers?.[0]?.image ?? '?';
    if (svc.reconciling) return { state: 'pending', detail: `rolling out ${image}` };
    const state = named(CONDITION_STATE, svc.terminalCondition?.state);
    if (state === 'CONDITION_SUCCEEDED') return { state: 'ready', detail: `serving ${image} at ${svc.uri}` };
    return { state: 'failed', detail: `${state}: ${svc.terminalCondition?.message ?? ''}` };
  } finally {
    await s.close();
  }
}
