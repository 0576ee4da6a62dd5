// The Kaggle services against the strict fake server: tolerant parsing of every answer shape the
// contract allows, errors in the user's terms, pull/push/output/run behaviour on the wire.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@kagg/core/http';
import {
  createKaggleClient,
  downloadKernelOutputs,
  fetchKernelNotebook,
  type KaggleClient,
  type KaggleCredentials,
  kernelStatus,
  listKernels,
  pullKernel,
  pushKernel,
  runKernel,
  saveKernelRequest,
  validateKernelMetadata,
} from '@kagg/core/kaggle';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { tempDir } from '@kagg/testkit/temp';

const KEY = 'alicekey0123456789abcdef01234567';
let fake: FakeKaggle;
let root = '';
let n = 0;

before(async () => {
  fake = await startFakeKaggle({
    users: [
      { username: 'alice', key: KEY, token: 'KGAT_alice_token_0001' },
      { username: 'bob', key: 'bobkey'.repeat(6) },
    ],
  });
  root = tempDir('kagg-kaggle-');
});
after(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  fake.enumStyle = 'NAME';
  fake.envelope = 'google';
  fake.nullFiles = false;
});

function client(credentials?: KaggleCredentials): KaggleClient {
  return createKaggleClient({
    baseUrl: fake.url,
    credentials: credentials ?? { kind: 'basic', username: 'alice', key: KEY, source: 'test' },
    http: createHttpClient({ retries: 4, retryBaseMs: 2, maxRetryAfterMs: 20 }),
  });
}

