// kagg list / pull / push / status / output / run, run as a user runs them (bin/run.js) against the
// strict fake Kaggle: results, exit codes, messages, and surviving 429/500 storms.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { kagg, kaggJson, tempDir } from './helpers.ts';
import { ALICE_KEY, kaggleEnv, startKaggleFake } from './kaggle-helpers.ts';

const KEY = ALICE_KEY;
let fake: FakeKaggle;
let home = '';

before(async () => {
  fake = await startKaggleFake();
  home = tempDir('kagg-kaggle-e2e-');
  fake.addKernel({
    owner: 'alice',
    slug: 'titanic-model',
    title: 'Titanic Model',
    totalVotes: 12,
    competitionDataSources: ['titanic'],
    outputs: [
      { fileName: 'submission.csv', content: 'PassengerId,Survived\n1,0\n' },
      { fileName: 'plots/loss.png', content: 'PNGDATA' },
    ],
    log: [{ stream_name: 'stdout', time: 1, data: 'trained\n' }],
  });
  fake.addKernel({
    owner: 'alice',
    slug: 'iris-explorer',
    title: 'Iris Explorer',
    kernelType: 'script',
    totalVotes: 3,
    datasetDataSources: ['alice/iris'],
  });
  fake.addKernel({ owner: 'alice', slug: 'private-notes', title: 'Private Notes', isPrivate: true });
  fake.addKernel({ owner: 'bob', slug: 'bobs-secret', title: 'Bobs Secret', isPrivate: true });
  fake.addKernel({ owner: 'bob', slug: 'bobs-public', title: 'Bobs Public', kernelType: 'script', totalVotes: 40 });
  fake.addKernel({
    owner: 'alice',
    slug: 'hostile-output',
    outputs: [
      { fileName: '../x', content: 'escaped' },
      { fileName: 'fine.txt', content: 'fine' },
    ],
  });
});
after(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return kaggleEnv(home, fake, {
    KAGG_HTTP_RETRY_BASE_MS: '5',
    KAGG_HTTP_MAX_RETRY_AFTER_MS: '50',
    KAGG_KAGGLE_POLL_MS: '5',
    ...extra,
  });
}

function work(name: string): string {
  const d = path.join(home, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A storm: `count` answers of 429 (with and without Retry-After) and 500, in turn, for `target`. */
function storm(target: string, count = 4): void {
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) fake.inject({ target, status: 429, retryAfter: 0 });
    else if (i % 3 === 1) fake.inject({ target, status: 500, envelope: 'legacy' });
    else fake.inject({ target, status: 429 });
  }
}

function stormHits(since: number): number {
  return fake.requests.slice(since).filter((r) => r.fault).length;
}

