// Cross-checks the AWS control plane kagg drives against moto (https://github.com/getmoto/moto), an
// independent emulator, beside kagg's own strict fake (@kagg/testkit/aws-fake). Not part of npm test:
// it needs a python3 with moto (`python3 -m pip install 'moto[server]'`), which a fresh machine lacks.
//   node bench/aws/moto-crosscheck.mjs            (after a build; loopback only)
// The real aws target (the @aws-sdk clients, injected fake credentials, one endpoint for every service)
// runs the same scenario against each server through a recording front on 127.0.0.1: create, redeploy
// unchanged, with new code, with a new memory size, with code staged in S3, private, describe, logs,
// destroy. The front logs every call
// (service, operation, status, error code) and prints where the two servers answered differently.
// moto runs no function without docker, so the data plane is not checked: the front rewrites the
// Function URL both servers return to a stub on 127.0.0.1 that answers the health check.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createAwsTarget } from '@kagg/plugin-aws';
import { bundleOf, recordingContext, startAwsFake } from '@kagg/testkit/aws-fake';

const CELLS = (n) => [
  { source: `SCALE = ${n}\n` },
  { source: 'def process_request(payload):\n    return {"scaled": SCALE * payload.get("x", 0)}\n' },
];

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startMoto() {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // AWS's managed policies (AWSLambdaBasicExecutionRole, which kagg attaches) exist only when asked for.
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`moto exited (${child.exitCode}): ${stderr.slice(-500)}`);
    try {
      await (await fetch(`${url}/moto-api/`)).arrayBuffer();
      return { url, close: () => child.kill() };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error('moto did not start within 15 s');
}

