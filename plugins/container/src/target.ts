/**
 * The container target: the notebook's build context (@kagg/core/container) built into an image by
 * the local Docker or Podman engine and run on 127.0.0.1. The image is tagged by the context's hash,
 * so an unchanged notebook is never rebuilt. A redeploy keeps the port: the new container is created,
 * the old one stopped (not removed), the new one started on the same port; if it does not answer,
 * it is removed and the old one started again. Every container carries `kagg.endpoint=<name>`, so
 * a redeploy and `destroy` also remove what an interrupted deploy left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { zipFiles } from '@kagg/core/bundle';
import { BASE_IMAGE, CONTAINER_PORT, containerContextFiles, tarFiles } from '@kagg/core/container';
import {
  type Artifact,
  type DeployContext,
  type Deployment,
  defineDeployTarget,
  type FunctionBundle,
  type OperationContext,
  TargetError,
} from '@kagg/plugin-api';
import { loopbackListening, loopbackPortFree, waitUntilAnswering } from '@kagg/plugin-api/kit';
import { build, demultiplex, type EngineEndpoint, engineRequest, ping, resolveEngine } from './engine.js';
import { type ContainerOptions, containerOptionsSchema } from './options.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export const ENDPOINT_LABEL = 'kagg.endpoint';
const CONTAINER_KEY = `${CONTAINER_PORT}/tcp`;
/** Seconds `docker stop` gives the server to drain (its own drain is 8 s) before SIGKILL. */
const STOP_SECONDS = 10;