describe('kagg list', () => {
  it('prints a table of ref, title, author, lastRunTime, totalVotes', async () => {
    const r = await kagg(['list'], env());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ref\s+title\s+author\s+lastRunTime\s+totalVotes$/);
    assert.match(lines[2] ?? '', /^bob\/bobs-public\s+Bobs Public\s+bob\s+\S+\s+40$/, 'hottest first');
    assert.ok(!r.stdout.includes('bobs-secret'));
  });

  it('passes every filter on the wire and prints CSV or JSON', async () => {
    const before = fake.calls('ListKernels').length;
    const csv = await kagg(
      [
        'list',
        '--mine',
        '--search',
        'iris',
        '--kernel-type',
        'script',
        '--language',
        'python',
        '--output-type',
        'all',
        '--sort-by',
        'voteCount',
        '--page',
        '1',
        '--page-size',
        '7',
        '--csv',
      ],
      env(),
    );
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(
      csv.stdout,
      `ref,title,author,lastRunTime,totalVotes\nalice/iris-explorer,Iris Explorer,alice,${fake.kernel('alice/iris-explorer')?.lastRunTime},3\n`,
    );
    assert.deepEqual(fake.calls('ListKernels')[before]?.body, {
      competition: '',
      dataset: '',
      parentKernel: '',
      group: 'PROFILE',
      kernelType: 'script',
      language: 'python',
      outputType: 'all',
      search: 'iris',
      sortBy: 'VOTE_COUNT',
      user: '',
      page: 1,
      pageSize: 7,
    });
    const json = await kaggJson<{ kernels: Array<{ ref: string }>; page: number }>(
      ['list', '--competition', 'titanic', '--user', 'alice'],
      env(),
    );
    assert.deepEqual(
      json.json.kernels.map((k) => k.ref),
      ['alice/titanic-model'],
    );
    const ds = await kaggJson<{ kernels: Array<{ ref: string }> }>(
      ['list', '--dataset', 'alice/iris', '--parent', 'x/none'],
      env(),
    );
    assert.deepEqual(ds.json.kernels, []);
    const listed = fake.calls('ListKernels').at(-1)?.body as { parentKernel?: string } | undefined;
    assert.equal(listed?.parentKernel, 'x/none');
  });

  it('rejects bad flag values with exit 2 before any request', async () => {
    const before = fake.requests.length;
    const r = await kagg(['list', '--sort-by', 'relevance'], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs a --search term/);
    const p = await kagg(['list', '--page-size', '0'], env());
    assert.equal(p.code, 2);
    assert.equal(fake.requests.length, before);
  });

  it('is lenient where the official CLI is: --page-size over 100 is clamped to 100, with a warning', async () => {
    const r = await kagg(['list', '--page-size', '500'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--page-size 500 is over Kaggle's maximum; 100 is used/);
    assert.equal((fake.calls('ListKernels').at(-1)?.body as { pageSize?: number } | undefined)?.pageSize, 100);
  });

  it('survives a 429/500 storm', async () => {
    const since = fake.requests.length;
    storm('ListKernels', 5);
    const r = await kaggJson<{ kernels: unknown[] }>(['list', '--mine'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.kernels.length, 4);
    assert.equal(stormHits(since), 5);
  });
});

describe('kagg pull', () => {
  it('places files as the official CLI: the current folder, or <root>/kernels/<owner>/<slug> with KAGGLE_PATH', async () => {
    const cwd = work('pull-cwd');
    const r = await kagg(['pull', 'alice/iris-explorer'], env(), { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(path.join(cwd, 'iris-explorer.py')));
    const root = work('pull-root');
    const rooted = await kagg(['pull', 'alice/iris-explorer'], env({ KAGGLE_PATH: root }), { cwd });
    assert.equal(rooted.code, 0, rooted.stderr);
    assert.ok(existsSync(path.join(root, 'kernels', 'alice', 'iris-explorer', 'iris-explorer.py')));
    // -w: the current folder even with a root; -p naming an existing file: that file.
    const file = path.join(cwd, 'mine.py');
    writeFileSync(file, 'old');
    const intoFile = await kagg(['pull', '-k', 'alice/iris-explorer', '-p', file], env({ KAGGLE_PATH: root }));
    assert.equal(intoFile.code, 0, intoFile.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'print("hello from kaggle")\n');
  });

  it('owner/slug/N pulls version N (versionLabel "vN"); with no ref, the id of kernel-metadata.json in the folder', async () => {
    fake.addKernel({ owner: 'alice', slug: 'versioned-kernel', kernelType: 'script', versions: 3 });
    const d = work('pull-version');
    const r = await kagg(['pull', 'alice/versioned-kernel/2', '-p', d, '-m'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fake.calls('GetKernel').at(-1)?.body, {
      userName: 'alice',
      kernelSlug: 'versioned-kernel',
      versionLabel: 'v2',
    });
    const missing = await kagg(['pull', 'alice/versioned-kernel/9', '-p', d], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /versioned-kernel\/9 was not found/);
    const again = await kagg(['pull'], env(), { cwd: d });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Using kernel alice\/versioned-kernel \(from kernel-metadata\.json\)/);
    assert.deepEqual(fake.calls('GetKernel').at(-1)?.body, { userName: 'alice', kernelSlug: 'versioned-kernel' });
    writeFileSync(path.join(d, 'kernel-metadata.json'), JSON.stringify({ id: 'INSERT_KERNEL_SLUG_HERE' }));
    const placeholder = await kagg(['pull'], env(), { cwd: d });
    assert.equal(placeholder.code, 2);
    assert.match(placeholder.stderr, /does not name a kernel/);
  });

  it('writes the code and metadata of refs and URLs, surviving a storm', async () => {
    const d = work('pull-many');
    const since = fake.requests.length;
    storm('GetKernel', 4);
    const r = await kaggJson<{ kernels: Array<{ ref: string; codeFile: string }> }>(
      [
        'pull',
        'alice/titanic-model',
        'https://www.kaggle.com/code/alice/iris-explorer',
        '--path',
        d,
        '--metadata',
        '--parallel',
        '2',
      ],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(stormHits(since), 4);
    assert.deepEqual(r.json.kernels.map((k) => k.codeFile).sort(), [
      path.join(d, 'alice', 'iris-explorer', 'iris-explorer.py'),
      path.join(d, 'alice', 'titanic-model', 'titanic-model.ipynb'),
    ]);
    const meta = JSON.parse(
      readFileSync(path.join(d, 'alice', 'titanic-model', 'kernel-metadata.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.deepEqual(Object.keys(meta), [
      'id',
      'id_no',
      'title',
      'code_file',
      'language',
      'kernel_type',
      'is_private',
      'enable_gpu',
      'enable_tpu',
      'enable_internet',
      'keywords',
      'dataset_sources',
      'kernel_sources',
      'competition_sources',
      'model_sources',
      'docker_image',
      'machine_shape',
    ]);
    assert.equal(meta.competition_sources && (meta.competition_sources as string[])[0], 'titanic');
  });

  it("explains another user's private kernel as not found or no access (exit 1)", async () => {
    const r = await kagg(['pull', 'bob/bobs-secret', '--path', work('pull-denied')], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Kernel bob\/bobs-secret was not found or you have no access to it/);
    const j = await kaggJson<{ error: { code: string } }>(['pull', 'bob/bobs-secret'], env());
    assert.equal(j.code, 1);
    assert.equal(j.json.error.code, 'KAGGLE_NOT_FOUND');
  });

  it('refuses a competition URL with exit 2', async () => {
    const r = await kagg(['pull', 'https://www.kaggle.com/competitions/titanic'], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a competition URL, not a kernel/);
  });
});

describe('credentials', () => {
  it('401 names where credentials were looked for', async () => {
    const r = await kagg(['status', 'alice/titanic-model'], env({ KAGGLE_KEY: 'wrongwrongwrongwrong' }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Kaggle rejected the credentials from KAGGLE_USERNAME \+ KAGGLE_KEY \(HTTP 401/);
    assert.match(
      r.stderr,
      new RegExp(
        `looked for in: KAGGLE_API_TOKEN, ${path.join(home, '.kaggle', 'access_token').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
      ),
    );
  });

  it('no credentials at all: the message lists every place searched, and nothing is sent', async () => {
    const before = fake.requests.length;
    const r = await kagg(['list'], env({ KAGGLE_USERNAME: '', KAGGLE_KEY: '' }));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /No Kaggle credentials found\. Looked in: KAGGLE_API_TOKEN, .*access_token, .*access_token\.txt, KAGGLE_USERNAME \+ KAGGLE_KEY, .*kaggle\.json/,
    );
    assert.equal(fake.requests.length, before);
  });

  it('no credentials: the hint names the kaggle.json place that was searched, and doctor warns (!, exit 0)', async () => {
    const kaggleJson = path.join(home, 'kaggle-config', 'kaggle.json');
    const noCreds = env({ KAGGLE_USERNAME: '', KAGGLE_KEY: '' });
    const listed = await kaggJson<{ error: { action: string } }>(['list'], noCreds);
    assert.ok(
      listed.json.error.action.includes(`save kaggle.json as ${kaggleJson} (chmod 600)`),
      listed.json.error.action,
    );
    const doctor = await kagg(['doctor'], noCreds);
    assert.match(doctor.stdout, /^! kaggle credentials: none found .*kaggle\.json, .*credentials\.json\)$/m);
    assert.equal(doctor.code, 0, doctor.stdout);
    const json = await kaggJson<{ checks: Array<{ name: string; ok: boolean; warning?: boolean }> }>(
      ['doctor'],
      noCreds,
    );
    const check = json.json.checks.find((c) => c.name === 'kaggle credentials');
    assert.equal(check?.ok, true);
    assert.equal(check?.warning, true);
  });

  it('a stale access_token beside a valid kaggle.json: commands succeed and doctor says which was used and why', async () => {
    const conf = work('conf-stale-token');
    writeFileSync(path.join(conf, 'kaggle.json'), JSON.stringify({ username: 'alice', key: KEY }), { mode: 0o600 });
    const h = work('home-stale-token');
    mkdirSync(path.join(h, '.kaggle'));
    writeFileSync(path.join(h, '.kaggle', 'access_token'), 'KGAT_stale_token_0099');
    const stale = env({ KAGGLE_USERNAME: '', KAGGLE_KEY: '', KAGGLE_CONFIG_DIR: conf, HOME: h });
    const r = await kagg(['status', 'alice/titanic-model'], stale);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /access_token skipped: Kaggle refused the token \(HTTP 401\)/);
    const doctor = await kagg(['doctor'], stale);
    assert.match(
      doctor.stdout,
      /^! kaggle credentials: key of alice from .*kaggle\.json \(skipped .*access_token: Kaggle refused the token \(HTTP 401\)\)$/m,
    );
    assert.ok(!`${r.stdout}${r.stderr}${doctor.stdout}${doctor.stderr}`.includes('KGAT_stale_token_0099'));
  });

  it('reads kaggle.json from KAGGLE_CONFIG_DIR and warns when others can read it', async () => {
    const conf = work('conf-open');
    writeFileSync(path.join(conf, 'kaggle.json'), JSON.stringify({ username: 'alice', key: KEY }), { mode: 0o644 });
    const r = await kagg(
      ['status', 'alice/titanic-model'],
      env({ KAGGLE_USERNAME: '', KAGGLE_KEY: '', KAGGLE_CONFIG_DIR: conf }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: Your Kaggle API key is readable by other users.*chmod 600/);
    assert.equal(r.stdout, 'alice/titanic-model has status "complete"\n');
  });
});

describe('kagg push', () => {
  it('pushes a folder as a new version of the existing kernel', async () => {
    const d = work('push-existing');
    const pulled = await kagg(['pull', 'alice/iris-explorer', '--path', d, '--metadata'], env());
    assert.equal(pulled.code, 0, pulled.stderr);
    const versions = fake.kernel('alice/iris-explorer')?.versions.length ?? 0;
    const r = await kaggJson<{ ref: string; versionNumber: number }>(['push', d], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json.ref, r.json.versionNumber], ['alice/iris-explorer', versions + 1]);
    assert.equal(fake.kernels.filter((k) => k.slug === 'iris-explorer').length, 1);
    const sent = fake.calls('SaveKernel').at(-1)?.body as { id?: number } | undefined;
    assert.equal(sent?.id, fake.kernel('alice/iris-explorer')?.id);
  });

  it('takes the official spellings: -p DIR for the folder and -t/--timeout for the session timeout', async () => {
    const d = work('push-official-flags');
    assert.equal((await kagg(['pull', 'alice/iris-explorer', '-p', d, '-m'], env())).code, 0);
    const r = await kagg(['push', '-p', d, '-t', '600'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (fake.calls('SaveKernel').at(-1)?.body as { sessionTimeoutSeconds?: number } | undefined)?.sessionTimeoutSeconds,
      600,
    );
    const long = await kagg(['push', '--path', d, '--timeout', '900'], env());
    assert.equal(long.code, 0, long.stderr);
    assert.equal(
      (fake.calls('SaveKernel').at(-1)?.body as { sessionTimeoutSeconds?: number } | undefined)?.sessionTimeoutSeconds,
      900,
    );
    const clash = await kagg(['push', d, '-p', work('elsewhere')], env());
    assert.equal(clash.code, 2);
  });

  it("fails with the server's text when pushing to another user's kernel", async () => {
    const d = work('push-bob');
    writeFileSync(path.join(d, 'k.py'), 'print(1)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({ id: 'bob/bobs-public', code_file: 'k.py', language: 'python', kernel_type: 'script' }),
    );
    const r = await kagg(['push', d], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: Kernel push error: Notebook not found$/m);
  });

  it('rejects invalid kernel-metadata.json with a message per field and sends nothing', async () => {
    const d = work('push-invalid');
    writeFileSync(path.join(d, 'k.py'), 'print(1)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({
        id: 'alice/ok-kernel',
        code_file: 'k.py',
        language: 'python',
        kernel_type: 'scrpt',
        is_private: 'maybe',
      }),
    );
    const before = fake.calls('SaveKernel').length;
    const r = await kagg(['push', d], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"kernel_type" must be "script" or "notebook" \(got "scrpt"\)/);
    assert.match(r.stderr, /"is_private" must be true or false.*\(got "maybe"\)/);
    assert.equal(fake.calls('SaveKernel').length, before);
  });

  it('pushes a bare notebook with metadata made for it', async () => {
    const d = work('push-bare');
    const nb = path.join(d, 'Churn Study.ipynb');
    writeFileSync(
      nb,
      JSON.stringify({
        cells: [{ cell_type: 'code', metadata: {}, outputs: [], source: ['x = 1\n'], execution_count: null }],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const r = await kaggJson<{ ref: string; metadataGenerated: boolean }>(['push', nb], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json.ref, r.json.metadataGenerated], ['alice/churn-study', true]);
  });
});

describe('kagg status and output', () => {
  it('status prints the state and the failure message', async () => {
    fake.addKernel({ owner: 'alice', slug: 'failed-kernel', outcome: 'ERROR', failureMessage: 'Out of memory' });
    const r = await kagg(['status', 'https://www.kaggle.com/code/alice/failed-kernel'], env());
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'alice/failed-kernel has status "error"\nFailure message: "Out of memory"\n');
  });

  it('--page-token fetches one page and prints the next token; -q prints nothing else', async () => {
    fake.addKernel({
      owner: 'alice',
      slug: 'paged-output',
      outputs: [1, 2, 3].map((i) => ({ fileName: `f${i}.txt`, content: `${i}` })),
      log: [{ stream_name: 'stdout', time: 1, data: 'x\n' }],
    });
    const e = work('out-one-page');
    const page = await kagg(
      [
        'output',
        '-k',
        'alice/paged-output',
        '-p',
        e,
        '--page-size',
        '1',
        '--page-token',
        fake.outputPageToken(1),
        '-q',
      ],
      env(),
    );
    assert.equal(page.code, 0, page.stderr);
    assert.deepEqual(readdirSync(e), ['f2.txt'], 'one page, no log');
    assert.equal(page.stdout, `Next page token: ${fake.outputPageToken(2)}\n`);
    assert.equal(page.stderr, '');
  });

  it('downloads outputs and the log through a storm, then skips current files', async () => {
    const d = work('out-one');
    const since = fake.requests.length;
    storm('ListKernelSessionOutput', 3);
    storm('storage', 3);
    const r = await kaggJson<{ written: number; kernels: Array<{ log: string }> }>(
      ['output', 'alice/titanic-model', '--path', d],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(stormHits(since), 6);
    assert.equal(r.json.written, 2);
    assert.equal(readFileSync(path.join(d, 'plots', 'loss.png'), 'utf8'), 'PNGDATA');
    assert.equal(readFileSync(path.join(d, 'titanic-model.log.txt'), 'utf8'), 'trained\n');
    assert.deepEqual(JSON.parse(readFileSync(path.join(d, 'titanic-model.log'), 'utf8')), [
      { stream_name: 'stdout', time: 1, data: 'trained\n' },
    ]);
    const again = await kaggJson<{ written: number; skipped: number }>(
      ['output', 'alice/titanic-model', '--path', d],
      env(),
    );
    assert.deepEqual([again.json.written, again.json.skipped], [0, 2]);
    const forced = await kaggJson<{ written: number }>(
      ['output', 'alice/titanic-model', '--path', d, '--force', '--file-pattern', 'csv$'],
      env(),
    );
    assert.equal(forced.json.written, 1);
  });

  it('refuses a ../ output name, reports it, saves the rest and exits 1', async () => {
    const parent = work('out-hostile');
    const d = path.join(parent, 'target');
    const r = await kagg(['output', 'alice/hostile-output', '--path', d], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused "\.\.\/x": path climbs out of the target folder/);
    assert.equal(readFileSync(path.join(d, 'fine.txt'), 'utf8'), 'fine');
    assert.deepEqual(readdirSync(parent), ['target']);
    assert.equal(existsSync(path.join(parent, 'x')), false);
  });

  it('output of several kernels puts each in <path>/<owner>/<slug>', async () => {
    const d = work('out-many');
    const r = await kaggJson<{ written: number }>(
      ['output', 'alice/titanic-model', 'alice/iris-explorer', '--path', d, '--parallel', '3'],
      env(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(path.join(d, 'alice', 'titanic-model', 'submission.csv')));
  });
});

describe('kagg run', () => {
  it('pushes, waits through a storm, and downloads outputs and log on COMPLETE', async () => {
    fake.addKernel({ owner: 'alice', slug: 'train-model', kernelType: 'script', source: 'print("train")\n' });
    fake.scriptNextRun('alice/train-model', {
      runningPolls: 3,
      outputs: [{ fileName: 'model.pkl', content: 'weights' }],
      log: 'epoch 1\nepoch 2\n',
    });
    const out = work('run-ok');
    const since = fake.requests.length;
    storm('GetKernelSessionStatus', 4);
    // SaveKernel is not idempotent: only 429 (the server did nothing) may be retried.
    fake.inject({ target: 'SaveKernel', status: 429, retryAfter: 0 });
    fake.inject({ target: 'SaveKernel', status: 429 });
    storm('storage', 2);
    const r = await kaggJson<{
      status: string;
      versionNumber: number;
      outputs: { files: Array<{ fileName: string }> };
    }>(['run', 'alice/train-model', '--path', out], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(stormHits(since), 8);
    assert.equal(fake.calls('SaveKernel').filter((c) => c.at >= (fake.requests[since]?.at ?? 0)).length, 3);
    assert.equal(r.json.status, 'COMPLETE');
    assert.equal(r.json.versionNumber, 2);
    assert.equal(readFileSync(path.join(out, 'model.pkl'), 'utf8'), 'weights');
    assert.equal(readFileSync(path.join(out, 'train-model.log'), 'utf8'), 'epoch 1\nepoch 2\n');
    assert.equal(fake.kernel('alice/train-model')?.versions.length, 2, 'SaveKernel 429s did not make extra versions');
  });

  it("avoids the stale-status trap: the previous version's COMPLETE is not this run's result", async () => {
    fake.addKernel({ owner: 'alice', slug: 'stale-trap', kernelType: 'script', outcome: 'COMPLETE' });
    fake.scriptNextRun('alice/stale-trap', {
      stalePolls: 4,
      outcome: 'ERROR',
      failureMessage: 'NameError: name x is not defined',
      log: [
        { stream_name: 'stdout', time: 0.1, data: 'starting\n' },
        { stream_name: 'stderr', time: 0.2, data: 'NameError: name x is not defined\n' },
      ],
    });
    const out = work('run-stale');
    const r = await kagg(['run', 'alice/stale-trap', '--path', out], env());
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /Run of alice\/stale-trap version 2 failed: NameError: name x is not defined/);
    assert.match(r.stderr, /Last lines of the log:\nstarting\nNameError: name x is not defined/);
    assert.equal(
      readFileSync(path.join(out, 'stale-trap.log.txt'), 'utf8'),
      'starting\nNameError: name x is not defined\n',
    );
  });

  it('runs a local notebook and returns at once with --no-wait', async () => {
    const d = work('run-local');
    const nb = path.join(d, 'quick-look.ipynb');
    writeFileSync(nb, JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const statusCalls = fake.calls('GetKernelSessionStatus').length;
    const r = await kaggJson<{ ref: string; waited: boolean; status: string }>(['run', nb, '--no-wait'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([r.json.ref, r.json.waited, r.json.status], ['alice/quick-look', false, 'QUEUED']);
    assert.ok(fake.calls('GetKernelSessionStatus').length - statusCalls <= 1, 'only the status read before the push');
  });

  it('gives up after --timeout with exit 1 and says the run goes on', async () => {
    fake.addKernel({ owner: 'alice', slug: 'slow-kernel', kernelType: 'script' });
    fake.scriptNextRun('alice/slow-kernel', { runningPolls: 1_000_000 });
    const r = await kagg(['run', 'alice/slow-kernel', '--timeout', '1', '--path', work('run-slow')], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Gave up waiting for alice\/slow-kernel v2 after \d+ s; the run goes on at Kaggle/);
  });

  it('refuses an input that is neither a file nor a ref (exit 2)', async () => {
    const r = await kagg(['run', 'no/such/thing.ipynb'], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not a file, a folder, a kernel ref or a Kaggle URL/);
  });
});
