/**
 * Secret hygiene across commands: one canary set in every credential source kagg reads (KAGGLE_KEY,
 * KAGGLE_API_TOKEN, kaggle.json, ~/.kaggle/access_token, ~/.kaggle/credentials.json, the AWS keys and
 * session token, the GCP and Azure tokens and client secret, a --env value, a secret in a notebook
 * deployed with --allow-secrets), then every cheap command, plain, with --json and with KAGG_DEBUG=1.
 * Neither stdout, stderr, the registry, state and log files under KAGG_HOME, nor a package's zip and
 * folder may hold a canary, raw, base64, URL-encoded or inside a Basic header.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { FIXTURES, isolatedEnv, kagg, tempDir } from './helpers.ts';
import { assertClean, CANARY, leakyFiles, runAllWays as runAllWaysIn } from './secret-hygiene-helpers.ts';

let fake: FakeKaggle;
let home = '';
let secretsDir = '';

before(async () => {
  fake = await startFakeKaggle({ users: [{ username: 'alice', key: CANARY.kaggleKey, token: CANARY.kaggleToken }] });
  fake.addKernel({
    owner: 'alice',
    slug: 'canary-kernel',
    outputs: [{ fileName: 'result.csv', content: 'a,b\n1,2\n' }],
    log: [{ stream_name: 'stdout', time: 1, data: 'ran\n' }],
  });
  home = tempDir('kagg-secret-hygiene-');
  // files holding credentials: ~/.kaggle (access_token, credentials.json) and a kaggle.json folder
  secretsDir = path.join(home, 'kaggle-config');
  mkdirSync(path.join(home, '.kaggle'), { recursive: true });
  mkdirSync(secretsDir, { recursive: true });
  writeFileSync(path.join(secretsDir, 'kaggle.json'), JSON.stringify({ username: 'alice', key: CANARY.kaggleKey }), {
    mode: 0o600,
  });
  writeFileSync(
    path.join(home, '.kaggle', 'credentials.json'),
    JSON.stringify({ refresh_token: CANARY.oauthRefresh, username: 'alice', scopes: [] }),
    { mode: 0o600 },
  );
});
after(async () => {
  await kagg(['destroy', 'canary'], env());
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

/** Every cloud credential variable set to its canary; the Kaggle ones as `kaggle` says. */
function env(kaggle: Record<string, string> = {}, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_CONFIG_DIR: secretsDir,
    KAGGLE_USERNAME: '',
    KAGGLE_KEY: '',
    KAGGLE_API_TOKEN: '',
    KAGG_HTTP_RETRY_BASE_MS: '5',
    KAGG_KAGGLE_POLL_MS: '5',
    KAGG_KAGGLE_RATE: '1000',
    AWS_ACCESS_KEY_ID: 'AKIAC0FFEECANARY0000',
    AWS_SECRET_ACCESS_KEY: CANARY.aws,
    AWS_SESSION_TOKEN: CANARY.awsSession,
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: no command here may reach AWS
    KAGG_GCP_ACCESS_TOKEN: CANARY.gcp,
    KAGG_AZURE_ACCESS_TOKEN: CANARY.azureToken,
    AZURE_CLIENT_ID: '00000000-0000-0000-0000-00000000c0fe',
    AZURE_TENANT_ID: '00000000-0000-0000-0000-00000000c0ff',
    AZURE_CLIENT_SECRET: CANARY.azure,
    ...kaggle,
    ...extra,
  });
}

/** Four ways a Kaggle credential reaches kagg, each set alone (kagg takes the first it finds). */
const accessToken = () => path.join(home, '.kaggle', 'access_token');
const KAGGLE_SOURCES: Array<[string, () => Record<string, string>]> = [
  ['KAGGLE_API_TOKEN', () => ({ KAGGLE_API_TOKEN: CANARY.kaggleToken })],
  [
    '~/.kaggle/access_token',
    () => {
      writeFileSync(accessToken(), `${CANARY.kaggleToken}\n`, { mode: 0o600 });
      return {};
    },
  ],
  ['KAGGLE_USERNAME + KAGGLE_KEY', () => ({ KAGGLE_USERNAME: 'alice', KAGGLE_KEY: CANARY.kaggleKey })],
  ['kaggle.json', () => ({})],
];

/** Runs `args` plain, with --json and with KAGG_DEBUG=1, each checked for canaries. */
const runAllWays = (args: string[], kaggle: Record<string, string> = {}) =>
  runAllWaysIn(args, (extra) => env(kaggle, extra));

/** The credential files the test itself wrote. */
const ours = (file: string) => file.startsWith(secretsDir) || file.startsWith(path.join(home, '.kaggle'));

/** Everything kagg wrote under its home (registry, state, logs, downloads, temp files). */
function assertHomeClean(): void {
  assert.deepEqual(leakyFiles(home, ours), []);
}