/** The image of a context: `kagg-<name>:<first 12 hex of the context's sha256>`. */
export function imageTag(name: string, contextSha: string): string {
  return `kagg-${name}:${contextSha.slice(0, 12)}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `loopbackListening` until the port accepts connections (true) or `ms` pass (false). */
async function untilListening(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await loopbackListening(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function engineOf(options: { dockerHost?: string } | undefined): EngineEndpoint {
  return resolveEngine(options?.dockerHost);
}

/** Ids of every container (running or not) labelled for the endpoint `name`. */
async function containersOf(engine: EngineEndpoint, name: string, signal?: AbortSignal): Promise<string[]> {
  const res = await engineRequest(engine, 'GET', '/containers/json', {
    query: { all: 1, filters: JSON.stringify({ label: [`${ENDPOINT_LABEL}=${name}`] }) },
    ...(signal ? { signal } : {}),
  });
  return (JSON.parse(res.body.toString('utf8')) as { Id: string }[]).map((c) => c.Id);
}

async function remove(engine: EngineEndpoint, id: string): Promise<void> {
  await engineRequest(engine, 'DELETE', `/containers/${encodeURIComponent(id)}`, { query: { force: 1 }, ok: [404] });
}

async function stateOf(
  engine: EngineEndpoint,
  id: string,
): Promise<{ Status: string; Running: boolean; ExitCode: number } | undefined> {
  const res = await engineRequest(engine, 'GET', `/containers/${encodeURIComponent(id)}/json`, { ok: [404] });
  if (res.status === 404) return undefined;
  return (JSON.parse(res.body.toString('utf8')) as { State: { Status: string; Running: boolean; ExitCode: number } })
    .State;
}

async function logTail(engine: EngineEndpoint, id: string, lines: number): Promise<string> {
  const res = await engineRequest(engine, 'GET', `/containers/${encodeURIComponent(id)}/logs`, {
    query: { stdout: 1, stderr: 1, tail: lines },
    ok: [404],
  });
  return res.status === 404 ? '' : demultiplex(res.body).trimEnd();
}

export const containerTarget = defineDeployTarget<ContainerOptions>({
  id: 'container',
  title: 'A container on this machine (Docker or Podman, on 127.0.0.1)',
  version: VERSION,
  optionsSchema: containerOptionsSchema,

  async package(bundle: FunctionBundle): Promise<Artifact> {
    const files = await containerContextFiles(bundle);
    const contextSha = createHash('sha256').update(tarFiles(files)).digest('hex');
    return {
      target: 'container',
      bundle,
      files,
      zip: zipFiles(files),
      metadata: { contextSha, image: imageTag(bundle.name, contextSha), baseImage: BASE_IMAGE },
    };
  },

  async deploy(artifact: Artifact, ctx: DeployContext<ContainerOptions>): Promise<Deployment> {
    const { bundle } = artifact;
    const options = ctx.options;
    const engine = engineOf(options);
    const signal = ctx.signal;
    ctx.progress('connecting to the container engine', engine.display);
    await ping(engine, signal);

    const tar = tarFiles(artifact.files);
    const tag = imageTag(bundle.name, createHash('sha256').update(tar).digest('hex'));
    const image = await engineRequest(engine, 'GET', `/images/${encodeURIComponent(tag)}/json`, { ok: [404], signal });
    const built = image.status === 404;
    if (built) {
      ctx.progress('building the image', tag);
      const lines = await build(
        engine,
        tar,
        { t: tag, labels: JSON.stringify({ [ENDPOINT_LABEL]: bundle.name }) },
        signal,
      );
      for (const line of lines) ctx.log.debug(line);
    } else {
      ctx.progress('the image exists: not rebuilding', tag);
    }
    await ctx.record?.({ image: tag, engine: engine.display });

    const previous = ctx.previous;
    const prevId = typeof previous?.providerIds.container === 'string' ? previous.providerIds.container : undefined;
    const prevPort = Number(previous?.providerIds.port) || 0;
    const pinned = options.port ?? 0;
    const prevRunning = prevId !== undefined && (await stateOf(engine, prevId))?.Running === true;
    let port = pinned || prevPort;
    // The previous container holds its port until it is stopped; anything else holding it moves us.
    if (port && !(prevRunning && port === prevPort) && !(await loopbackPortFree(port))) {
      if (pinned) {
        throw new TargetError(`port ${pinned} is taken on 127.0.0.1`, {
          kind: 'usage',
          code: 'CONTAINER_PORT_TAKEN',
          action: 'free it, or choose another with --set port=N (0 keeps the last one or picks a free one)',
        });
      }
      ctx.log.warn(`port ${port} is taken: the endpoint moves to another port`);
      port = 0;
    }
    if (!port) port = await freePort();

    const env = {
      ...ctx.env,
      KAGG_MAX_BODY_BYTES: String(options.maxBodyBytes ?? containerOptionsSchema.properties.maxBodyBytes.default),
      KAGG_TIMEOUT: String(options.timeout ?? 0),
      ...(options.debug ? { KAGG_DEBUG: '1' } : {}),
    };
    const containerName = `kagg-${bundle.name}-${randomBytes(4).toString('hex')}`;
    ctx.progress('creating the container', containerName);
    const created = await engineRequest(engine, 'POST', '/containers/create', {
      query: { name: containerName },
      json: {
        Image: tag,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: { [ENDPOINT_LABEL]: bundle.name, 'kagg.bundle': bundle.hash },
        ExposedPorts: { [CONTAINER_KEY]: {} },
        HostConfig: {
          PortBindings: { [CONTAINER_KEY]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
          RestartPolicy: { Name: 'unless-stopped' },
          ...(options.memory ? { Memory: options.memory * 1024 * 1024 } : {}),
        },
      },
      signal,
    });
    const id = (JSON.parse(created.body.toString('utf8')) as { Id: string }).Id;
    await ctx.record?.({ container: id, port });

    let stoppedPrevious = false;
    try {
      signal.throwIfAborted();
      if (prevRunning && prevPort === port) {
        ctx.progress('stopping the previous container');
        await engineRequest(engine, 'POST', `/containers/${encodeURIComponent(prevId!)}/stop`, {
          query: { t: STOP_SECONDS },
          ok: [304, 404],
        });
        stoppedPrevious = true;
      }
      ctx.progress('starting the container', `127.0.0.1:${port}`);
      await engineRequest(engine, 'POST', `/containers/${encodeURIComponent(id)}/start`, { ok: [304], signal });
      ctx.progress('waiting for the notebook to answer');
      await waitUntilAnswering(`http://127.0.0.1:${port}/`, {
        deadlineMs: (options.startTimeout ?? 120) * 1000,
        signal,
      }).catch(async (error: unknown) => {
        const state = await stateOf(engine, id).catch(() => undefined);
        const logs = await logTail(engine, id, 20).catch(() => '');
        if (error instanceof Error && state && !state.Running) {
          error.message += ` (the container ${state.Status}, exit code ${state.ExitCode})`;
        }
        if (error instanceof Error && logs) error.message += `\n${logs}`;
        throw error;
      });
    } catch (error) {
      await remove(engine, id).catch(() => {});
      if (stoppedPrevious) {
        const restarted = await engineRequest(engine, 'POST', `/containers/${encodeURIComponent(prevId!)}/start`, {
          ok: [304],
        })
          .then(() => untilListening(port, (options.startTimeout ?? 120) * 1000))
          .catch(() => false);
        if (error instanceof Error) {
          error.message += restarted
            ? `\nthe previous version is serving again at ${previous?.url}`
            : `\nthe previous version did not come back at ${previous?.url}: deploy again`;
        }
      }
      throw error;
    }
    // The previous container, and any an interrupted deploy left: everything of this endpoint but the new one.
    for (const other of await containersOf(engine, bundle.name)) {
      if (other !== id) await remove(engine, other);
    }
    return {
      target: 'container',
      name: bundle.name,
      url: `http://127.0.0.1:${port}/`,
      auth: 'public',
      bundleHash: bundle.hash,
      providerIds: { container: id, image: tag, port, engine: engine.display },
      written: built ? ['image', 'container'] : ['container'],
    };
  },

  async destroy(deployment: Deployment, ctx: OperationContext<ContainerOptions>): Promise<void> {
    const engine = engineOf(ctx.options);
    ctx.progress('stopping and removing the containers');
    const ids = new Set(await containersOf(engine, deployment.name));
    if (typeof deployment.providerIds.container === 'string') ids.add(deployment.providerIds.container);
    for (const id of ids) await remove(engine, id);
  },

  async describe(deployment: Deployment, ctx: OperationContext<ContainerOptions>) {
    const id = deployment.providerIds.container;
    if (typeof id !== 'string') return { state: 'missing' as const, detail: 'no container recorded' };
    const state = await stateOf(engineOf(ctx.options), id);
    if (!state) return { state: 'missing' as const, detail: `no container ${id.slice(0, 12)}` };
    if (!state.Running) {
      return {
        state: 'stopped' as const,
        detail: `container ${id.slice(0, 12)} ${state.Status} (exit code ${state.ExitCode})`,
      };
    }
    if (await loopbackListening(Number(deployment.providerIds.port))) {
      return { state: 'ready' as const, detail: `container ${id.slice(0, 12)}` };
    }
    return { state: 'failed' as const, detail: `container ${id.slice(0, 12)} does not accept connections` };
  },

  async invocation(deployment: Deployment) {
    return { url: deployment.url, headers: {} };
  },

  async logs(deployment: Deployment, ctx: OperationContext<ContainerOptions>): Promise<string> {
    const id = deployment.providerIds.container;
    return typeof id === 'string' ? logTail(engineOf(ctx.options), id, 200) : '';
  },

  async doctor(ctx) {
    let engine: EngineEndpoint | undefined;
    try {
      engine = engineOf(ctx?.options);
      await ping(engine, AbortSignal.timeout(5000));
      return [{ name: 'container engine', ok: true, detail: `answers at ${engine.display}` }];
    } catch (error) {
      // Only `kagg deploy --container` needs it; `kagg package --container` does not.
      return [{ name: 'container engine', ok: true, warning: true, detail: (error as Error).message }];
    }
  },
});
