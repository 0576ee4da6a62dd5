/**
 * The local target: the notebook served by a background `python3` HTTP server on 127.0.0.1. It
 * outlives the CLI, logs under KAGG_HOME/logs, and keeps its port across redeploys: the new process
 * takes the running one's listening socket, loads the notebook while the old one serves, then the old
 * one drains its requests in flight and exits. No request is refused or reset meanwhile.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { zipFiles } from '@kagg/core/bundle';
import { KaggError } from '@kagg/core/errors';
import { readRuntimeFile } from '@kagg/core/runtime';
import {
  type Artifact,
  type BundleFile,
  type DeployContext,
  type Deployment,
  defineDeployTarget,
  type FunctionBundle,
  type LogEvent,
  type LogQuery,
  type OperationContext,
} from '@kagg/plugin-api';
import { loopbackListening, loopbackPortFree } from '@kagg/plugin-api/kit';
import { LOCAL_DEFAULTS, type LocalOptions, localOptionsSchema } from './options.js';
import { isOurServer, serversUnder, stopServer } from './process.js';

const SERVER = 'kagg_local.py';

async function tail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The server starts each line with the time it was written; a line without one (written before the
 * server took over its output, pip's) takes the time of the line before it.
 */
export function parseLog(text: string): LogEvent[] {
  const events: LogEvent[] = [];
  let last = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$/.exec(line);
    if (m) last = Date.parse(m[1] as string);
    events.push({ timestamp: last, message: m ? (m[2] as string) : line });
  }
  return events;
}

function logFileOf(ctx: { logDir: string }, name: string): string {
  return path.join(ctx.logDir, `local-${name}.log`);
}

/** What local_server.py writes to its ready file: listening, then (`loaded`) after the cold start. */
interface ReadyFile {
  port: number;
  pid: number;
  loaded?: boolean;
  initMs?: number;
  error?: string;
  type?: string;
}

/**
 * Where the server hands its listening socket to its successor: the endpoint's folder (removed with
 * it), or the temp folder when that path is too long for a Unix socket.
 */
function handoverPath(folder: string): string {
  const name = `.handover-${randomBytes(6).toString('hex')}.sock`;
  const inFolder = path.join(folder, name);
  return Buffer.byteLength(inFolder) < 100 ? inFolder : path.join(tmpdir(), `kagg-local${name}`);
}

/**
 * Waits until the server has loaded the notebook (its ready file says `loaded`) and accepts
 * connections. A start-up error of the notebook, or the process exiting, fails the deploy.
 */
async function waitUntilServing(
  exited: () => number | null,
  readyFile: string,
  logFile: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ReadyFile> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    const code = exited();
    if (code !== null) {
      throw new KaggError(`the local server exited (code ${code}) before answering:\n${await tail(logFile)}`, {
        code: 'LOCAL_START_FAILED',
        action: `full log: ${logFile}`,
      });
    }
    const text = await readFile(readyFile, 'utf8').catch(() => undefined);
    const ready = text ? (JSON.parse(text) as ReadyFile) : undefined;
    if (ready?.loaded) {
      if (ready.error !== undefined) {
        throw new KaggError(`the notebook failed at start-up: ${ready.type ? `${ready.type}: ` : ''}${ready.error}`, {
          code: 'LOCAL_NOTEBOOK_FAILED',
          action: `log: ${logFile}`,
        });
      }
      if (await loopbackListening(ready.port)) return ready;
    }
    await sleep(50);
  }
  throw new KaggError(`the local server did not answer within ${timeoutMs / 1000} s`, {
    code: 'LOCAL_START_TIMEOUT',
    action: `raise it with --set startTimeout=SECONDS; log: ${logFile}`,
  });
}

