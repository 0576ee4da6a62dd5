/**
 * `deploy`, `destroy`, `describe` and `invocation` of the gcp target (contract §3.1): region check
 * (listRuntimes), the function looked up and its ownership checked (labels), the source uploaded
 * through generateUploadUrl only when it changed, createFunction or updateFunction with only the
 * fields that differ, the operation polled under kagg's deadline, the Cloud Run invoker binding
 * (etag retry), then a health call. An unchanged deployment writes nothing.
 */
import { createHash } from 'node:crypto';
import { registerSecret } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import type {
  Artifact,
  DeployContext,
  Deployment,
  DeploymentStatus,
  Invocation,
  OperationContext,
} from '@kagg/plugin-api';
import { type GcpClients, type GcpSeam, identityToken, resolveProject } from './clients.js';
import { functionIdOf, type GcpOptions, type ResolvedGcpOptions, resolveGcpOptions } from './options.js';
import { ENTRY_POINT } from './package.js';
import { GcpSession, isStatus } from './session.js';

export const INVOKER_ROLE = 'roles/run.invoker';
export const MANAGED_BY_LABEL = 'kagg-managed-by';
export const ENDPOINT_LABEL = 'kagg-endpoint';
export const SOURCE_LABEL = 'kagg-source';

type Fn = {
  name?: string | null;
  state?: string | number | null;
  url?: string | null;
  labels?: Record<string, string> | null;
  stateMessages?: Array<{ message?: string | null; type?: string | null }> | null;
  buildConfig?: Record<string, unknown> | null;
  serviceConfig?: Record<string, unknown> | null;
};

/** Function states arrive as names from plain calls and as numbers from operations (contract §3.5). */
const STATES: Record<number, string> = {
  0: 'STATE_UNSPECIFIED',
  1: 'ACTIVE',
  2: 'FAILED',
  3: 'DEPLOYING',
  4: 'DELETING',
  5: 'UNKNOWN',
};
export function stateOf(fn: Fn | undefined): string {
  const s = fn?.state;
  return typeof s === 'number' ? (STATES[s] ?? 'UNKNOWN') : (s ?? 'UNKNOWN');
}

/** A label value (lower-case letters, digits, `-`, `_`, at most 63) naming the endpoint. */
export function labelValueOf(endpoint: string): string {
  const v = endpoint.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  return v.length <= 63 ? v : `${v.slice(0, 54)}-${createHash('sha256').update(v).digest('hex').slice(0, 8)}`;
}

export function sourceHash(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('hex').slice(0, 63);
}

function desiredService(options: ResolvedGcpOptions, env: Record<string, string>): Record<string, unknown> {
  return {
    availableMemory: `${options.memory}Mi`,
    timeoutSeconds: options.timeout,
    maxInstanceCount: options.maxInstances,
    minInstanceCount: options.minInstances,
    environmentVariables: env,
    ingressSettings: 'ALLOW_ALL',
    ...(options.serviceAccount ? { serviceAccountEmail: options.serviceAccount } : {}),
  };
}

function sameMap(a: unknown, b: Record<string, string>): boolean {
  const left = (a ?? {}) as Record<string, string>;
  const keys = new Set([...Object.keys(left), ...Object.keys(b)]);
  return [...keys].every((k) => left[k] === b[k]);
}

/** serviceConfig fields that differ from what is wanted (updateMask paths). */
export function serviceChanges(current: Fn, wanted: Record<string, unknown>): string[] {
  const have = current.serviceConfig ?? {};
  const changes: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    if (key === 'ingressSettings') continue;
    const same =
      key === 'environmentVariables'
        ? sameMap(have[key], value as Record<string, string>)
        : String(have[key] ?? '') === String(value);
    if (!same) changes.push(`serviceConfig.${key}`);
  }
  return changes;
}

