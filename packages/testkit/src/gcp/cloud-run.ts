/**
 * A strict fake of the Google APIs behind `gcloud run deploy --source`, on 127.0.0.1: Cloud Storage
 * (bucket get/insert, the JSON API media upload, object download for build logs), Artifact Registry
 * (repositories get/create, an operation), Cloud Build (builds.create as an operation, builds.get,
 * the log object), and Cloud Run Admin v2 (services get/create/patch/delete with etags and
 * operations, getIamPolicy/setIamPolicy). Shapes follow the REST references and the protos the real
 * @google-cloud/cloudbuild and @google-cloud/run clients send in REST fallback mode.
 *
 * Every API request must carry `Authorization: Bearer <accessToken>`; errors come in Google's
 * `{error: {code, message, status}}` envelope; operations stay pending for a few polls. A "build"
 * checks the uploaded tarball the way `docker build` would (a Dockerfile with FROM and CMD, the files
 * COPY names) and records the image. A service URL (`/run/<region>/<service>/...`) refuses (403)
 * without the allUsers invoker binding or the identity token, and otherwise serves the image's build
 * context through the Dockerfile's CMD, run by a real python3 with `PORT` set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BundleFile } from '@kagg/plugin-api';
import {
  ApiError,
  etagOf,
  type GcpRecordedRequest,
  type IamPolicy,
  iamCall,
  Operations,
  type OpResult,
  recordedRequest,
  sendError,
  sendJson,
} from './common.js';
import { untarFiles } from './tar.js';

/** A request as the fake recorded it. */
export type CloudRunRecordedRequest = GcpRecordedRequest;

export interface CloudRunFakeOptions {
  /** The one OAuth access token the APIs accept (default `kagg-fake-gcp-access-token`). */
  accessToken?: string;
  /** The identity token private service URLs accept (default `kagg-fake-gcp-identity-token`). */
  identityToken?: string;
  /** Projects that exist (default `['kagg-test']`). */
  projects?: string[];
  /** Regions with Cloud Run (default us-central1, europe-west1, europe-west4, asia-east1). */
  regions?: string[];
  /** Polls before an operation is done (default 2). */
  operationPolls?: number;
  /** Interpreter that runs a container's CMD when it names python/python3 (default python3). */
  python?: string;
}

export interface CloudRunFakeService {
  name: string;
  region: string;
  id: string;
  /** The Service resource as the API returns it. */
  resource: Record<string, unknown>;
  /** The running container of the current revision, started on the first request. */
  container?: { process: ChildProcess; port: number; dir: string; revision: string };
}

export interface CloudRunFake {
  /** `http://127.0.0.1:<port>`: what KAGG_GCP_API_ENDPOINT points at. */
  url: string;
  accessToken: string;
  identityToken: string;
  requests: CloudRunRecordedRequest[];
  services: Map<string, CloudRunFakeService>;
  /** IAM policies by service name. */
  policies: Map<string, IamPolicy>;
  /** Objects by bucket, then object name. */
  buckets: Map<string, Map<string, Uint8Array>>;
  /** Artifact Registry repositories by name. */
  repositories: Map<string, Record<string, unknown>>;
  /** Builds by id, as builds.get returns them. */
  builds: Map<string, Record<string, unknown>>;
  /** Images in Artifact Registry: reference (`host/project/repo/name:tag`) -> build context files. */
  images: Map<string, BundleFile[]>;
  inject: {
    /** The next build fails: its step exits 1 and these lines end its log. */
    buildFailure(...logLines: string[]): void;
    /** Someone changes the service's IAM policy just before kagg's next setIamPolicy (stale etag). */
    concurrentIamChange(service: string): void;
    /** Someone updates the service just before kagg's next patch: the etag kagg read is stale. */
    concurrentServiceChange(service: string): void;
  };
  /** An image pushed by other means (`docker push`), for `--image`. Returns its reference. */
  pushImage(reference: string, files: BundleFile[]): string;
  calls(method: string, path: RegExp): CloudRunRecordedRequest[];
  /** State-changing API calls, in order (`createBuild`, `createService`, `setIamPolicy`...). */
  writes(): string[];
  close(): Promise<void>;
}

