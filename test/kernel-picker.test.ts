/**
 * The kernel picker of `kagg run`, `kagg pull` and `kagg output` given no ref, on a real
 * pseudo-terminal (tmux) against the strict fake Kaggle: filter by typing, switch to the popular
 * lists (hotness, voteCount), load the next page on scrolling, pick with Enter, cancel with Esc.
 * Off a terminal the same commands never prompt: exit 2 naming the argument.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FakeKaggle } from '@kagg/testkit/kaggle-fake';
import { kagg, kaggJson, tempDir } from './helpers.ts';
import { kaggleEnv, startKaggleFake } from './kaggle-helpers.ts';
import { Terminal } from './tmux.ts';

let fake: FakeKaggle;
let home = '';
const terminals: Terminal[] = [];

before(async () => {
  fake = await startKaggleFake();
  home = tempDir('kagg-picker-');
  fake.addKernel({
    owner: 'alice',
    slug: 'titanic-model',
    title: 'Titanic Model',
    totalVotes: 12,
    lastRunTime: '2026-12-01T10:20:00.000Z',
  });
  fake.addKernel({
    owner: 'alice',
    slug: 'iris-explorer',
    title: 'Iris Explorer',
    totalVotes: 3,
    lastRunTime: '2026-11-30T08:00:00.000Z',
  });
  // 23 more of alice's: her list needs a second page (20 a page).
  for (let i = 1; i <= 23; i++) fake.addKernel({ owner: 'alice', slug: `study-${i}`, title: `Study ${i}` });
  fake.addKernel({ owner: 'bob', slug: 'bobs-public', title: 'Bobs Public', kernelType: 'script', totalVotes: 40 });
  fake.addKernel({ owner: 'carol', slug: 'carols-hit', title: 'Carols Hit', totalVotes: 90 });
});
after(async () => {
  for (const t of terminals) t.kill();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return kaggleEnv(home, fake);
}

function terminal(args: string[]): Terminal {
  const t = new Terminal(home, args, env());
  terminals.push(t);
  return t;
}

/** The ListKernels bodies kagg sent since request number `since`. */
function listBodies(since: number): Array<Record<string, unknown>> {
  return fake.requests
    .slice(since)
    .filter((r) => r.rpc === 'ListKernels')
    .map((r) => r.body as Record<string, unknown>);
}

describe('the kernel picker on a terminal', () => {
  it('lists your kernels, filters as you type, switches to popular by hotness and voteCount, and pulls the pick', async () => {
    const since = fake.requests.length;
    const out = path.join(home, 'picked');
    const t = terminal(['pull', '--path', out]);
    let screen = await t.waitFor(/alice\/titanic-model/);
    assert.match(screen, /\[your kernels\]/);
    assert.doesNotMatch(screen, /bob\/bobs-public/, 'your kernels come first, alone');
    assert.match(screen, /alice\/titanic-model +Titanic Model +2026-12-01 10:20 +(COMPLETE|…)/);
    await t.waitFor(/alice\/titanic-model .*COMPLETE/);
    assert.deepEqual(
      listBodies(since).map((b) => [b.group, b.sortBy]),
      [['PROFILE', 'DATE_RUN']],
    );

    t.type('iris');
    screen = await t.waitFor((s) => /Pick a kernel iris/.test(s) && /alice\/iris-explorer/.test(s));
    await t.waitFor((s) => !/alice\/titanic-model/.test(s));
    assert.equal(listBodies(since).at(-1)?.search, 'iris', 'the filter is Kaggle’s own search');

    t.press('BSpace', 'BSpace', 'BSpace', 'BSpace', 'Tab');
    screen = await t.waitFor((s) => /\[popular: hottest\]/.test(s) && /carol\/carols-hit/.test(s));
    assert.ok(screen.indexOf('carol/carols-hit') < screen.indexOf('bob/bobs-public'), 'hottest first');
    assert.match(screen, /carol\/carols-hit .*▲ 90/);
    assert.equal(listBodies(since).at(-1)?.group, 'EVERYONE');
    assert.equal(listBodies(since).at(-1)?.sortBy, undefined, 'HOTNESS is the default, left out as the SDK does');

    t.press('Tab');
    await t.waitFor(/\[popular: most voted\]/);
    await t.waitFor(/carol\/carols-hit/);
    assert.equal(listBodies(since).at(-1)?.sortBy, 'VOTE_COUNT', 'the official key, not kagg.py’s invalid "votes"');

    t.press('Down');
    await t.waitFor(/❯ bob\/bobs-public/);
    t.press('Enter');
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.ok(existsSync(path.join(out, 'bobs-public.py')), t.screen());
  });

  it('loads the next page only when you scroll near the end', async () => {
    const since = fake.requests.length;
    const t = terminal(['output']);
    await t.waitFor((s) => /alice\/titanic-model/.test(s) && /↓ more below/.test(s));
    for (let i = 0; i < 16; i++) t.press('Down');
    await t.waitFor(/❯ alice\/study-9 /);
    assert.deepEqual(
      listBodies(since).map((b) => b.page),
      [1],
      'no second page before the cursor nears the end',
    );
    t.press('Down');
    await t.waitFor(() => listBodies(since).length === 2);
    assert.deepEqual(
      listBodies(since).map((b) => b.page),
      [1, 2],
    );
    for (let i = 0; i < 10; i++) t.press('Down');
    await t.waitFor(/❯ alice\/study-1 /);
    assert.doesNotMatch(t.screen(), /↓ more below/);
    assert.equal(listBodies(since).length, 2, 'a short page ends the list');
    t.press('Escape');
    assert.equal(await t.exitCode(), 1);
  });

  it('cancels with Esc: nothing pushed, exit 1, one clear line', async () => {
    const since = fake.requests.length;
    const t = terminal(['run']);
    await t.waitFor(/alice\/titanic-model/);
    t.press('Escape');
    assert.equal(await t.exitCode(), 1);
    assert.match(t.screen(), /Error: no kernel picked: cancelled/);
    assert.ok(!fake.requests.slice(since).some((r) => r.rpc === 'SaveKernel'), 'nothing was pushed');
  });
});

describe('the kernel picker off a terminal', () => {
  it('never prompts: run, pull and output without a ref exit 2 naming the argument', async () => {
    const since = fake.requests.length;
    const run = await kagg(['run'], env());
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /kagg run needs INPUT: a kernel ref \(owner\/slug\) or Kaggle URL/);
    assert.match(run.stderr, /kagg run alice\/titanic-model/);
    const pull = await kagg(['pull'], env());
    assert.equal(pull.code, 2, pull.stderr);
    assert.match(pull.stderr, /kagg pull needs REF/);
    const output = await kaggJson<{ error: { code: string; message: string } }>(['output'], env());
    assert.equal(output.code, 2);
    assert.equal(output.json.error.code, 'MISSING_ARGUMENT');
    assert.match(output.json.error.message, /kagg output needs REF/);
    assert.equal(fake.requests.length, since, 'no request to Kaggle');
  });

  it('never prompts under --json on a terminal either', async () => {
    const t = terminal(['run', '--json']);
    assert.equal(await t.exitCode(), 2);
    assert.match(t.screen(), /"code": "MISSING_ARGUMENT"/);
  });
});