async function ensureOwnership(s: GcpSession, ctx: DeployContext<GcpOptions>, fn: Fn, id: string): Promise<void> {
  const owner = fn.labels?.[ENDPOINT_LABEL];
  if (owner === labelValueOf(ctx.name) && fn.labels?.[MANAGED_BY_LABEL] === 'kagg') return;
  const ours = owner === undefined && ctx.previous?.providerIds.functionId === id;
  if (ours || ctx.adopt) return; // the update below writes the labels
  throw new KaggError(
    `a Cloud Function named ${id} already exists in ${s.project}/${s.region} and kagg did not create it for the endpoint "${ctx.name}"${owner ? ` (it belongs to the kagg endpoint "${owner}")` : ''}`,
    {
      code: 'GCP_NAME_TAKEN',
      action: 'choose another --name, or take the function over with --adopt (its code and settings will be replaced)',
    },
  );
}

/** Waits out a deploy already in progress (an earlier, interrupted kagg run or someone else's). */
async function settled(s: GcpSession, name: string): Promise<Fn | undefined> {
  const deadline = Date.now() + s.timing.operationMs;
  for (;;) {
    const [fn] = ((await s.call('getFunction', () => s.clients.functions.getFunction({ name }), true)) ?? []) as [Fn?];
    const state = stateOf(fn);
    if (!fn || (state !== 'DEPLOYING' && state !== 'DELETING')) return fn;
    if (Date.now() > deadline)
      throw new KaggError(`${name} stayed ${state} for too long`, {
        code: 'GCP_OPERATION_TIMEOUT',
        action: 'run `kagg deploy` again later',
      });
    await s.pause();
  }
}

/** PUT of the zip to the signed URL: `content-type: application/zip`, no Authorization (contract §3.1). */
async function upload(s: GcpSession, zip: Uint8Array): Promise<Record<string, unknown>> {
  const [res] = (await s.must('generateUploadUrl', () =>
    s.clients.functions.generateUploadUrl({ parent: s.parent, environment: 'GEN_2' }),
  )) as unknown as [{ uploadUrl?: string; storageSource?: Record<string, unknown> }];
  if (!res.uploadUrl || !res.storageSource)
    throw new KaggError('generateUploadUrl returned no upload URL', { code: 'GCP_CALL_FAILED' });
  const put = await fetch(res.uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: zip,
    signal: s.ctx.signal,
  });
  if (!put.ok) {
    throw new KaggError(`uploading the source failed: HTTP ${put.status} ${(await put.text()).slice(0, 300)}`, {
      code: 'GCP_UPLOAD_FAILED',
      action: 'run `kagg deploy` again; if it persists, check that the project may use Cloud Storage',
    });
  }
  return { bucket: res.storageSource.bucket, object: res.storageSource.object };
}

/** Adds or removes allUsers as run.invoker on a Cloud Run service; retries a stale etag. */
async function ensureInvoker(
  s: GcpSession<Pick<GcpClients, 'run' | 'close'>>,
  service: string,
  isPublic: boolean,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const [policy] = (await s.must('Cloud Run getIamPolicy', () =>
      s.clients.run.getIamPolicy({ resource: service }),
    )) as unknown as [{ etag?: Uint8Array | string; bindings?: Array<{ role?: string; members?: string[] }> }];
    const bindings = (policy.bindings ?? []).map((b) => ({ role: b.role ?? '', members: [...(b.members ?? [])] }));
    let invoker = bindings.find((b) => b.role === INVOKER_ROLE);
    const has = invoker?.members.includes('allUsers') ?? false;
    if (has === isPublic) return false;
    if (isPublic) {
      if (!invoker) {
        invoker = { role: INVOKER_ROLE, members: [] };
        bindings.push(invoker);
      }
      invoker.members.push('allUsers');
    } else if (invoker) {
      invoker.members = invoker.members.filter((m) => m !== 'allUsers');
    }
    s.ctx.progress(isPublic ? 'granting public access' : 'removing public access', `${INVOKER_ROLE} allUsers`);
    try {
      await s.clients.run.setIamPolicy({
        resource: service,
        policy: { bindings: bindings.filter((b) => b.members.length > 0), etag: policy.etag },
      } as never);
      return true;
    } catch (error) {
      if (!isStatus(error, 'ABORTED') || attempt >= 5) throw s.explain(error, 'Cloud Run setIamPolicy');
      s.ctx.progress('the IAM policy changed meanwhile: reading it again', `attempt ${attempt + 1}`);
    }
  }
}