const SERVICE_ID = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';

/** The parts of a Dockerfile the fake acts on: ENV, COPY/ADD sources, CMD (exec or shell form). */
export function parseDockerfile(text: string): {
  from?: string;
  env: Record<string, string>;
  copies: string[];
  cmd?: string[];
} {
  const env: Record<string, string> = {};
  const copies: string[] = [];
  let from: string | undefined;
  let cmd: string[] | undefined;
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = line.slice(instruction.length).trim();
    switch (instruction.toUpperCase()) {
      case 'FROM':
        from ??= rest[0];
        break;
      case 'ENV':
        for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
          env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
        if (!args.includes('=') && rest.length >= 2) env[rest[0] as string] = rest.slice(1).join(' ');
        break;
      case 'COPY':
      case 'ADD': {
        if (rest.some((r) => r.startsWith('--from'))) break;
        const parts = args.startsWith('[') ? (JSON.parse(args) as string[]) : rest.filter((r) => !r.startsWith('--'));
        copies.push(...parts.slice(0, -1));
        break;
      }
      case 'CMD':
        cmd = args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
        break;
    }
  }
  return { ...(from ? { from } : {}), env, copies, ...(cmd ? { cmd } : {}) };
}

/** Why `docker build` of these files would fail, if it would. */
function buildProblem(files: BundleFile[]): string | undefined {
  const dockerfile = files.find((f) => f.path === 'Dockerfile');
  if (!dockerfile)
    return 'unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat /workspace/Dockerfile: no such file or directory';
  const parsed = parseDockerfile(Buffer.from(dockerfile.data).toString('utf8'));
  if (!parsed.from) return 'failed to solve: dockerfile parse error: no FROM instruction';
  for (const source of parsed.copies) {
    if (source === '.' || source === './') continue;
    const clean = source.replace(/^\.\//, '').replace(/\/$/, '');
    if (!files.some((f) => f.path === clean || f.path.startsWith(`${clean}/`)))
      return `failed to compute cache key: failed to calculate checksum of ref: "/${clean}": not found`;
  }
  if (!parsed.cmd) return 'the image has no CMD: Cloud Run would have nothing to start';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the container exited with ${child.exitCode} before listening: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the container did not listen on PORT=${port}: ${log()}`);
    await sleep(20);
  }
}

export async function startCloudRunFake(options: CloudRunFakeOptions = {}): Promise<CloudRunFake> {
  const accessToken = options.accessToken ?? 'kagg-fake-gcp-access-token';
  const identityToken = options.identityToken ?? 'kagg-fake-gcp-identity-token';
  const projects = new Set(options.projects ?? ['kagg-test']);
  const regions = new Set(options.regions ?? ['us-central1', 'europe-west1', 'europe-west4', 'asia-east1']);
  const polls = options.operationPolls ?? 2;
  const python = options.python ?? 'python3';
  const requests: CloudRunRecordedRequest[] = [];
  const writes: string[] = [];
  const buckets = new Map<string, Map<string, Uint8Array>>();
  const repositories = new Map<string, Record<string, unknown>>();
  const builds = new Map<string, Record<string, unknown>>();
  const images = new Map<string, BundleFile[]>();
  const services = new Map<string, CloudRunFakeService>();
  const policies = new Map<string, IamPolicy>();
  const operations = new Operations(polls);
  const buildFailures: string[][] = [];
  const iamChanges = new Set<string>();
  const serviceChanges = new Set<string>();
  let base = '';

  const operation = operations.start.bind(operations);

  const stopContainer = (svc: CloudRunFakeService) => {
    const c = svc.container;
    svc.container = undefined;
    if (!c) return;
    c.process.kill('SIGKILL');
    rmSync(c.dir, { recursive: true, force: true });
  };

  // --- Cloud Storage (JSON API) ---------------------------------------------------------------
  const storage = (req: CloudRunRecordedRequest): { status: number; body: unknown; raw?: Buffer } => {
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(req.path);
    if (upload && req.method === 'POST') {
      const bucket = buckets.get(upload[1] as string);
      if (!bucket) throw new ApiError(404, 'The specified bucket does not exist.');
      if (req.query.uploadType !== 'media') throw new ApiError(400, 'uploadType=media is the only upload type served');
      const object = req.query.name;
      if (!object) throw new ApiError(400, 'Required parameter: name');
      bucket.set(object, new Uint8Array(req.body));
      writes.push('uploadObject');
      return {
        status: 200,
        body: {
          kind: 'storage#object',
          bucket: upload[1],
          name: object,
          generation: String(Date.now()),
          size: String(req.body.length),
          contentType: req.headers['content-type'],
        },
      };
    }
    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(req.path);
    if (object && req.method === 'GET') {
      const data = buckets.get(object[1] as string)?.get(object[2] as string);
      if (!data) throw new ApiError(404, `No such object: ${object[1]}/${object[2]}`);
      if (req.query.alt !== 'media')
        return { status: 200, body: { bucket: object[1], name: object[2], size: String(data.length) } };
      return { status: 200, body: undefined, raw: Buffer.from(data) };
    }
    const bucket = /^\/storage\/v1\/b\/([^/]+)$/.exec(req.path);
    if (bucket && req.method === 'GET') {
      if (!buckets.has(bucket[1] as string)) throw new ApiError(404, 'The specified bucket does not exist.');
      return { status: 200, body: { kind: 'storage#bucket', name: bucket[1], id: bucket[1] } };
    }
    if (req.path === '/storage/v1/b' && req.method === 'POST') {
      const project = req.query.project ?? '';
      if (!projects.has(project)) throw new ApiError(403, `The project ${project} does not exist or you lack access.`);
      const body = JSON.parse(req.body.toString('utf8') || '{}') as { name?: string };
      const name = body.name ?? '';
      if (!/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/.test(name)) throw new ApiError(400, `Invalid bucket name: '${name}'`);
      if (buckets.has(name))
        throw new ApiError(409, 'Your previous request to create the named bucket succeeded and you already own it.');
      buckets.set(name, new Map());
      writes.push('createBucket');
      return { status: 200, body: { kind: 'storage#bucket', name, id: name } };
    }
    throw new ApiError(404, `no route ${req.method} ${req.path}`);
  };

  // --- Artifact Registry v1 and Cloud Build v1 ------------------------------------------------
  const runBuild = (id: string, project: string, files: BundleFile[] | undefined, image: string) => (): OpResult => {
    const build = builds.get(id) as Record<string, unknown>;
    const injected = buildFailures.shift();
    const problem = injected ? injected.join('\n') : files ? buildProblem(files) : 'source archive is not a tar.gz';
    const log = [
      `starting build "${id}"`,
      '',
      'FETCHSOURCE',
      `Fetching storage object: gs://${(build.source as { storageSource: { bucket: string; object: string } }).storageSource.bucket}/...`,
      'BUILD',
      `Starting Step #0`,
      `Step #0: Already have image (with digest): ${DOCKER_BUILDER}`,
      `Step #0: Sending build context to Docker daemon`,
    ];
    const logsBucket = `${project}.cloudbuild-logs.googleusercontent.com`;
    if (!buckets.has(logsBucket)) buckets.set(logsBucket, new Map());
    build.finishTime = new Date().toISOString();
    if (problem) {
      log.push(
        ...problem.split('\n').map((l) => `Step #0: ${l}`),
        `Finished Step #0`,
        'ERROR',
        `ERROR: build step 0 "${DOCKER_BUILDER}" failed: step exited with non-zero status: 1`,
      );
      buckets.get(logsBucket)?.set(`log-${id}.txt`, new TextEncoder().encode(`${log.join('\n')}\n`));
      build.status = 'FAILURE';
      build.statusDetail = `Build step failure: build step 0 "${DOCKER_BUILDER}" failed: step exited with non-zero status: 1`;
      build.failureInfo = { type: 'USER_BUILD_STEP', detail: build.statusDetail };
      return { error: { code: 2, message: `Build failed; check build logs for details` } };
    }
    const digest = `sha256:${createHash('sha256')
      .update(JSON.stringify(files?.map((f) => [f.path, Buffer.from(f.data).toString('base64')])))
      .digest('hex')}`;
    images.set(image, files as BundleFile[]);
    images.set(`${image.replace(/:[^:/]+$/, '')}@${digest}`, files as BundleFile[]);
    log.push(
      'Step #0: Successfully built',
      `Step #0: Successfully tagged ${image}`,
      'Finished Step #0',
      'PUSH',
      `Pushing ${image}`,
      'DONE',
    );
    buckets.get(logsBucket)?.set(`log-${id}.txt`, new TextEncoder().encode(`${log.join('\n')}\n`));
    build.status = 'SUCCESS';
    build.results = { images: [{ name: image, digest }] };
    return { response: { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.Build', ...build } };
  };

  const v1 = (req: CloudRunRecordedRequest, project: string, region: string, rest: string) => {
    const parent = `projects/${project}/locations/${region}`;
    const body = req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
    if (rest === 'repositories' && req.method === 'POST') {
      const id = req.query.repositoryId ?? '';
      if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(id)) throw new ApiError(400, `invalid repositoryId "${id}"`);
      const name = `${parent}/repositories/${id}`;
      if (repositories.has(name)) throw new ApiError(409, `the repository already exists: ${name}`);
      if (body.format !== 'DOCKER' && body.format !== 1) throw new ApiError(400, 'format must be DOCKER');
      const repo = {
        name,
        format: 'DOCKER',
        description: body.description ?? '',
        labels: body.labels ?? {},
        createTime: new Date().toISOString(),
      };
      writes.push('createRepository');
      return operation(
        parent,
        name,
        { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata' },
        () => {
          repositories.set(name, repo);
          return {
            response: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository', ...repo },
          };
        },
      );
    }
    const repo = /^repositories\/([^/]+)$/.exec(rest);
    if (repo && req.method === 'GET') {
      const name = `${parent}/repositories/${repo[1]}`;
      operations.touch(name);
      const found = repositories.get(name);
      if (!found) throw new ApiError(404, `Requested entity was not found.`);
      return found;
    }
    if (rest === 'builds' && req.method === 'POST') {
      const storageSource = (body.source as { storageSource?: { bucket?: string; object?: string } } | undefined)
        ?.storageSource;
      const archive =
        storageSource?.bucket && storageSource.object
          ? buckets.get(storageSource.bucket)?.get(storageSource.object)
          : undefined;
      if (!archive)
        throw new ApiError(400, `source.storageSource names no uploaded object: ${JSON.stringify(storageSource)}`);
      const steps = (body.steps as Array<{ name?: string; args?: string[] }> | undefined) ?? [];
      const step = steps[0];
      const tag = step?.args?.[step.args.indexOf('-t') + 1];
      if (
        steps.length !== 1 ||
        step?.name !== DOCKER_BUILDER ||
        step.args?.[0] !== 'build' ||
        !step.args.includes('-t') ||
        !tag
      )
        throw new ApiError(400, `the fake builds one step: ${DOCKER_BUILDER} build -t IMAGE .`);
      if (!(body.images as string[] | undefined)?.includes(tag))
        throw new ApiError(400, `images must list ${tag} so it is pushed`);
      const m = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/.exec(tag);
      if (!m)
        throw new ApiError(
          400,
          `image ${tag} is not an Artifact Registry reference (REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG)`,
        );
      if (!repositories.has(`projects/${m[2]}/locations/${m[1]}/repositories/${m[3]}`))
        throw new ApiError(400, `the Artifact Registry repository ${m[3]} does not exist in ${m[1]}`);
      let files: BundleFile[] | undefined;
      try {
        files = untarFiles(archive);
      } catch {
        files = undefined;
      }
      const id = randomUUID();
      const build: Record<string, unknown> = {
        ...body,
        name: `${parent}/builds/${id}`,
        id,
        projectId: project,
        status: 'QUEUED',
        createTime: new Date().toISOString(),
        logsBucket: `gs://${project}.cloudbuild-logs.googleusercontent.com`,
        logUrl: `https://console.cloud.google.com/cloud-build/builds;region=${region}/${id}?project=${project}`,
      };
      builds.set(id, build);
      writes.push('createBuild');
      return operation(
        parent,
        build.name as string,
        { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata', build },
        runBuild(id, project, files, tag),
      );
    }
    const b = /^builds\/([^/]+)$/.exec(rest);
    if (b && req.method === 'GET') {
      const build = builds.get(b[1] as string);
      if (!build) throw new ApiError(404, `Requested entity was not found.`);
      if (!operations.touch(build.name as string) && build.status === 'QUEUED') build.status = 'WORKING';
      return build;
    }
    if (/^operations\/[^/]+$/.test(rest) && req.method === 'GET') return operations.get(`${parent}/${rest}`);
    throw new ApiError(404, `no route ${req.method} ${req.path}`);
  };

  // --- Cloud Run Admin v2 -----------------------------------------------------------------------
  const serviceJson = (svc: CloudRunFakeService) => ({ ...svc.resource });
  const checkTemplate = (resource: Record<string, unknown>) => {
    const template = resource.template as Record<string, unknown> | undefined;
    const containers = (template?.containers as Array<Record<string, unknown>> | undefined) ?? [];
    if (containers.length !== 1 || typeof containers[0]?.image !== 'string')
      throw new ApiError(400, 'template.containers must hold exactly one container with an image');
    const limits = ((containers[0].resources as { limits?: Record<string, string> } | undefined)?.limits ??
      {}) as Record<string, string>;
    if (limits['nvidia.com/gpu']) {
      const cpu = Number(limits.cpu ?? 1);
      const memory = String(limits.memory ?? '512Mi');
      const mib = memory.endsWith('Gi') ? Number.parseFloat(memory) * 1024 : Number.parseFloat(memory);
      if (!(template?.nodeSelector as { accelerator?: string } | undefined)?.accelerator)
        throw new ApiError(400, 'a GPU needs template.nodeSelector.accelerator (e.g. nvidia-l4)');
      if (cpu < 4 || mib < 16 * 1024) throw new ApiError(400, 'a GPU needs at least 4 CPU and 16Gi of memory');
    }
    return String(containers[0].image);
  };
  const rollout = (svc: CloudRunFakeService, image: string) => (): OpResult => {
    stopContainer(svc);
    const r = svc.resource;
    r.reconciling = false;
    if (!images.has(image)) {
      r.terminalCondition = { type: 'Ready', state: 'CONDITION_FAILED', message: `Image '${image}' not found.` };
      return { error: { code: 3, message: `Image '${image}' not found.` } };
    }
    const revision = `${svc.id}-${String(r.generation).padStart(5, '0')}-${randomUUID().slice(0, 3)}`;
    r.latestCreatedRevision = `${svc.name}/revisions/${revision}`;
    r.latestReadyRevision = r.latestCreatedRevision;
    r.terminalCondition = { type: 'Ready', state: 'CONDITION_SUCCEEDED' };
    r.observedGeneration = r.generation;
    return { response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(svc) } };
  };

  const v2 = (req: CloudRunRecordedRequest, project: string, region: string, rest: string) => {
    const parent = `projects/${project}/locations/${region}`;
    const body = req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
    const meta = (svc: CloudRunFakeService) => ({
      '@type': 'type.googleapis.com/google.cloud.run.v2.Service',
      name: svc.name,
    });
    if (rest === 'services' && req.method === 'POST') {
      const id = req.query.serviceId ?? '';
      if (!SERVICE_ID.test(id))
        throw new ApiError(400, `invalid serviceId "${id}": lower-case letters, digits and hyphens, at most 49`);
      const name = `${parent}/services/${id}`;
      if (services.has(name)) throw new ApiError(409, `Resource '${id}' already exists.`);
      const image = checkTemplate(body);
      const svc: CloudRunFakeService = {
        name,
        region,
        id,
        resource: {
          ...body,
          name,
          uid: randomUUID(),
          generation: '1',
          createTime: new Date().toISOString(),
          uri: `${base}/run/${region}/${id}`,
          urls: [`${base}/run/${region}/${id}`],
          reconciling: true,
          etag: `"${etagOf(id)}"`,
        },
      };
      services.set(name, svc);
      policies.set(name, { etag: etagOf(name), bindings: [] });
      writes.push('createService');
      return operation(parent, name, meta(svc), rollout(svc, image));
    }
    const sm = /^services\/([^/:]+)$/.exec(rest);
    if (sm) {
      const name = `${parent}/services/${sm[1]}`;
      if (req.method === 'GET') operations.touch(name);
      const svc = services.get(name);
      if (!svc)
        throw new ApiError(
          404,
          `Resource '${sm[1]}' of kind 'SERVICE' in region '${region}' in project '${project}' does not exist.`,
        );
      if (req.method === 'GET') return serviceJson(svc);
      if (serviceChanges.delete(name)) svc.resource.etag = `"${etagOf(svc)}"`;
      const etag = req.method === 'DELETE' ? req.query.etag : (body.etag as string | undefined);
      if (etag && etag !== svc.resource.etag)
        throw new ApiError(
          409,
          `etag mismatch: the service changed since it was read (${etag} is not ${String(svc.resource.etag)})`,
          'ABORTED',
        );
      if (req.method === 'PATCH') {
        if (svc.resource.reconciling)
          throw new ApiError(409, 'the service is being reconciled: try again later', 'FAILED_PRECONDITION');
        const image = checkTemplate(body);
        const keep = ['name', 'uid', 'createTime', 'uri', 'urls', 'latestReadyRevision', 'latestCreatedRevision'];
        svc.resource = {
          ...Object.fromEntries(keep.filter((k) => k in svc.resource).map((k) => [k, svc.resource[k]])),
          ...body,
          name,
          generation: String(Number(svc.resource.generation) + 1),
          updateTime: new Date().toISOString(),
          reconciling: true,
          etag: `"${etagOf(body)}"`,
        };
        writes.push('updateService');
        return operation(parent, name, meta(svc), rollout(svc, image));
      }
      if (req.method === 'DELETE') {
        svc.resource.reconciling = true;
        writes.push('deleteService');
        return operation(parent, name, meta(svc), () => {
          services.delete(name);
          policies.delete(name);
          stopContainer(svc);
          return { response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(svc) } };
        });
      }
    }
    const iam = /^services\/([^/:]+):(getIamPolicy|setIamPolicy)$/.exec(rest);
    if (iam) return iamCall(policies, iamChanges, writes, `${parent}/services/${iam[1]}`, iam[2] as string, req, body);
    if (/^operations\/[^/]+$/.test(rest) && req.method === 'GET') return operations.get(`${parent}/${rest}`);
    throw new ApiError(404, `no route ${req.method} ${req.path}`);
  };

  const api = (req: CloudRunRecordedRequest): { status: number; body: unknown; raw?: Buffer } => {
    if (req.headers.authorization !== `Bearer ${accessToken}`)
      throw new ApiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    if (req.path.startsWith('/storage/') || req.path.startsWith('/upload/storage/')) return storage(req);
    const m = /^\/(v1|v2)\/projects\/([^/]+)\/locations\/([^/]+)\/(.+)$/.exec(req.path);
    if (!m) throw new ApiError(404, `no route ${req.method} ${req.path}`);
    const [, version, project, region, rest] = m as unknown as [string, string, string, string, string];
    if (!projects.has(project))
      throw new ApiError(403, `Permission denied on resource project ${project} (or it may not exist).`);
    if (!regions.has(region))
      throw new ApiError(404, `Location ${region} is not found or Cloud Run is not available there.`);
    return { status: 200, body: version === 'v1' ? v1(req, project, region, rest) : v2(req, project, region, rest) };
  };

  /** Starts the current revision's container: the image's context unpacked, its CMD run with PORT. */
  const startContainer = async (svc: CloudRunFakeService) => {
    const revision = String(svc.resource.latestReadyRevision);
    if (svc.container?.revision === revision && svc.container.process.exitCode === null) return svc.container;
    stopContainer(svc);
    const template = svc.resource.template as {
      containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }>;
    };
    const container = template.containers[0] as { image: string; env?: Array<{ name: string; value?: string }> };
    const files = images.get(container.image) as BundleFile[];
    const dir = mkdtempSync(path.join(tmpdir(), 'kagg-cloud-run-fake-'));
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.data, { mode: f.mode ?? 0o644 });
    }
    const docker = parseDockerfile(
      Buffer.from(files.find((f) => f.path === 'Dockerfile')?.data ?? []).toString('utf8'),
    );
    const [command = '', ...args] = docker.cmd ?? [];
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...docker.env,
      ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ''])),
      PORT: String(port),
      K_SERVICE: svc.id,
      K_REVISION: revision.split('/').at(-1) as string,
    };
    const child = spawn(/^python3?$/.test(command) ? python : command, args, {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    svc.container = { process: child, port, dir, revision };
    try {
      await waitForPort(port, child, 20_000, () => output);
    } catch (error) {
      stopContainer(svc);
      throw error;
    }
    return svc.container;
  };

  const invoke = async (req: CloudRunRecordedRequest, incoming: IncomingMessage, res: ServerResponse) => {
    const m = /^\/run\/([^/]+)\/([^/]+)(\/.*)?$/.exec(req.path) as [string, string, string, string?] | null;
    const svc = m ? [...services.values()].find((s) => s.region === m[1] && s.id === m[2]) : undefined;
    if (!m || !svc?.resource.latestReadyRevision) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Error: Page not found</h1>');
      return;
    }
    const invokers = policies.get(svc.name)?.bindings.find((b) => b.role === 'roles/run.invoker')?.members ?? [];
    if (!invokers.includes('allUsers') && req.headers.authorization !== `Bearer ${identityToken}`) {
      res
        .writeHead(403, { 'content-type': 'text/html' })
        .end('<h1>Error: Forbidden</h1><h2>Your client does not have permission to get URL from this server.</h2>');
      return;
    }
    const container = await startContainer(svc);
    const query = incoming.url?.includes('?') ? incoming.url.slice(incoming.url.indexOf('?')) : '';
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'authorization'),
    );
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: container.port, method: req.method, path: `${m[3] ?? '/'}${query}`, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
        },
      );
      upstream.on('error', reject);
      upstream.end(req.body);
    });
  };

  const server = createServer((incoming: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const req = recordedRequest(incoming, Buffer.concat(chunks));
      requests.push(req);
      if (req.path.startsWith('/run/')) {
        invoke(req, incoming, res).catch((error: unknown) => {
          if (!res.headersSent)
            res.writeHead(503, { 'content-type': 'text/plain' }).end(`container failed to start: ${String(error)}`);
        });
        return;
      }
      try {
        const reply = api(req);
        if (reply.raw) res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8' }).end(reply.raw);
        else sendJson(res, reply.status, reply.body);
      } catch (error) {
        sendError(res, error);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    accessToken,
    identityToken,
    requests,
    services,
    policies,
    buckets,
    repositories,
    builds,
    images,
    inject: {
      buildFailure: (...lines) => buildFailures.push(lines),
      concurrentIamChange: (service) => iamChanges.add(service),
      concurrentServiceChange: (service) => serviceChanges.add(service),
    },
    pushImage: (reference, files) => {
      images.set(reference, files);
      return reference;
    },
    calls: (method, p) => requests.filter((r) => r.method === method && p.test(r.path)),
    writes: () => [...writes],
    close: async () => {
      for (const svc of services.values()) stopContainer(svc);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
