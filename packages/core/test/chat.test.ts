import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { type ChatTurn, chatLoop, replyText } from '@kagg/core/endpoints';
import { lastRunLabel, pickerRow } from '@kagg/core/kaggle';

describe('replyText', () => {
  it('takes the first of response, text, output, generated_text, else the JSON', () => {
    assert.equal(replyText({ output: 'o', text: 't', response: 'r' }), 'r');
    assert.equal(replyText({ output: 'o', text: 't' }), 't');
    assert.equal(replyText({ generated_text: 'g', output: 'o' }), 'o');
    assert.equal(replyText([{ generated_text: 'g' }]), 'g', 'a Hugging Face pipeline’s one-item list');
    assert.equal(replyText({ response: 3, label: 'x' }), '{"response":3,"label":"x"}', 'only strings are text');
    assert.equal(replyText('plain'), 'plain');
  });
});

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (d) => {
    text += d;
  });
  return () => text;
}

describe('chatLoop on piped input', () => {
  it('sends each non-blank line, goes on after a failure, stops at end of input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    const out = collect(output);
    const err = collect(errors);
    const seen: Array<[string, ChatTurn[] | undefined]> = [];
    input.end('one\n\n  \nfail\ntwo\n');
    const result = await chatLoop(
      async (text, history) => {
        seen.push([text, history]);
        if (text === 'fail') throw new Error('the endpoint answered HTTP 502\nmore detail');
        return text.toUpperCase();
      },
      { input, output, errors, terminal: false },
      { history: true, print: true },
    );
    assert.equal(out(), 'ONE\nTWO\n');
    assert.equal(err(), 'Error: the endpoint answered HTTP 502\n', 'one line per failure');
    assert.equal(result.failed, 1);
    assert.deepEqual(
      seen.map(([t]) => t),
      ['one', 'fail', 'two'],
    );
    assert.deepEqual(seen[2]?.[1], [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'ONE' },
    ]);
  });

  it('stops at /exit and without --history sends no history', async () => {
    const input = new PassThrough();
    const sent: Array<ChatTurn[] | undefined> = [];
    input.end('a\n/exit\nb\n');
    const result = await chatLoop(
      async (text, history) => {
        sent.push(history);
        return text;
      },
      { input, output: new PassThrough(), errors: new PassThrough(), terminal: false },
      { history: false, print: false },
    );
    assert.deepEqual(result.exchanges, [{ text: 'a', reply: 'a' }]);
    assert.deepEqual(sent, [undefined]);
  });
});

describe('picker rows', () => {
  it('show ref, title, last run and status in fixed columns, cut to the width', () => {
    const kernel = {
      ref: 'alice/a-very-long-kernel-slug-that-goes-on-and-on',
      title: 'A title',
      lastRunTime: '2026-12-01T10:20:30.000Z',
      totalVotes: 7,
    } as Parameters<typeof pickerRow>[0];
    const mine = pickerRow(kernel, 'COMPLETE', 100);
    assert.match(mine, /^alice\/a-very-long-kernel-\S*… +A title +2026-12-01 10:20 +COMPLETE/);
    assert.ok(mine.length <= 100);
    assert.match(pickerRow(kernel, undefined, 100), /2026-12-01 10:20 +▲ 7/);
    assert.equal(pickerRow(kernel, 'RUNNING', 100).length, mine.length);
    assert.equal(lastRunLabel(undefined), 'never run');
  });
});
