/**
 * `kagg send` and `kagg chat` against a private endpoint: the echo-bot example deployed with
 * `--aws --private` to the strict AWS fake (the aws plugin linked in, the real SDK, credentials
 * injected), so every request must carry a SigV4 signature. Chat runs on a real pseudo-terminal
 * (tmux: two turns, history on ↑, Ctrl-D; Ctrl-C) and piped (three lines, then end of input).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AwsFake, startAwsFake } from '@kagg/testkit/aws-fake';
import { awsCliEnv } from './aws-helpers.ts';
import { BIN, cleanup, kagg, kaggJson, ROOT, tempDir } from './helpers.ts';
import { Terminal } from './tmux.ts';

const ECHO_BOT = path.join(ROOT, 'examples', 'echo-bot', 'echo-bot.ipynb');

describe('kagg send and kagg chat with a private endpoint', () => {
  const home = tempDir('kagg-chat-');
  const terminals: Terminal[] = [];
  let fake: AwsFake;
  let env: NodeJS.ProcessEnv;
  let url = '';

  const terminal = (args: string[]) => {
    const t = new Terminal(home, args, env);
    terminals.push(t);
    return t;
  };
  /** kagg with `input` on its stdin (a pipe). */
  const piped = (args: string[], input: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input);
    });

  before(async () => {
    fake = await startAwsFake();
    env = await awsCliEnv(home, fake);
    const dep = await kaggJson<{ auth: string; url: string }>(
      ['deploy', ECHO_BOT, '--aws', '--private', '--name', 'echo'],
      env,
    );
    assert.equal(dep.code, 0, dep.stderr);
    assert.equal(dep.json.auth, 'private');
    url = dep.json.url;
  });
  after(async () => {
    for (const t of terminals) t.kill();
    await cleanup(home);
    await fake.close();
  });

  it('send: one signed POST of {"text": TEXT}, the reply’s text on stdout', async () => {
    const r = await kagg(['send', 'echo', 'hello there'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Hello! Say anything and I will echo it.\n');
    assert.doesNotMatch(r.stderr, /Waiting|\x1b/, 'off a terminal: no progress');
    const json = await kaggJson<{ status: number; body: unknown; reply: string }>(['send', 'echo', '2 + 2'], env);
    assert.equal(json.json.status, 200);
    assert.deepEqual(json.json.body, { response: 'You said: 2 + 2' });
    const fromStdin = await piped(['send', 'echo', '-'], 'from stdin\n');
    assert.equal(fromStdin.stdout, 'You said: from stdin\n', fromStdin.stderr);
  });

  it('send: the endpoint refuses unsigned calls, and --field names the request field', async () => {
    const unsigned = await kagg(['send', url, 'hello'], env);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.stderr, /^Error: the endpoint answered HTTP 403/m);
    const wrongField = await kagg(['send', 'echo', 'hello', '--field', 'prompt'], env);
    assert.equal(wrongField.code, 1);
    assert.match(wrongField.stderr, /HTTP 500: send \{"text": "\.\.\."\}: a non-empty string/);
    for (const r of [unsigned, wrongField]) assert.ok(!`${r.stdout}${r.stderr}`.includes(fake.secretAccessKey));
  });

  it('chat piped: three lines, three replies, history as documented, exit 0 at end of input', async () => {
    const r = await piped(['chat', 'echo', '--history'], 'hello\n\nhow are you\n2 + 2\n');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'Hello! Say anything and I will echo it. (0 earlier turns)',
      'Running fine on this endpoint, thanks. (2 earlier turns)',
      'You said: 2 + 2 (4 earlier turns)',
    ]);
    const json = await piped(['chat', 'echo', '--json'], 'one\ntwo\n');
    assert.deepEqual(JSON.parse(json.stdout), {
      exchanges: [
        { text: 'one', reply: 'You said: one' },
        { text: 'two', reply: 'You said: two' },
      ],
      failed: 0,
      warnings: [],
    });
  });

  it('chat piped: a failed request prints one line and the loop goes on; exit 1 at the end', async () => {
    const r = await piped(['chat', url], 'one\ntwo\n');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const errors = r.stderr.split('\n').filter((line) => line.startsWith('Error:'));
    assert.equal(errors.length, 2, r.stderr);
    for (const line of errors) assert.match(line, /^Error: the endpoint answered HTTP 403/);
  });

  it('chat on a terminal: two turns, history on ↑, ends cleanly on Ctrl-D', async () => {
    const t = terminal(['chat', 'echo']);
    await t.waitFor(/you› $/m);
    t.type('hello');
    t.press('Enter');
    await t.waitFor(/bot› Hello! Say anything and I will echo it\./);
    t.type('how are you');
    t.press('Enter');
    await t.waitFor(/bot› Running fine on this endpoint, thanks\./);
    t.press('Up');
    await t.waitFor(/you› how are you\n(\s*\n)*$/);
    t.press('C-u', 'C-d');
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.ok(!t.screen().includes(fake.secretAccessKey));
  });

  it('chat on a terminal: Ctrl-C and /exit end it with exit 0', async () => {
    const a = terminal(['chat', 'echo']);
    await a.waitFor(/you› $/m);
    a.type('half a sentence');
    a.press('C-c');
    assert.equal(await a.exitCode(), 0, a.screen());
    const b = terminal(['chat', 'echo']);
    await b.waitFor(/you› $/m);
    b.type('/exit');
    b.press('Enter');
    assert.equal(await b.exitCode(), 0, b.screen());
  });
});