async function installRequirements(python: string, dir: string, requirements: string[], logFile: string) {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(
      python,
      ['-m', 'pip', 'install', '--quiet', '--target', path.join(dir, '.deps'), ...requirements],
      {
        stdio: ['ignore', log, log],
      },
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) {
      throw new KaggError(
        `pip could not install the requirements (${requirements.join(', ')}):\n${await tail(logFile)}`,
        {
          code: 'LOCAL_PIP_FAILED',
        },
      );
    }
  } finally {
    closeSync(log);
  }
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export const localTarget = defineDeployTarget<LocalOptions>({
  id: 'local',
  title: 'This machine (python3 on 127.0.0.1)',
  version: VERSION,
  optionsSchema: localOptionsSchema,

  async package(bundle: FunctionBundle): Promise<Artifact> {
    const files: BundleFile[] = [
      ...bundle.files,
      { path: SERVER, data: await readRuntimeFile('adapters/local_server.py') },
      { path: 'requirements.txt', data: new TextEncoder().encode(bundle.requirements.map((r) => `${r}\n`).join('')) },
    ];
    return { target: 'local', bundle, files, zip: zipFiles(files), metadata: { server: SERVER } };
  },

  async deploy(artifact: Artifact, ctx: DeployContext<LocalOptions>): Promise<Deployment> {
    const { bundle } = artifact;
    const options = ctx.options;
    const python = options.python ?? 'python3';
    const dir = path.join(ctx.stateDir, bundle.name, bundle.hash.slice(0, 16));
    const logFile = logFileOf(ctx, bundle.name);
    const drainSeconds = options.drainSeconds ?? LOCAL_DEFAULTS.drainSeconds;
    const previous = ctx.previous;
    const prevPid = Number(previous?.providerIds.pid);
    const prevDir = String(previous?.providerIds.dir ?? '');
    const prevPort = Number(previous?.providerIds.port) || 0;
    const prevHandover = String(previous?.providerIds.handover ?? '');
    let prevAlive = previous !== undefined && isOurServer(prevPid, prevDir);
    const pinned = options.port ?? 0;
    const wanted = pinned || prevPort;
    // The new version takes the running one's listening socket (same port, same queue): no request
    // is refused while it loads, and the old one serves until the new one has loaded.
    const takeover = prevAlive && existsSync(prevHandover) && (!pinned || pinned === prevPort);
    if (prevAlive && !takeover && wanted === prevPort) {
      // A server started before handover existed holds the port: stop it, then bind the port.
      ctx.progress('stopping the previous server');
      await stopServer(prevPid, prevDir, drainSeconds * 1000 + 3000);
      prevAlive = false;
    }
    let port = wanted;
    if (!takeover && port !== 0 && !(await loopbackPortFree(port))) {
      if (pinned) {
        throw new KaggError(`port ${pinned} is taken on 127.0.0.1`, {
          code: 'LOCAL_PORT_TAKEN',
          action: 'free it, or choose another with --port (0 keeps the last one or picks a free one)',
        });
      }
      port = 0;
    }
    const handover = handoverPath(path.join(ctx.stateDir, bundle.name));
    await ctx.record?.({ dir, log: logFile });
    ctx.progress('writing files', dir);
    // A forced redeploy of the same code writes over the folder the running server uses: file by file, atomically.
    if (dir !== prevDir) await rm(dir, { recursive: true, force: true });
    for (const file of artifact.files) {
      const to = path.join(dir, file.path);
      await mkdir(path.dirname(to), { recursive: true });
      await writeFile(`${to}.kagg-tmp`, file.data, { mode: file.mode ?? 0o644 });
      await rename(`${to}.kagg-tmp`, to);
    }
    if (bundle.requirements.length > 0) {
      if (options.installRequirements) {
        ctx.progress('installing requirements', bundle.requirements.join(' '));
        await installRequirements(python, dir, bundle.requirements, logFile);
      } else {
        ctx.log.warn(
          `the local target uses this machine's ${python} packages; not installed: ${bundle.requirements.join(', ')} (--set installRequirements=true installs them into the endpoint's folder)`,
        );
      }
    }
    ctx.progress('starting python3');
    const readyFile = path.join(dir, `.ready-${randomBytes(4).toString('hex')}.json`);
    await mkdir(ctx.logDir, { recursive: true });
    const log = openSync(logFile, 'a');
    let exitCode: number | null = null;
    const serverArgs = [
      path.join(dir, SERVER),
      '--dir',
      dir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--ready-file',
      readyFile,
      '--handover',
      handover,
      '--max-queue',
      String(options.maxQueue ?? LOCAL_DEFAULTS.maxQueue),
      '--max-body-bytes',
      String(options.maxBodyBytes ?? LOCAL_DEFAULTS.maxBodyBytes),
      '--timeout',
      String(options.timeout ?? LOCAL_DEFAULTS.timeout),
      '--drain-seconds',
      String(drainSeconds),
      ...(options.maxConcurrency ? ['--max-concurrency', String(options.maxConcurrency)] : []),
      ...(takeover ? ['--takeover', prevHandover] : []),
    ];
    const child = spawn(python, serverArgs, {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        ...ctx.env,
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONPATH: [path.join(dir, '.deps'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
        ...(options.debug ? { KAGG_DEBUG: '1' } : {}),
      },
    });
    closeSync(log);
    child.on('exit', (code, sig) => {
      exitCode = code ?? (sig ? 128 : 1);
    });
    const spawnError = new Promise<never>((_, reject) =>
      child.on('error', (e) =>
        reject(
          new KaggError(`could not start ${python}: ${e.message}`, {
            code: 'LOCAL_NO_PYTHON',
            action: 'install python3 or set --set python=/path/to/python3',
          }),
        ),
      ),
    );
    child.unref();
    if (child.pid) await ctx.record?.({ pid: child.pid });
    let served: ReadyFile;
    try {
      ctx.progress('waiting for the notebook to answer');
      served = await Promise.race([
        waitUntilServing(() => exitCode, readyFile, logFile, (options.startTimeout ?? 120) * 1000, ctx.signal),
        spawnError,
      ]);
    } catch (error) {
      if (child.pid && exitCode === null) {
        await stopServer(child.pid, dir, 1000);
        if (exitCode === null) child.kill('SIGKILL');
      }
      // A new version that never served leaves nothing behind (its log stays, under logDir).
      if (dir !== prevDir) await rm(dir, { recursive: true, force: true });
      await rm(handover, { force: true }); // the server removes it on a clean exit, not when killed
      if (prevAlive && error instanceof KaggError && isOurServer(prevPid, prevDir)) {
        error.message += `\nthe previous version keeps serving ${previous?.url}`;
      }
      throw error;
    } finally {
      await rm(readyFile, { force: true });
    }
    const { pid } = served;
    if (prevPort && served.port !== prevPort) {
      ctx.log.warn(`port ${prevPort} is taken: the endpoint moved to port ${served.port}`);
    }
    if (prevAlive && prevPid !== pid) {
      ctx.progress(takeover ? 'draining the previous version' : 'stopping the previous version');
      await stopServer(prevPid, prevDir, drainSeconds * 1000 + 3000);
      if (prevHandover) await rm(prevHandover, { force: true });
      if (prevDir !== dir && prevDir.startsWith(ctx.stateDir)) await rm(prevDir, { recursive: true, force: true });
    }
    return {
      target: 'local',
      name: bundle.name,
      url: `http://127.0.0.1:${served.port}/`,
      auth: 'public',
      bundleHash: bundle.hash,
      providerIds: { pid, port: served.port, dir, log: logFile, handover, drainSeconds },
      // Every deploy starts a new process (with the new environment and settings); new code also when the folder is new.
      written: prevDir === dir ? ['process'] : ['code', 'process'],
    };
  },

  async destroy(deployment: Deployment, ctx: OperationContext): Promise<void> {
    const dir = String(deployment.providerIds.dir ?? '');
    const drainSeconds = Number(deployment.providerIds.drainSeconds ?? LOCAL_DEFAULTS.drainSeconds);
    ctx.progress('draining and stopping the server');
    await stopServer(Number(deployment.providerIds.pid), dir, drainSeconds * 1000 + 3000);
    const folder = path.join(ctx.stateDir, deployment.name);
    // A redeploy interrupted before it stopped the previous version leaves that one running too.
    for (const pid of serversUnder(folder)) await stopServer(pid, folder, drainSeconds * 1000 + 3000);
    if (deployment.providerIds.handover) await rm(String(deployment.providerIds.handover), { force: true });
    await rm(folder, { recursive: true, force: true });
  },

  async describe(deployment: Deployment) {
    const pid = Number(deployment.providerIds.pid);
    const dir = String(deployment.providerIds.dir ?? '');
    if (!dir || !existsSync(dir)) return { state: 'missing' as const, detail: `no folder ${dir || '(none recorded)'}` };
    if (!isOurServer(pid, dir)) return { state: 'stopped' as const, detail: `process ${pid} is not running` };
    // A TCP check, not an HTTP one: asking must not take the instance's first (cold) response.
    if (await loopbackListening(Number(deployment.providerIds.port)))
      return { state: 'ready' as const, detail: `pid ${pid}` };
    return { state: 'failed' as const, detail: `pid ${pid} does not accept connections` };
  },

  async invocation(deployment: Deployment) {
    return { url: deployment.url, headers: {} };
  },

  async logs(deployment: Deployment, ctx: OperationContext): Promise<string> {
    return tail(String(deployment.providerIds.log ?? logFileOf(ctx, deployment.name)), 200);
  },

  async logEvents(deployment: Deployment, ctx: OperationContext, query: LogQuery): Promise<LogEvent[]> {
    const text = await readFile(String(deployment.providerIds.log ?? logFileOf(ctx, deployment.name)), 'utf8').catch(
      () => '',
    );
    const events = parseLog(text).filter((e) => query.since === undefined || e.timestamp >= query.since);
    return query.tail === undefined ? events : events.slice(-query.tail);
  },

  async doctor() {
    const { execFile } = await import('node:child_process');
    const version = await new Promise<string | undefined>((resolve) =>
      execFile('python3', ['--version'], (err, stdout) => resolve(err ? undefined : stdout.trim())),
    );
    return [
      {
        name: 'python3',
        ok: version !== undefined,
        detail: version ?? 'python3 not found on PATH (the local target needs it)',
      },
    ];
  },
});
