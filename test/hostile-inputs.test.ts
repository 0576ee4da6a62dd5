/**
 * The hostile input corpus through the commands that take it: truncated, invalid UTF-8 and deeply
 * nested notebooks, a notebook over 100 MB (generated here, removed after), URLs that redirect off
 * the loopback host or answer too much, kernel refs with shell metacharacters in pull, output and a
 * batch file. Each gets a clear error naming the input, exit 1 (or 2 for a usage error), no stack
 * trace, and nothing written or lost on disk. (Notebook JSON errors, nbformat 3, HTML pages and `..`
 * output names are in bad-inputs, kaggle-commands and kaggle-services tests.)
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nested } from '@kagg/testkit/fuzz';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { FIXTURES, isolatedEnv, kagg, type RunResult, tempDir } from './helpers.ts';

const KEY = 'hostile0key0123456789abcdef012345';
const pmBasic = readFileSync(path.join(FIXTURES, 'pm-basic.ipynb'), 'utf8');
let home = '';
let server: Server;
let base = '';
let fake: FakeKaggle;

before(async () => {
  home = tempDir('kagg-hostile-');
  fake = await startFakeKaggle({ users: [{ username: 'alice', key: KEY }] });
  fake.addKernel({ owner: 'alice', slug: 'fine', outputs: [{ fileName: 'a.txt', content: 'a' }] });
  server = createServer((req, res) => {
    if (req.url === '/off-loopback.ipynb') res.writeHead(302, { location: 'http://203.0.113.7/x.ipynb' }).end();
    else if (req.url === '/to-https.ipynb') res.writeHead(301, { location: 'https://example.com/x.ipynb' }).end();
    else if (req.url === '/to-loopback.ipynb') res.writeHead(302, { location: '/pm-basic.ipynb' }).end();
    else if (req.url === '/pm-basic.ipynb') res.writeHead(200, { 'content-type': 'application/json' }).end(pmBasic);
    else if (req.url === '/huge.ipynb') {
      // 110 MiB, streamed with no Content-Length: only kagg's running count can stop it
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 110) {
          sent++;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.write('{"cells": ["');
      pump();
      res.on('error', () => {});
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle-config'),
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: 'alice',
    KAGGLE_KEY: KEY,
    KAGG_HTTP_RETRY_BASE_MS: '5',
    KAGG_KAGGLE_RATE: '1000',
  });
}

/** A clear error: the exit code, the input named, an action line, no stack trace, nothing on stdout. */
function assertClearError(result: RunResult, code: number, names: RegExp): void {
  assert.equal(result.code, code, `exit ${result.code}:\n${result.stderr}`);
  assert.match(result.stderr, names);
  assert.doesNotMatch(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.equal(result.stdout, '');
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe('hostile notebooks through kagg package', () => {
  const cases: Array<[string, string, () => string | Buffer, RegExp]> = [
    [
      'a truncated notebook',
      'truncated.ipynb',
      () => pmBasic.slice(0, pmBasic.length / 2),
      /truncated\.ipynb is not valid JSON at line \d+:\d+/,
    ],
    [
      'invalid UTF-8',
      'latin1.ipynb',
      () =>
        Buffer.concat([
          Buffer.from('{"cells": [], "nbformat": 4, "metadata": {"x": "'),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('"'),
          Buffer.from([0x80]),
        ]),
      /latin1\.ipynb/,
    ],
    [
      'JSON nested 200,000 levels deep',
      'deep.ipynb',
      () => JSON.stringify({ nbformat: 4, cells: [] }).replace('[]', `${'['.repeat(200_000)}${']'.repeat(200_000)}`),
      /deep\.ipynb/,
    ],
    [
      'a notebook nested 3,000 levels in its metadata',
      'deep-metadata.ipynb',
      () => JSON.stringify({ ...JSON.parse(pmBasic), metadata: nested(3_000) }),
      /deep-metadata\.ipynb: metadata is nested more than 500 levels deep.*flatten or remove/s,
    ],
  ];
  for (const [what, name, content, message] of cases) {
    it(`refuses ${what} with a clear error and writes no zip`, async () => {
      const file = path.join(home, name);
      writeFileSync(file, content());
      const out = path.join(home, 'out', `${name}.zip`);
      const result = await kagg(['package', file, '--output', out], env());
      assertClearError(result, 1, message);
      assert.ok(!existsSync(out), 'no zip');
    });
  }

  it('refuses a notebook over 100 MB before reading it, naming its size', async () => {
    const file = path.join(home, 'huge.ipynb');
    writeFileSync(file, pmBasic);
    truncateSync(file, 101 * 1024 * 1024); // sparse: 101 MiB on the file system's word, not on disk
    try {
      const result = await kagg(['package', file, '--output', path.join(home, 'huge.zip')], env());
      assertClearError(result, 1, /huge\.ipynb is 105\.9 MB, over the 105 MB limit/);
    } finally {
      rmSync(file);
    }
  });
});

describe('hostile URLs', () => {
  for (const [what, url, location] of [
    ['a redirect off the loopback host (plain http)', '/off-loopback.ipynb', 'http://203.0.113.7/x.ipynb'],
    ['a redirect from the loopback host to an https host', '/to-https.ipynb', 'https://example.com/x.ipynb'],
  ] as const) {
    it(`refuses ${what} with kagg's own error, before any connection`, async () => {
      const result = await kagg(['package', `${base}${url}`, '--output', path.join(home, 'r.zip'), '--json'], env());
      assert.equal(result.code, 1, result.stderr);
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } };
      assert.equal(error.code, 'INPUT_REDIRECT_REFUSED', error.message);
      assert.ok(error.message.includes(location), error.message);
      assert.doesNotMatch(result.stderr + result.stdout, /LOOPBACK_GUARD/, 'the loopback guard never had to act');
    });
  }

  it('follows a redirect that stays on the loopback host', async () => {
    const zip = path.join(home, 'followed.zip');
    const result = await kagg(['package', `${base}/to-loopback.ipynb`, '--name', 'followed', '--output', zip], env());
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(zip));
  });

  it('cuts off a response past 100 MiB with a clear error', async () => {
    const result = await kagg(['package', `${base}/huge.ipynb`, '--output', path.join(home, 'h.zip')], env());
    assertClearError(result, 1, /huge\.ipynb answered more than 104857600 bytes/);
  });
});