async function buildFailure(s: GcpSession, name: string, message: string): Promise<KaggError> {
  const [fn] = ((await s.call('getFunction', () => s.clients.functions.getFunction({ name }), true)) ?? []) as [Fn?];
  const notes = (fn?.stateMessages ?? []).map((m) => m.message).filter(Boolean);
  const detail = [message, ...notes.filter((n) => n !== message)].join('\n');
  return new KaggError(`the Cloud Functions deploy of ${name} failed: ${detail}`, {
    code: 'GCP_BUILD_FAILED',
    action: 'read the build log named above, fix the notebook or its requirements, and run `kagg deploy` again',
    details: { stateMessages: notes },
  });
}

/** Calls `url` until it answers 2xx, under kagg's deadline (at most 2 min). */
async function waitUntilAnswering(
  s: GcpSession<{ close(): Promise<void> }>,
  url: string,
  headers: () => Promise<Record<string, string>>,
) {
  const deadline = Date.now() + Math.min(s.timing.operationMs, 120_000);
  let last = 'no answer yet';
  for (;;) {
    s.ctx.signal.throwIfAborted();
    try {
      const res = await fetch(url, {
        headers: await headers(),
        signal: AbortSignal.any([s.ctx.signal, AbortSignal.timeout(30_000)]),
      });
      const body = await res.text();
      if (res.ok) return;
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      if (error instanceof KaggError || s.ctx.signal.aborted) throw error;
      last = (error as Error).message;
    }
    if (Date.now() + s.timing.pollMs > deadline) {
      throw new KaggError(`the endpoint ${url} did not answer its health call (last: ${last})`, {
        code: 'GCP_HEALTH_TIMEOUT',
        action: 'run `kagg deploy` again (it resumes), or read its logs in the Cloud console',
      });
    }
    await s.pause();
  }
}

/**
 * The last steps of a deploy on Cloud Run (a function's service, or a cloud-run service): the
 * allUsers invoker binding as `isPublic` wants it, then a health call (with an identity token when
 * private). True when the binding changed.
 */
export async function openUp(
  s: GcpSession<Pick<GcpClients, 'run' | 'close'>>,
  service: string,
  url: string,
  isPublic: boolean,
  seam: GcpSeam,
): Promise<boolean> {
  s.ctx.progress('checking who may invoke it', isPublic ? 'allUsers' : 'identity tokens only');
  const changed = await ensureInvoker(s, service, isPublic);
  s.ctx.progress('waiting for the endpoint to answer', url);
  await waitUntilAnswering(
    s,
    url,
    async (): Promise<Record<string, string>> =>
      isPublic ? {} : { authorization: `Bearer ${await identityToken(url, seam)}` },
  );
  return changed;
}

