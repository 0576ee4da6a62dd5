/**
 * A warm `python3` process per function version, the way a Lambda execution environment stays warm:
 * it unpacks the deployed zip into a temporary folder, imports `handler.py` once (the cold start),
 * then answers one event per line of JSON on stdin with one line of JSON on stdout. The function's
 * own prints go to stderr, so they cannot corrupt the protocol.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { unzipFiles } from '@kagg/plugin-api/kit';

const WORKER_PY = String.raw`
import importlib, json, os, sys, time, traceback, uuid
out = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr
root, handler_spec = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
os.chdir(root)
module_name, _, function_name = handler_spec.rpartition(".")

def send(message):
    out.write(json.dumps(message) + "\n")
    out.flush()

try:
    handler = getattr(importlib.import_module(module_name), function_name)
except BaseException as exc:
    send({"initError": {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": traceback.format_exc()}})
    sys.exit(0)
send({"ready": True})

class Context:
    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.invoked_function_arn = os.environ.get("KAGG_FAKE_FUNCTION_ARN", "")
        self._deadline_ms = deadline_ms
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

for line in sys.stdin:
    request = json.loads(line)
    try:
        result = handler(request["event"], Context(request["requestId"], request["deadlineMs"]))
        send({"result": result})
    except BaseException as exc:
        send({"error": {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": traceback.format_exc()}})
`;

export interface WorkerReply {
  result?: unknown;
  error?: { errorType: string; errorMessage: string; stackTrace?: string };
  initError?: { errorType: string; errorMessage: string; stackTrace?: string };
  timedOut?: boolean;
}

export interface WorkerSpec {
  zip: Uint8Array;
  handler: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  python: string;
  /** Called with each complete line the function writes (its log). */
  onLog?: (line: string) => void;
}

/** One warm execution environment. Requests are answered one at a time, in order. */
export class PythonWorker {
  readonly dir: string;
  /** Number of events this environment has answered (the first one is the cold start). */
  invocations = 0;
  /** Everything the function wrote to stderr (its logs). */
  logs = '';
  private child: ChildProcessWithoutNullStreams | undefined;
  private lines: AsyncIterator<string> | undefined;
  private ready: Promise<WorkerReply> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly spec: WorkerSpec;
  private closed = false;

  constructor(spec: WorkerSpec) {
    this.spec = spec;
    this.dir = mkdtempSync(path.join(tmpdir(), 'kagg-aws-fake-fn-'));
    const code = path.join(this.dir, 'task');
    for (const entry of unzipFiles(spec.zip)) {
      const target = path.join(code, entry.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, entry.data, { mode: entry.mode ?? 0o644 });
    }
    writeFileSync(path.join(this.dir, 'worker.py'), WORKER_PY);
  }

  private start(): Promise<WorkerReply> {
    if (this.ready) return this.ready;
    const child = spawn(
      this.spec.python,
      ['-u', path.join(this.dir, 'worker.py'), path.join(this.dir, 'task'), this.spec.handler],
      {
        cwd: path.join(this.dir, 'task'),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          LANG: 'C.UTF-8',
          PYTHONDONTWRITEBYTECODE: '1',
          LAMBDA_TASK_ROOT: path.join(this.dir, 'task'),
          ...this.spec.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stderr.setEncoding('utf8');
    let partial = '';
    child.stderr.on('data', (chunk: string) => {
      this.logs += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.spec.onLog?.(line);
    });
    child.on('error', () => {});
    this.child = child;
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.ready = this.next(60_000);
    return this.ready;
  }

  private async next(timeoutMs: number): Promise<WorkerReply> {
    const lines = this.lines;
    if (!lines) return { initError: { errorType: 'Runtime.Exited', errorMessage: 'worker not started' } };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const got = await Promise.race([lines.next(), timeout]);
      if (got === 'timeout') return { timedOut: true };
      if (got.done) {
        return {
          initError: { errorType: 'Runtime.ExitError', errorMessage: `python exited: ${this.logs.slice(-2000)}` },
        };
      }
      return JSON.parse(got.value) as WorkerReply;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one event. A timeout or an init failure ends this environment (the caller makes a new one). */
  invoke(event: unknown, requestId: string): Promise<WorkerReply> {
    const run = async (): Promise<WorkerReply> => {
      const ready = await this.start();
      if (ready.initError || ready.timedOut) {
        this.close();
        return ready.timedOut
          ? { initError: { errorType: 'Runtime.InitTimeout', errorMessage: 'init timed out' } }
          : ready;
      }
      const timeoutMs = this.spec.timeoutSeconds * 1000;
      this.child?.stdin.write(`${JSON.stringify({ event, requestId, deadlineMs: Date.now() + timeoutMs })}\n`);
      const reply = await this.next(timeoutMs);
      this.invocations++;
      if (reply.timedOut || reply.initError) this.close();
      return reply;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** False once the environment was closed (timeout, init error, replaced by a new version). */
  get alive(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
    this.ready = Promise.resolve({ initError: { errorType: 'Runtime.Exited', errorMessage: 'environment closed' } });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