function dir(): string {
  const d = path.join(root, `t${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function slug(prefix: string): string {
  return `${prefix}-${n++}-kernel`;
}

const notebook = (
  source: string[],
  outputs: unknown[] = [{ output_type: 'stream', name: 'stdout', text: ['big output\n'] }],
) =>
  JSON.stringify({
    cells: [{ cell_type: 'code', execution_count: 3, id: 'a1', metadata: {}, outputs, source }],
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  });

describe('tolerant parsing', () => {
  for (const style of ['NAME', 'lower', 'camel', 'prefixed'] as const) {
    it(`reads status enums spelled ${style}`, async () => {
      const s = slug('enum');
      fake.addKernel({ owner: 'alice', slug: s, outcome: 'CANCEL_ACKNOWLEDGED' });
      fake.enumStyle = style;
      const status = await kernelStatus(client(), { owner: 'alice', slug: s });
      assert.equal(status.status, 'CANCEL_ACKNOWLEDGED');
      assert.equal(status.terminal, true);
    });
  }

  it('takes a status answer without "status" as QUEUED', async () => {
    const s = slug('queued');
    const k = fake.addKernel({ owner: 'alice', slug: s });
    fake.scriptNextRun(`alice/${s}`, { stalePolls: 0, queuedPolls: 5 });
    const dirPath = dir();
    writeFileSync(path.join(dirPath, 'x.py'), 'print(1)\n');
    writeFileSync(
      path.join(dirPath, 'kernel-metadata.json'),
      JSON.stringify({ id: `alice/${s}`, code_file: 'x.py', language: 'python', kernel_type: 'script' }),
    );
    k.kernelType = 'script';
    await pushKernel(client(), dirPath);
    const before = fake.calls('GetKernelSessionStatus').length;
    const status = await kernelStatus(client(), { owner: 'alice', slug: s });
    assert.equal(status.status, 'QUEUED');
    const last = fake.calls('GetKernelSessionStatus').at(-1);
    assert.equal(fake.calls('GetKernelSessionStatus').length, before + 1);
    assert.ok(last);
  });

  it('takes files: null as no files', async () => {
    const s = slug('nullfiles');
    fake.addKernel({ owner: 'alice', slug: s, log: 'plain log\n' });
    fake.nullFiles = true;
    const out = await downloadKernelOutputs(client(), { owner: 'alice', slug: s }, dir());
    assert.deepEqual(out.files, []);
    assert.equal(readFileSync(out.log ?? '', 'utf8'), 'plain log\n');
  });

  it('reads both error envelopes, and an HTTP 200 carrying code >= 400 as an error', async () => {
    fake.envelope = 'legacy';
    await assert.rejects(
      fetchKernelNotebook(client(), { owner: 'alice', slug: 'no-such-kernel' }),
      /not found or you have no access to it \(HTTP 404: Not found\)/,
    );
    fake.envelope = 'google';
    fake.inject({ target: 'ListKernels', status: 400, envelope: 'google' });
    await assert.rejects(listKernels(client()), /ListKernels failed: HTTP 400: Injected error/);
    fake.inject({ target: 'ListKernels', status: 200, body: { code: 403, message: 'Forbidden for you' } });
    await assert.rejects(listKernels(client()), /ListKernels failed: HTTP 403: Forbidden for you/);
  });
});

describe('errors in the user terms', () => {
  it('401 names the credentials used and every place looked at', async () => {
    const bad = client({
      kind: 'basic',
      username: 'alice',
      key: 'wrongkey000000',
      source: '/home/x/.kaggle/kaggle.json',
    });
    await assert.rejects(listKernels(bad), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'KAGGLE_UNAUTHORIZED');
      assert.match(e.message, /rejected the credentials from \/home\/x\/\.kaggle\/kaggle\.json \(HTTP 401/);
      assert.match(e.message, /looked for in: KAGGLE_API_TOKEN, .*access_token, .*KAGGLE_USERNAME \+ KAGGLE_KEY/);
      return true;
    });
  });

  it("another user's private kernel is 'not found or no access'", async () => {
    fake.addKernel({ owner: 'bob', slug: 'bobs-private-work', isPrivate: true });
    await assert.rejects(
      pullKernel(client(), { owner: 'bob', slug: 'bobs-private-work' }, { path: dir() }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'KAGGLE_NOT_FOUND');
        assert.match(e.message, /Kernel bob\/bobs-private-work was not found or you have no access to it \(HTTP 403/);
        return true;
      },
    );
  });

  it('a bearer token owner is asked once (IntrospectToken) to resolve bare slugs', async () => {
    const s = slug('mine');
    fake.addKernel({ owner: 'alice', slug: s });
    const c = client({ kind: 'bearer', token: 'KGAT_alice_token_0001', source: 'KAGGLE_API_TOKEN' });
    const before = fake.calls('IntrospectToken').length;
    const a = await fetchKernelNotebook(c, { owner: undefined, slug: s });
    await fetchKernelNotebook(c, { owner: undefined, slug: s });
    assert.deepEqual(a.ref, { owner: 'alice', slug: s });
    assert.equal(fake.calls('IntrospectToken').length - before, 1);
    assert.equal(fake.calls('GetKernel').at(-1)?.headers.authorization, 'Bearer KGAT_alice_token_0001');
  });
});

describe('list', () => {
  it('sends every filter the way the official SDK does', async () => {
    await listKernels(client(), { mine: true, pageSize: 5, sortBy: 'dateRun' });
    assert.equal(
      JSON.stringify(fake.calls('ListKernels').at(-1)?.body),
      '{"competition":"","dataset":"","parentKernel":"","group":"PROFILE","kernelType":"all","language":"all","outputType":"all","search":"","sortBy":"DATE_RUN","user":"","page":1,"pageSize":5}',
    );
    await assert.rejects(listKernels(client(), { sortBy: 'relevance' }), /needs a --search term/);
    await assert.rejects(listKernels(client(), { dataset: 'nodash' }), /--dataset must be "owner\/dataset-slug"/);
  });
});

describe('pull', () => {
  it('writes the code file and kernel-metadata.json exactly as the official CLI does', async () => {
    fake.addKernel({
      owner: 'alice',
      slug: 'cafe-analysis',
      title: 'Café Analysis',
      kernelType: 'script',
      language: 'r',
      source: 'print("héllo")\n',
      categoryIds: ['beginner'],
      datasetDataSources: ['alice/iris'],
      machineShape: 'NvidiaTeslaT4',
    });
    const target = dir();
    const res = await pullKernel(client(), { owner: 'alice', slug: 'cafe-analysis' }, { path: target, metadata: true });
    assert.equal(res.codeFile, path.join(target, 'cafe-analysis.R'));
    assert.equal(readFileSync(res.codeFile, 'utf8'), 'print("héllo")\n');
    const id = fake.kernel('alice/cafe-analysis')?.id;
    assert.equal(
      readFileSync(path.join(target, 'kernel-metadata.json'), 'utf8'),
      `{\n  "id": "alice/cafe-analysis",\n  "id_no": ${id},\n  "title": "Caf\\u00e9 Analysis",\n  "code_file": "cafe-analysis.R",\n  "language": "r",\n  "kernel_type": "script",\n  "is_private": false,\n  "enable_gpu": false,\n  "enable_tpu": false,\n  "enable_internet": true,\n  "keywords": [\n    "beginner"\n  ],\n  "dataset_sources": [\n    "alice/iris"\n  ],\n  "kernel_sources": [],\n  "competition_sources": [],\n  "model_sources": [],\n  "docker_image": null,\n  "machine_shape": "NvidiaTeslaT4"\n}`,
    );
  });

  it('keeps the code_file name of an existing kernel-metadata.json in the folder', async () => {
    fake.addKernel({ owner: 'alice', slug: 'named-kernel' });
    const target = dir();
    writeFileSync(path.join(target, 'kernel-metadata.json'), JSON.stringify({ code_file: 'main.ipynb' }));
    const res = await pullKernel(client(), { owner: 'alice', slug: 'named-kernel' }, { path: target });
    assert.equal(res.codeFile, path.join(target, 'main.ipynb'));
  });
});

describe('push', () => {
  it('validates kernel-metadata.json with one clear message per wrong field', async () => {
    await assert.rejects(
      validateKernelMetadata({
        id: 'alice/abc',
        code_file: 'x.py',
        language: 'pyhton',
        kernel_type: 'script',
        enable_gpu: 'yes',
        model_sources: ['a/b'],
      }),
      (e: Error & { exitCode?: number }) => {
        assert.equal(e.exitCode, 2);
        assert.match(
          e.message,
          /"id" must be "owner\/slug" with a slug of at least 5 characters.*\(got "alice\/abc"\)/,
        );
        assert.match(e.message, /"language" must be one of "python", "r", "rmarkdown" \(got "pyhton"\)/);
        assert.match(e.message, /"enable_gpu" must be true or false.*\(got "yes"\)/);
        assert.match(
          e.message,
          /"model_sources" must be a list of "owner\/model\/framework\/variation\/version" .*kaggle 1\.8 took is refused by kaggle 2\.x too.*\(got \["a\/b"\]\)/,
        );
        return true;
      },
    );
    await assert.rejects(
      validateKernelMetadata({ code_file: 'x.py', language: 'python', kernel_type: 'script' }),
      /"id" \("owner\/slug"\) or "id_no" is required/,
    );
    const anyCase = await validateKernelMetadata({
      id: 'alice/my-kernel',
      code_file: 'x.py',
      language: 'python',
      kernel_type: 'script',
      enable_gpu: 'TRUE',
      is_private: 'false',
    });
    assert.deepEqual(anyCase.warnings, [
      'kernel-metadata.json: enable_gpu "TRUE" is read as true (any case is accepted, as the official CLI does).',
    ]);
    assert.equal(saveKernelRequest(anyCase.metadata, '').enableGpu, true);
    const ok = await validateKernelMetadata({
      id: 'alice/my-kernel',
      title: 'Something Else',
      code_file: 'x.py',
      language: 'python',
      kernel_type: 'script',
      enable_gpu: 'false',
    });
    assert.match(ok.warnings.join('\n'), /does not resolve to the slug "my-kernel"/);
  });

  it('sends a notebook with outputs cleared and sources joined, and a bare notebook twice makes two versions of one kernel', async () => {
    const d = dir();
    const file = path.join(d, 'Sales Forecast.ipynb');
    writeFileSync(file, notebook(['import pandas\n', 'print(1)\n']));
    const first = await pushKernel(client(), file);
    const second = await pushKernel(client(), file);
    assert.equal(first.ref, 'alice/sales-forecast');
    assert.equal(second.ref, 'alice/sales-forecast');
    assert.equal(first.metadataGenerated, true);
    assert.deepEqual([first.versionNumber, second.versionNumber], [1, 2]);
    assert.equal(fake.kernels.filter((k) => k.slug === 'sales-forecast').length, 1);
    const body = fake.calls('SaveKernel').at(-1)?.body as Record<string, unknown>;
    assert.equal(body.slug, 'alice/sales-forecast');
    assert.equal(body.newTitle, 'Sales Forecast');
    assert.equal(body.kernelType, 'notebook');
    const sent = JSON.parse(body.text as string) as { cells: Array<{ outputs: unknown[]; source: unknown }> };
    assert.deepEqual(sent.cells[0]?.outputs, []);
    assert.equal(sent.cells[0]?.source, 'import pandas\nprint(1)\n');
    assert.ok((body.text as string).startsWith('{"cells": [{"cell_type": "code"'), "Python's json.dumps separators");
  });

  it("pushing to another user's kernel fails with the server's text", async () => {
    fake.addKernel({ owner: 'bob', slug: 'bobs-public-kernel', kernelType: 'script' });
    const d = dir();
    writeFileSync(path.join(d, 'k.py'), 'print(2)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({ id: 'bob/bobs-public-kernel', code_file: 'k.py', language: 'python', kernel_type: 'script' }),
    );
    await assert.rejects(pushKernel(client(), d), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'KAGGLE_PUSH_REJECTED');
      assert.equal(e.message, 'Kernel push error: Notebook not found');
      return true;
    });
    assert.equal(fake.kernel('bob/bobs-public-kernel')?.versions.length, 1);
  });

  it('reports dropped sources as warnings, and the push succeeds', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'k.py'), 'print(3)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({
        id: 'alice/with-sources',
        title: 'With Sources',
        code_file: 'k.py',
        language: 'python',
        kernel_type: 'script',
        dataset_sources: ['alice/iris', 'alice/missing-data'],
        competition_sources: ['no-such-comp'],
        keywords: ['beginner', 'not-a-tag'],
      }),
    );
    const res = await pushKernel(client(), d);
    assert.equal(res.versionNumber, 1);
    assert.deepEqual(res.warnings, [
      'Kaggle dropped these tags (not found or not accessible): not-a-tag',
      'Kaggle dropped these dataset sources (not found or not accessible): alice/missing-data',
      'Kaggle dropped these competition sources (not found or not accessible): no-such-comp',
    ]);
  });

  it('never repeats SaveKernel after a 500, but does after a 429 (no duplicate versions)', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'k.py'), 'print(4)\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({
        id: 'alice/retry-push',
        title: 'Retry Push',
        code_file: 'k.py',
        language: 'python',
        kernel_type: 'script',
      }),
    );
    const before = fake.calls('SaveKernel').length;
    fake.inject({ target: 'SaveKernel', status: 500 });
    await assert.rejects(pushKernel(client(), d), /SaveKernel failed: HTTP 500/);
    assert.equal(fake.calls('SaveKernel').length - before, 1);
    fake.inject({ target: 'SaveKernel', status: 429, times: 2 });
    const res = await pushKernel(client(), d);
    assert.equal(res.versionNumber, 1);
    assert.equal(fake.calls('SaveKernel').length - before, 4);
    assert.equal(fake.kernel('alice/retry-push')?.versions.length, 1);
  });
});

describe('output', () => {
  it('follows every page, never sends credentials to storage, saves the raw JSON log with a text log beside it and skips current files', async () => {
    const files = Array.from({ length: 250 }, (_, i) => ({
      fileName: `parts/p${String(i).padStart(3, '0')}.txt`,
      content: `part ${i}\n`,
    }));
    fake.addKernel({
      owner: 'alice',
      slug: 'many-outputs',
      outputs: [...files, { fileName: 'submission.csv', content: 'id,y\n1,0\n' }],
      log: [
        { stream_name: 'stdout', time: 0.5, data: 'training\n' },
        { stream_name: 'stderr', time: 1.5, data: 'done\n' },
      ],
    });
    const target = dir();
    const before = fake.requests.length;
    const res = await downloadKernelOutputs(client(), { owner: 'alice', slug: 'many-outputs' }, target, {
      parallel: 8,
    });
    const mine = fake.requests.slice(before);
    assert.equal(mine.filter((r) => r.rpc === 'ListKernelSessionOutput').length, 2, '200 per page: two pages');
    assert.equal(mine.filter((r) => r.storage).length, 251);
    assert.ok(mine.filter((r) => r.storage).every((r) => r.headers.authorization === undefined && r.status === 200));
    assert.equal(res.files.filter((f) => f.outcome === 'written').length, 251);
    assert.equal(readFileSync(path.join(target, 'parts', 'p249.txt'), 'utf8'), 'part 249\n');
    assert.equal(readFileSync(path.join(target, 'many-outputs.log.txt'), 'utf8'), 'training\ndone\n');
    const raw = JSON.parse(readFileSync(path.join(target, 'many-outputs.log'), 'utf8')) as Array<{ data: string }>;
    assert.deepEqual(
      raw.map((e) => e.data),
      ['training\n', 'done\n'],
    );

    const again = await downloadKernelOutputs(client(), { owner: 'alice', slug: 'many-outputs' }, target, {
      filePattern: /\.csv$/,
    });
    assert.deepEqual(
      again.files.map((f) => [f.fileName, f.outcome]),
      [['submission.csv', 'skipped']],
    );
  });

  it('refuses names that leave the target folder and never writes an error body', async () => {
    fake.addKernel({
      owner: 'alice',
      slug: 'hostile-outputs',
      outputs: [
        { fileName: '../escape.txt', content: 'pwned' },
        { fileName: '/etc/evil', content: 'pwned' },
        { fileName: 'ok/../../x.txt', content: 'pwned' },
        { fileName: 'good.txt', content: 'fine' },
        { fileName: 'denied.bin', content: 'secret' },
      ],
    });
    const parent = dir();
    const target = path.join(parent, 'out');
    const res = await downloadKernelOutputs(client(), { owner: 'alice', slug: 'hostile-outputs' }, target, {
      parallel: 1,
      filePattern: /^(?!denied)/,
    });
    assert.deepEqual(
      res.files.map((f) => [f.fileName, f.outcome]),
      [
        ['../escape.txt', 'refused'],
        ['/etc/evil', 'refused'],
        ['ok/../../x.txt', 'refused'],
        ['good.txt', 'written'],
      ],
    );
    assert.match(res.files[0]?.error ?? '', /refused "\.\.\/escape\.txt": path climbs out/);
    assert.deepEqual(readdirSync(parent), ['out']);
    fake.inject({ target: 'storage', status: 403, envelope: 'text' });
    const denied = await downloadKernelOutputs(client(), { owner: 'alice', slug: 'hostile-outputs' }, target, {
      filePattern: /^denied/,
    });
    assert.equal(denied.files[0]?.outcome, 'failed');
    assert.match(denied.files[0]?.error ?? '', /HTTP 403/);
    assert.equal(existsSync(path.join(target, 'denied.bin')), false);
  });
});

describe('run', () => {
  function scriptKernel(s: string): string {
    const d = dir();
    writeFileSync(path.join(d, 'train.py'), 'print("train")\n');
    writeFileSync(
      path.join(d, 'kernel-metadata.json'),
      JSON.stringify({ id: `alice/${s}`, title: s, code_file: 'train.py', language: 'python', kernel_type: 'script' }),
    );
    return d;
  }

  it("never takes the previous version's COMPLETE for this run's result", async () => {
    const s = slug('stale');
    fake.addKernel({ owner: 'alice', slug: s, kernelType: 'script', outcome: 'COMPLETE' });
    fake.scriptNextRun(`alice/${s}`, {
      stalePolls: 3,
      outcome: 'ERROR',
      failureMessage: 'ValueError: bad input',
      log: [{ stream_name: 'stderr', time: 1, data: 'Traceback...\nValueError: bad input\n' }],
    });
    await assert.rejects(
      runKernel(client(), scriptKernel(s), { pollMs: 1, cwd: dir() }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'KAGGLE_RUN_FAILED');
        assert.match(e.message, /Run of alice\/.* version 2 failed: ValueError: bad input/);
        assert.match(e.message, /Last lines of the log:\nTraceback\.\.\.\nValueError: bad input/);
        return true;
      },
    );
  });

  it('waits through the 404 window of a first push, then downloads outputs and log', async () => {
    const s = slug('fresh');
    fake.scriptFirstRun(`alice/${s}`, {
      notFoundPolls: 3,
      outputs: [{ fileName: 'model.pkl', content: 'weights' }],
      log: 'ok\n',
    });
    const out = path.join(dir(), 'results');
    const res = await runKernel(client(), scriptKernel(s), { pollMs: 1, path: out });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.versionNumber, 1);
    assert.equal(readFileSync(path.join(out, 'model.pkl'), 'utf8'), 'weights');
    assert.equal(readFileSync(path.join(out, `${s}.log`), 'utf8'), 'ok\n');
  });

  it('accepts a terminal state that stays the same past the stale window (a run faster than one poll)', async () => {
    const s = slug('quick');
    fake.addKernel({ owner: 'alice', slug: s, kernelType: 'script' });
    fake.scriptNextRun(`alice/${s}`, {
      stalePolls: 0,
      queuedPolls: 0,
      runningPolls: 0,
      outputs: [{ fileName: 'a.txt', content: 'a' }],
    });
    const res = await runKernel(client(), scriptKernel(s), { pollMs: 1, staleGraceMs: 0, path: dir() });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.outputs?.files[0]?.outcome, 'written');
  });
});