export async function deployToGcf(
  artifact: Artifact,
  ctx: DeployContext<GcpOptions>,
  seam: GcpSeam,
): Promise<Deployment> {
  const options = resolveGcpOptions(ctx.options);
  const project = resolveProject(options.project, seam);
  const id = ctx.resourceName ?? functionIdOf(ctx.name);
  const env = { ...options.environment, ...ctx.env };
  for (const value of Object.values(env)) registerSecret(value);
  const written = new Set<string>();
  const s = await GcpSession.open(project, options.region, seam, ctx);
  try {
    const name = s.functionName(id);
    ctx.progress('checking the region', `${project}/${options.region}`);
    const [runtimes] = (await s.must('listRuntimes', () =>
      s.clients.functions.listRuntimes({ parent: s.parent }),
    )) as unknown as [{ runtimes?: Array<{ name?: string }> }];
    if (!(runtimes.runtimes ?? []).some((r) => r.name === options.runtime)) {
      throw new KaggError(`runtime ${options.runtime} is not offered in ${options.region}`, {
        code: 'GCP_RUNTIME_UNAVAILABLE',
        action: `pick another --set runtime= (${(runtimes.runtimes ?? []).map((r) => r.name).join(', ')}) or --region`,
      });
    }
    // Project, credentials and region are good: from here on something may be made.
    await ctx.record?.({ functionId: id, project, region: options.region });
    ctx.progress('looking up the function', id);
    const existing = await settled(s, name);
    if (existing) await ensureOwnership(s, ctx, existing, id);
    const hash = sourceHash(artifact.zip);
    const labels = { [MANAGED_BY_LABEL]: 'kagg', [ENDPOINT_LABEL]: labelValueOf(ctx.name), [SOURCE_LABEL]: hash };
    const service = desiredService(options, env);
    const build = { runtime: options.runtime, entryPoint: ENTRY_POINT };
    const codeChanged =
      !existing ||
      stateOf(existing) === 'FAILED' ||
      existing.labels?.[SOURCE_LABEL] !== hash ||
      existing.buildConfig?.runtime !== build.runtime ||
      existing.buildConfig?.entryPoint !== build.entryPoint;
    const mask = existing ? serviceChanges(existing, service) : [];
    if (existing && !sameMap(existing.labels, labels)) mask.push('labels');
    let operation: string | undefined;
    if (codeChanged || mask.length > 0) {
      const source = codeChanged ? { storageSource: await uploadStep(s, artifact.zip) } : undefined;
      const body = {
        name,
        environment: 'GEN_2',
        labels,
        buildConfig: { ...build, ...(source ? { source } : {}) },
        serviceConfig: service,
      };
      if (!existing) {
        ctx.progress('creating the function', `${id} (${options.runtime}, ${options.memory} MiB)`);
        ctx.signal.throwIfAborted();
        try {
          const [op] = await s.clients.functions.createFunction({
            parent: s.parent,
            functionId: id,
            function: body,
          } as never);
          operation = (op as { name: string }).name;
        } catch (error) {
          if (!isStatus(error, 'ALREADY_EXISTS')) throw s.explain(error, 'createFunction');
        }
      }
      if (!operation) {
        const paths = codeChanged
          ? [
              'buildConfig.source',
              'buildConfig.runtime',
              'buildConfig.entryPoint',
              'labels',
              ...serviceChanges({}, service),
            ]
          : mask;
        ctx.progress('updating the function', paths.join(', '));
        const [op] = await s.must('updateFunction', () =>
          s.clients.functions.updateFunction({ function: body, updateMask: { paths } } as never),
        );
        operation = (op as { name: string }).name;
      }
      written.add(codeChanged ? 'code' : 'config');
      if (mask.some((p) => p.startsWith('serviceConfig'))) written.add('config');
      ctx.progress('waiting for the build and the rollout', 'Cloud Build, then Cloud Run');
      const failed = await s.waitOperation(s.clients.functions.operationsClient, operation, `deploying ${id}`);
      if (failed) {
        const error = await buildFailure(s, name, failed.message);
        // A function this deploy created and that never ran is removed: nothing is left to clean up.
        if (!existing) await deleteFunction(s, id);
        throw error;
      }
    } else {
      ctx.progress('function unchanged', id);
    }
    const [fn] = (await s.must('getFunction', () => s.clients.functions.getFunction({ name }))) as unknown as [Fn];
    if (stateOf(fn) !== 'ACTIVE') throw await buildFailure(s, name, `the function is ${stateOf(fn)}`);
    const url = (fn.url ?? fn.serviceConfig?.uri) as string;
    const runService = String(fn.serviceConfig?.service ?? `${s.parent}/services/${id}`);
    if (await openUp(s, runService, url, options.public, seam)) written.add('auth');
    return {
      target: 'gcp',
      name: ctx.name,
      url,
      auth: options.public ? 'public' : 'private',
      bundleHash: artifact.bundle.hash,
      region: options.region,
      providerIds: { functionId: id, project, region: options.region, service: runService },
      written: [...written],
    };
  } finally {
    await s.close();
  }
}