describe('symlinks at a download destination', () => {
  it('pull and output replace a symlink there instead of writing through it to a file outside', async () => {
    const work = path.join(home, 'links');
    const outside = path.join(home, 'outside.txt');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(path.join(work, 'out'), { recursive: true });
    writeFileSync(outside, 'precious');
    symlinkSync(outside, path.join(work, 'fine.ipynb'));
    symlinkSync(outside, path.join(work, 'out', 'a.txt'));
    const pull = await kagg(['pull', 'alice/fine', '--path', work], env());
    assert.equal(pull.code, 0, pull.stderr);
    const output = await kagg(['output', 'alice/fine', '--path', path.join(work, 'out'), '--force'], env());
    assert.equal(output.code, 0, output.stderr);
    assert.equal(readFileSync(outside, 'utf8'), 'precious', 'the file outside is untouched');
    assert.ok(!lstatSync(path.join(work, 'fine.ipynb')).isSymbolicLink());
    assert.match(readFileSync(path.join(work, 'fine.ipynb'), 'utf8'), /"nbformat"/);
    assert.equal(readFileSync(path.join(work, 'out', 'a.txt'), 'utf8'), 'a');
  });
});

describe('kernel refs with shell metacharacters', () => {
  const refs = ['alice/$(touch pwned)', 'alice/x;rm -rf ~', 'alice/`id`', 'alice/a|b', '../../etc/passwd'];

  for (const ref of refs) {
    it(`pull and output refuse ${JSON.stringify(ref)} as a usage error and write nothing`, async () => {
      const work = path.join(home, 'refs');
      for (const command of ['pull', 'output']) {
        const result = await kagg([command, ref, '--path', work], env());
        assertClearError(result, 2, new RegExp(ref.replace(/[$()|`.*+?^{}[\]\\]/g, '\\$&')));
        assert.deepEqual(listing(work), [], `${command} wrote nothing`);
      }
      assert.ok(!existsSync(path.join(home, 'pwned')) && !existsSync(path.join(process.cwd(), 'pwned')));
    });
  }

  it('batch reports each such line as invalid, pulls the valid one, and exits 1', async () => {
    const file = path.join(home, 'refs.txt');
    writeFileSync(file, ['alice/fine', ...refs].join('\n'));
    const out = path.join(home, 'batch-out');
    rmSync(out, { recursive: true, force: true });
    const result = await kagg(['batch', file, '--operation', 'download', '--path', out], env());
    assert.equal(result.code, 1, result.stderr);
    for (const line of [2, 3, 4, 5, 6]) assert.match(result.stdout + result.stderr, new RegExp(`line ${line}\\b`));
    assert.deepEqual(
      listing(out),
      ['alice', 'alice/fine', 'alice/fine/fine.ipynb', 'alice/fine/kernel-metadata.json'],
      'only the valid kernel was pulled',
    );
    assert.ok(!existsSync(path.join(home, 'pwned')));
  });
});