describe('secret hygiene: a canary in every credential source', () => {
  for (const [source, creds] of KAGGLE_SOURCES) {
    it(`list, status, pull, output and batch leak nothing (Kaggle credential from ${source})`, async (t) => {
      t.after(() => rmSync(accessToken(), { force: true }));
      const work = path.join(home, 'work', source.replace(/\W+/g, '-'));
      mkdirSync(work, { recursive: true });
      const [list] = await runAllWays(['list', '--mine'], creds());
      assert.equal(list!.code, 0, list!.stderr);
      assert.match(list!.stdout, /alice\/canary-kernel/);
      await runAllWays(['status', 'alice/canary-kernel'], creds());
      const [pull] = await runAllWays(['pull', 'alice/canary-kernel', '--path', path.join(work, 'pull')], creds());
      assert.equal(pull!.code, 0, pull!.stderr);
      const [output] = await runAllWays(
        ['output', 'alice/canary-kernel', '--path', path.join(work, 'out'), '--force'],
        creds(),
      );
      assert.equal(output!.code, 0, output!.stderr);
      const batchFile = path.join(work, 'kernels.txt');
      writeFileSync(batchFile, 'alice/canary-kernel\nalice/no-such-kernel\n');
      const [batch] = await runAllWays(
        ['batch', batchFile, '--operation', 'download', '--path', path.join(work, 'batch')],
        creds(),
      );
      assert.equal(batch!.code, 1, 'one item fails (the kernel does not exist)');
      // a refused credential: the server's 401 must not echo it back through kagg
      // (kagg then falls back to the next credential found: the exit code is not the point here)
      await runAllWays(['list'], { KAGGLE_API_TOKEN: `${CANARY.kaggleToken}x` });
      assertHomeClean();
    });
  }

  it('deploy, endpoints, invoke, logs, package and doctor leak neither the --env value nor any credential', async () => {
    const notebook = path.join(home, 'canary.ipynb');
    const nb = JSON.parse(readFileSync(path.join(FIXTURES, 'pm-basic.ipynb'), 'utf8'));
    nb.cells.push({
      cell_type: 'code',
      metadata: {},
      outputs: [],
      source: `GITHUB_TOKEN = "${CANARY.notebook}"\n`,
    });
    writeFileSync(notebook, JSON.stringify(nb));

    // without --allow-secrets the scan refuses it, and its report must not repeat the secret
    const refusedPlain = await kagg(['deploy', notebook, '--name', 'canary', '--env', `API_KEY=${CANARY.env}`], env());
    assertClean(refusedPlain, 'deploy (secret scan refuses)');
    assert.notEqual(refusedPlain.code, 0);
    const refusedJson = await kagg(['deploy', notebook, '--name', 'canary', '--json'], env());
    assertClean(refusedJson, 'deploy --json (secret scan refuses)');

    const [deploy] = await runAllWays([
      'deploy',
      notebook,
      '--name',
      'canary',
      '--allow-secrets',
      '--env',
      `API_KEY=${CANARY.env}`,
    ]);
    assert.equal(deploy!.code, 0, deploy!.stderr);
    await runAllWays(['endpoints', 'list']);
    await runAllWays(['endpoints', 'show', 'canary']);
    const [invoke] = await runAllWays(['invoke', 'canary', '--data', '{"a": 1, "b": 2}']);
    assert.equal(invoke!.code, 0, invoke!.stderr);
    const [failing] = await runAllWays(['invoke', 'canary', '--data', '{"x": 1}']); // a KeyError in the notebook
    assert.equal(failing!.code, 1);
    await runAllWays(['logs', 'canary']);
    await runAllWays(['doctor']);

    const zip = path.join(home, 'pkg', 'canary.zip');
    const dir = path.join(home, 'pkg', 'canary-dir');
    const [pkg] = await runAllWays([
      'package',
      notebook,
      '--name',
      'canary',
      '--allow-secrets',
      '--output',
      zip,
      '--dir',
      dir,
    ]);
    assert.equal(pkg!.code, 0, pkg!.stderr);
    // the notebook's own secret is in the bundle by the user's choice (--allow-secrets), in the zip and
    // the folder (which also shows the scan reads them); nothing else is
    const bundle = leakyFiles(path.join(home, 'pkg'));
    assert.ok(bundle.some(({ file }) => file === zip) && bundle.some(({ file }) => file.startsWith(dir)));
    assert.deepEqual(
      bundle.filter(({ sources }) => sources.some((s) => s !== 'notebook')),
      [],
      'the bundle holds no credential and no --env value',
    );

    const [destroy] = await runAllWays(['destroy', 'canary']);
    assert.equal(destroy!.code, 0, destroy!.stderr);
    const home_ = leakyFiles(
      home,
      (f) =>
        f.startsWith(secretsDir) ||
        f.startsWith(path.join(home, '.kaggle')) ||
        f === notebook ||
        f.startsWith(path.join(home, 'pkg')),
    );
    assert.deepEqual(home_, [], 'registry, state, logs and temp files hold no canary');
  });
});
