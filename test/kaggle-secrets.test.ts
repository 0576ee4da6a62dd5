// Credentials go to the Kaggle API only: no request to a storage URL carries them, and neither the
// key, the token nor the Basic header value ever appears in kagg's output, its --json results, its
// error messages (even when the server echoes them back) or the files it writes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { isolatedEnv, kagg, tempDir } from './helpers.ts';

const KEY = 'f3a9c2e47b1d4e8fa0c6d2b9e5f71a3c';
const TOKEN = 'KGAT_0f9e8d7c6b5a49382716aabbccddeeff';
const BASIC = Buffer.from(`alice:${KEY}`).toString('base64');
let fake: FakeKaggle;
let home = '';

before(async () => {
  fake = await startFakeKaggle({ users: [{ username: 'alice', key: KEY, token: TOKEN }] });
  home = tempDir('kagg-kaggle-secrets-');
  fake.addKernel({ owner: 'alice', slug: 'fails-on-run', kernelType: 'script' });
  for (let i = 0; i < 4; i++)
    fake.scriptNextRun('alice/fails-on-run', { outcome: 'ERROR', failureMessage: 'boom', log: 'trace\n' });
});
after(async () => {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function env(creds: Record<string, string>): NodeJS.ProcessEnv {
  return isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle-config'),
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: '',
    KAGGLE_KEY: '',
    KAGG_HTTP_RETRY_BASE_MS: '5',
    KAGG_KAGGLE_POLL_MS: '5',
    KAGG_KAGGLE_RATE: '1000',
    KAGG_DEBUG: '1',
    ...creds,
  });
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function assertClean(text: string, where: string): void {
  for (const secret of [KEY, TOKEN, BASIC]) assert.ok(!text.includes(secret), `${where} contains a secret:\n${text}`);
}

describe('credentials never leak', () => {
  const tokenFile = () => {
    const f = path.join(home, 'token.txt');
    writeFileSync(f, `${TOKEN}\n`);
    return f;
  };
  const setups: Array<[string, () => Record<string, string>]> = [
    ['Basic key from the environment', () => ({ KAGGLE_USERNAME: 'alice', KAGGLE_KEY: KEY })],
    ['Bearer token from a file named by KAGGLE_API_TOKEN', () => ({ KAGGLE_API_TOKEN: tokenFile() })],
  ];
  for (const [index, [name, creds]] of setups.entries()) {
    it(`${name}: every command, with and without --json, failures included`, async () => {
      const e = env(creds());
      const kernel = `secret-check-${index}`;
      const outputs = [{ fileName: 'out.csv', content: 'a\n1\n' }];
      fake.addKernel({ owner: 'alice', slug: kernel, outputs, log: 'done\n' });
      for (let i = 0; i < 4; i++) fake.scriptNextRun(`alice/${kernel}`, { outputs, log: 'again\n' });
      const out = path.join(home, name.replace(/\W+/g, '-'));
      const runs: string[][] = [
        ['list', '--mine'],
        ['list', '--csv'],
        ['pull', kernel, '--path', path.join(out, 'pull'), '--metadata'],
        ['status', `alice/${kernel}`],
        ['output', `alice/${kernel}`, '--path', path.join(out, 'output')],
        ['push', path.join(out, 'pull')],
        ['run', `alice/${kernel}`, '--path', path.join(out, 'run')],
        ['run', 'alice/fails-on-run', '--path', path.join(out, 'run-fail')],
        ['pull', 'alice/no-such-kernel'],
        ['list', '--search', 'echo'],
      ];
      const before = fake.requests.length;
      for (const args of runs) {
        if (args.includes('echo')) {
          // A server that echoes the credentials in use back in its error message.
          const echo = creds().KAGGLE_API_TOKEN
            ? `bad token ${TOKEN} (Authorization: Bearer ${TOKEN})`
            : `bad Authorization: Basic ${BASIC} for key ${KEY}`;
          fake.inject({ target: 'ListKernels', status: 400, body: { code: 400, message: echo }, times: 2 });
        }
        for (const json of [false, true]) {
          const r = await kagg(json ? [...args, '--json'] : args, e);
          assertClean(r.stdout, `stdout of kagg ${args.join(' ')}`);
          assertClean(r.stderr, `stderr of kagg ${args.join(' ')}`);
          if (args[0] === 'run' && args[1] === 'alice/fails-on-run') assert.equal(r.code, 1);
        }
      }
      for (const file of allFiles(out)) assertClean(readFileSync(file, 'utf8'), file);
      for (const file of allFiles(home).filter((f) => !f.endsWith('token.txt')))
        assertClean(readFileSync(file, 'utf8'), file);

      const mine = fake.requests.slice(before);
      const storage = mine.filter((r) => r.storage);
      assert.ok(storage.length >= 2, 'outputs were downloaded');
      for (const r of storage) {
        assert.equal(r.headers.authorization, undefined, `storage request ${r.path} carried an Authorization header`);
        assert.equal(r.headers.cookie, undefined);
        assertClean(JSON.stringify(r.headers), 'storage request headers');
        assert.ok([200, 304].includes(r.status));
      }
      const api = mine.filter((r) => r.rpc && r.rpc !== 'IntrospectToken');
      assert.ok(api.length > 10);
      assert.ok(
        api.every((r) => r.headers.authorization === (creds().KAGGLE_API_TOKEN ? `Bearer ${TOKEN}` : `Basic ${BASIC}`)),
      );
    });
  }
});
