/** Input resolution: files, folders, notebook URLs (with GitHub/gist/GitLab rewriting), limits. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rawNotebookUrl, resolveNotebookInput } from '@kagg/core/input';
import { tempDir } from '@kagg/testkit/temp';

const NB = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });

describe('notebook URLs', () => {
  it('rewrites GitHub blob pages, gists and GitLab blobs to their raw form', () => {
    assert.equal(
      rawNotebookUrl('https://github.com/alice/ml/blob/main/notebooks/model.ipynb#L10'),
      'https://raw.githubusercontent.com/alice/ml/main/notebooks/model.ipynb',
    );
    assert.equal(
      rawNotebookUrl('https://gist.github.com/alice/0123abcd'),
      'https://gist.githubusercontent.com/alice/0123abcd/raw',
    );
    assert.equal(
      rawNotebookUrl('https://gitlab.com/alice/ml/-/blob/main/model.ipynb?ref_type=heads'),
      'https://gitlab.com/alice/ml/-/raw/main/model.ipynb?ref_type=heads',
    );
    assert.equal(
      rawNotebookUrl('https://notebooks.invalid/a/b.ipynb?x=1&y=2'),
      'https://notebooks.invalid/a/b.ipynb?x=1&y=2',
    );
  });
});

describe('resolveNotebookInput', () => {
  const dir = tempDir('kagg-input-');
  let server: Server;
  let base = '';
  const noKaggle = { kaggle: async () => undefined };

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/nb/model.ipynb') res.writeHead(200, { 'content-type': 'text/plain' }).end(NB);
      else if (req.url === '/big.ipynb') res.writeHead(200).end('x'.repeat(5000));
      else if (req.url?.startsWith('/bytes/')) res.writeHead(200).end('x'.repeat(Number(req.url.slice(7))));
      else res.writeHead(404).end('not here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('reads a file and names the endpoint after it', async () => {
    const file = path.join(dir, 'My Model_v2.ipynb');
    writeFileSync(file, NB);
    const r = await resolveNotebookInput(file, noKaggle);
    assert.equal(r.kind, 'file');
    assert.equal(r.suggestedName, 'my-model-v2');
    assert.equal(r.directory, dir);
  });

  it('finds the one notebook in a folder, and refuses a folder with none or several', async () => {
    const one = path.join(dir, 'one');
    mkdirSync(one);
    writeFileSync(path.join(one, 'a.ipynb'), NB);
    assert.equal((await resolveNotebookInput(one, noKaggle)).source, path.join(one, 'a.ipynb'));
    writeFileSync(path.join(one, 'b.ipynb'), NB);
    await assert.rejects(resolveNotebookInput(one, noKaggle), /holds 2 notebooks \(a\.ipynb, b\.ipynb\)/);
    const none = path.join(dir, 'none');
    mkdirSync(none);
    await assert.rejects(resolveNotebookInput(none, noKaggle), /holds no \.ipynb notebook/);
  });

  it('downloads a notebook URL and refuses plain http outside loopback', async () => {
    const r = await resolveNotebookInput(`${base}/nb/model.ipynb`, noKaggle);
    assert.equal(r.kind, 'url');
    assert.equal(r.text, NB);
    assert.equal(r.suggestedName, 'model');
    await assert.rejects(resolveNotebookInput('http://notebooks.invalid/x.ipynb', noKaggle), /https only/);
    await assert.rejects(resolveNotebookInput(`${base}/missing.ipynb`, noKaggle), /HTTP 404/);
  });

  it('enforces the size limit on files and downloads', async () => {
    const file = path.join(dir, 'big.ipynb');
    writeFileSync(file, 'x'.repeat(5000));
    await assert.rejects(
      resolveNotebookInput(file, { ...noKaggle, maxBytes: 1000 }),
      /over the 0 MB limit|over the .* limit/,
    );
    await assert.rejects(resolveNotebookInput(`${base}/big.ipynb`, { ...noKaggle, maxBytes: 1000 }), /limit/);
  });

  it('accepts a notebook of exactly the size limit and refuses one byte more, from a file or a URL', async () => {
    const limits = { ...noKaggle, maxBytes: 1000 };
    const at = path.join(dir, 'at-limit.ipynb');
    writeFileSync(at, 'x'.repeat(1000));
    assert.equal((await resolveNotebookInput(at, limits)).text.length, 1000);
    const over = path.join(dir, 'over-limit.ipynb');
    writeFileSync(over, 'x'.repeat(1001));
    await assert.rejects(resolveNotebookInput(over, limits), /over-limit\.ipynb is .* over the .* limit/);
    assert.equal((await resolveNotebookInput(`${base}/bytes/1000`, limits)).text.length, 1000);
    await assert.rejects(resolveNotebookInput(`${base}/bytes/1001`, limits), /limit/);
  });

  it('asks the Kaggle resolver only for ref-shaped inputs that are not local paths', async () => {
    const asked: string[] = [];
    const kaggle = async (input: string) => {
      asked.push(input);
      return undefined;
    };
    await assert.rejects(resolveNotebookInput('alice/model', { kaggle }), /no such notebook/);
    await assert.rejects(resolveNotebookInput('missing.ipynb', { kaggle }), /no such notebook/);
    assert.deepEqual(asked, ['alice/model']);
  });
});