/** Which call a request is: Lambda's REST paths, IAM/STS query actions, CloudWatch Logs' JSON target. */
function operationOf(req, body) {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '?';
  if (req.headers['x-amz-target']) return `${scope} ${String(req.headers['x-amz-target']).split('.').pop()}`;
  const action = new URLSearchParams(body).get('Action');
  if (action) return `${scope} ${action}`;
  const p = new URL(req.url, 'http://x').pathname.replace(/\/(20\d\d-\d\d-\d\d)\//, '/');
  if (scope === 's3')
    return `s3 ${req.method === 'PUT' ? (/^\/[^/]+\/./.test(p) ? 'PutObject' : 'CreateBucket') : `${req.method} ${p}`}`;
  const fn = '[^/]+';
  const routes = [
    ['POST', `^/functions$`, 'CreateFunction'],
    ['GET', `^/functions/${fn}$`, 'GetFunction'],
    ['DELETE', `^/functions/${fn}$`, 'DeleteFunction'],
    ['GET', `^/functions/${fn}/configuration$`, 'GetFunctionConfiguration'],
    ['PUT', `^/functions/${fn}/configuration$`, 'UpdateFunctionConfiguration'],
    ['PUT', `^/functions/${fn}/code$`, 'UpdateFunctionCode'],
    ['POST', `^/functions/${fn}/url$`, 'CreateFunctionUrlConfig'],
    ['GET', `^/functions/${fn}/url$`, 'GetFunctionUrlConfig'],
    ['PUT', `^/functions/${fn}/url$`, 'UpdateFunctionUrlConfig'],
    ['DELETE', `^/functions/${fn}/url$`, 'DeleteFunctionUrlConfig'],
    ['POST', `^/functions/${fn}/policy$`, 'AddPermission'],
    ['GET', `^/functions/${fn}/policy$`, 'GetPolicy'],
    ['GET', `^/functions$`, 'ListFunctions'],
    ['DELETE', `^/functions/${fn}/policy/${fn}$`, 'RemovePermission'],
    ['POST', `^/tags/.+$`, 'TagResource'],
    ['GET', `^/tags/.+$`, 'ListTags'],
  ];
  const hit = routes.find(([m, re]) => m === req.method && new RegExp(re).test(p));
  return `${scope} ${hit ? hit[2] : `${req.method} ${p}`}`;
}

function errorCodeOf(headers, body) {
  const header = headers['x-amzn-errortype'];
  if (header) return String(header).split(':')[0];
  const xml = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  if (xml) return xml;
  try {
    const json = JSON.parse(body);
    return (
      String(json.__type ?? json.Type ?? json.code ?? '')
        .split('#')
        .pop() || undefined
    );
  } catch {
    return undefined;
  }
}

/** The recording front: forwards to `upstream` as received (SigV4 signed the front's host, kept as is). */
async function startFront(upstream) {
  const calls = [];
  const target = new URL(upstream);
  let self = '';
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url.startsWith('/__url/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"health":"stub"}');
        return;
      }
      const op = operationOf(req, body.toString());
      const out = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const parts = [];
          up.on('data', (c) => parts.push(c));
          up.on('end', () => {
            let text = Buffer.concat(parts).toString();
            const code = up.statusCode >= 400 ? errorCodeOf(up.headers, text) : undefined;
            calls.push({ op, status: up.statusCode, ...(code ? { code } : {}) });
            // The function runs nowhere here: its URL points at the stub above.
            text = text.replace(/"FunctionUrl"\s*:\s*"([^"]*)"/g, (_, u) => {
              const fn = /function[:/]([\w-]+)/.exec(u)?.[1] ?? /\/\/([^.]+)/.exec(u)?.[1] ?? 'fn';
              return `"FunctionUrl":"${self}/__url/${fn}/"`;
            });
            const headers = { ...up.headers };
            delete headers['content-length'];
            delete headers['transfer-encoding'];
            res.writeHead(up.statusCode, headers).end(text);
          });
        },
      );
      out.on('error', (e) => res.writeHead(502).end(String(e)));
      out.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${server.address().port}`;
  return { url: self, calls, close: () => new Promise((r) => server.close(r)) };
}

/** The scenario: every step's outcome, and the calls it made. */
async function scenario(endpoint, credentials) {
  const front = await startFront(endpoint);
  const seam = {
    credentials,
    endpoint: front.url,
    pollMs: 50,
    maxAttempts: 1,
    healthMs: 10_000,
    propagationMs: 10_000,
    waitMs: 30_000,
    env: { PATH: process.env.PATH ?? '' },
  };
  const target = createAwsTarget(seam);
  // The same target with an inline limit of 1 byte: every package is staged in S3 first.
  const staging = createAwsTarget({ ...seam, limits: { zipBytes: 1 } });
  const steps = [];
  const options = (extra = {}) => ({ region: 'us-east-1', memory: 256, timeout: 30, ...extra });
  let deployment;
  async function step(name, run) {
    const from = front.calls.length;
    let outcome = 'ok';
    try {
      const result = await run();
      if (result?.written) outcome = `ok, wrote ${result.written.join(', ') || 'nothing'}`;
      if (result?.url) deployment = result;
    } catch (error) {
      outcome = `FAILED: ${error.code ?? error.name}: ${String(error.message).split('\n')[0].slice(0, 160)}`;
    }
    steps.push({ name, outcome, calls: front.calls.slice(from) });
  }
  const deploy = async (cells, opts, through = target) => {
    const bundle = await bundleOf('crosscheck', CELLS(cells));
    const artifact = await through.package(bundle, opts);
    return through.deploy(artifact, recordingContext('crosscheck', opts, deployment ? { previous: deployment } : {}));
  };
  const op = (opts = options()) => recordingContext('crosscheck', opts);
  await step('deploy (create, public)', () => deploy(1, options()));
  await step('deploy again, unchanged', () => deploy(1, options()));
  await step('deploy new code', () => deploy(2, options()));
  await step('deploy new memory size', () => deploy(2, options({ memory: 512 })));
  await step('create an S3 bucket (for the next step, not a kagg call)', async () => {
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: front.url, forcePathStyle: true, credentials });
    await s3.send(new CreateBucketCommand({ Bucket: 'kagg-crosscheck' }));
    s3.destroy();
  });
  await step('deploy new code staged in S3', () =>
    deploy(3, options({ memory: 512, bucket: 'kagg-crosscheck' }), staging),
  );
  await step('deploy private', () => deploy(3, options({ memory: 512, public: false })));
  await step('describe', () => target.describe(deployment, op()));
  await step('logs', () => target.logEvents(deployment, op(), { tail: 10 }));
  await step('destroy (and the role)', () => target.destroy(deployment, op(options({ deleteRole: true }))));
  await front.close();
  return steps;
}

const fake = await startAwsFake();
const ours = await scenario(fake.url, { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey });
await fake.close();
const moto = await startMoto();
let theirs;
try {
  theirs = await scenario(moto.url, { accessKeyId: 'AKIDMOTOCROSSCHECK', secretAccessKey: 'moto-crosscheck-secret' });
} finally {
  moto.close();
}

const line = (c) => `${c.op} ${c.status}${c.code ? ` ${c.code}` : ''}`;

/** The two call lists aligned (longest common subsequence): [left, right], one of them undefined where only one side called. */
function align(a, b) {
  const m = a.map(() => new Array(b.length + 1).fill(0));
  m.push(new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      m[i][j] = a[i] === b[j] ? m[i + 1][j + 1] + 1 : Math.max(m[i + 1][j], m[i][j + 1]);
  const rows = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) rows.push([a[i++], b[j++]]);
    else if (j >= b.length || (i < a.length && m[i + 1][j] >= m[i][j + 1])) rows.push([a[i++], undefined]);
    else rows.push([undefined, b[j++]]);
  }
  return rows;
}

let differences = 0;
console.log(
  "kagg's fake (left) and moto (right): each step's outcome, then its calls; ≠ marks a call only one made or answered so",
);
for (const [i, step] of ours.entries()) {
  const other = theirs[i];
  console.log(`\n## ${step.name}\n  fake: ${step.outcome}\n  moto: ${other.outcome}`);
  for (const [a, b] of align(step.calls.map(line), other.calls.map(line))) {
    if (a !== b) differences++;
    console.log(`  ${a === b ? ' ' : '≠'} ${(a ?? '-').padEnd(52)} ${a === b ? '' : (b ?? '-')}`);
  }
}
console.log(`\n${differences} call(s) differ`);