async function uploadStep(s: GcpSession, zip: Uint8Array): Promise<Record<string, unknown>> {
  s.ctx.progress('uploading the source', `${(zip.byteLength / 1024).toFixed(0)} KiB`);
  return upload(s, zip);
}

/** Deletes the function (its Cloud Run service and IAM policy go with it) and waits for it. */
async function deleteFunction(s: GcpSession, id: string): Promise<void> {
  const name = s.functionName(id);
  s.ctx.progress('deleting the function', id);
  const deleted = await s.call('deleteFunction', () => s.clients.functions.deleteFunction({ name }), true);
  if (!deleted) return;
  const failed = await s.waitOperation(
    s.clients.functions.operationsClient,
    (deleted[0] as { name: string }).name,
    `deleting ${id}`,
  );
  if (failed) throw new KaggError(`deleting ${name} failed: ${failed.message}`, { code: 'GCP_CALL_FAILED' });
}

/**
 * Where an (possibly interrupted) deployment lives: its recorded ids (`project`, `region`, `idKey`),
 * else today's settings and the resource name kagg would choose.
 */
export function locateDeployment(
  deployment: Deployment & { resourceName?: string },
  settings: { project?: string; region: string },
  seam: GcpSeam,
  idKey: string,
  defaultId: (endpoint: string) => string,
): { project: string; region: string; id: string } {
  const ids = deployment.providerIds;
  const project = typeof ids.project === 'string' ? ids.project : resolveProject(settings.project, seam);
  const region = typeof ids.region === 'string' ? ids.region : (deployment.region ?? settings.region);
  const recorded = ids[idKey];
  const id = typeof recorded === 'string' ? recorded : (deployment.resourceName ?? defaultId(deployment.name));
  return { project, region, id };
}

const locate = (deployment: Deployment, ctx: OperationContext, seam: GcpSeam) =>
  locateDeployment(
    deployment,
    resolveGcpOptions(ctx.options as GcpOptions | undefined),
    seam,
    'functionId',
    functionIdOf,
  );

export async function destroyGcf(deployment: Deployment, ctx: OperationContext, seam: GcpSeam): Promise<void> {
  const { project, region, id } = locate(deployment, ctx, seam);
  const s = await GcpSession.open(project, region, seam, ctx);
  try {
    if (await settled(s, s.functionName(id))) await deleteFunction(s, id);
  } finally {
    await s.close();
  }
}

export async function describeGcf(
  deployment: Deployment,
  ctx: OperationContext,
  seam: GcpSeam,
): Promise<DeploymentStatus> {
  const { project, region, id } = locate(deployment, ctx, seam);
  const s = await GcpSession.open(project, region, seam, ctx);
  try {
    const name = s.functionName(id);
    const [fn] = ((await s.call('getFunction', () => s.clients.functions.getFunction({ name }), true)) ?? []) as [Fn?];
    if (!fn) return { state: 'missing', detail: `no Cloud Function ${id} in ${project}/${region}` };
    const state = stateOf(fn);
    const c = fn.serviceConfig ?? {};
    const summary = `${String(fn.buildConfig?.runtime ?? '?')}, ${String(c.availableMemory ?? '?')}, timeout ${String(c.timeoutSeconds ?? '?')} s`;
    if (state === 'ACTIVE') return { state: 'ready', detail: `ACTIVE at ${fn.url}; ${summary}` };
    if (state === 'FAILED')
      return { state: 'failed', detail: `FAILED: ${(fn.stateMessages ?? []).map((m) => m.message).join('; ')}` };
    if (state === 'DEPLOYING' || state === 'DELETING') return { state: 'pending', detail: `${state}; ${summary}` };
    return { state: 'failed', detail: `state ${state}` };
  } finally {
    await s.close();
  }
}

export async function invocationOfGcf(deployment: Deployment, seam: GcpSeam): Promise<Invocation> {
  if (deployment.auth === 'public') return { url: deployment.url, headers: {} };
  return {
    url: deployment.url,
    headers: {},
    sign: async () => ({ authorization: `Bearer ${await identityToken(deployment.url, seam)}` }),
  };
}
