// One decision for live displays (`canRedraw`): the spinner, the batch bar and the monitor's status
// line (plugins/monitor/test) redraw in place only on a terminal that is not CI and not TERM=dumb.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createBatchDisplay } from '@kagg/core/batch';
import { canRedraw, createProgress, onTerminal } from '@kagg/core/command';

/** A stream that says it is a terminal and keeps what is written to it. */
function terminal(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY: true,
    write: (chunk: string) => chunks.push(chunk) > 0,
    text: () => chunks.join(''),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

const ESCAPE = /\r|\x1b\[/;

describe('canRedraw: the one decision for spinners and live tables', () => {
  const saved = { TERM: process.env.TERM, CI: process.env.CI };
  beforeEach(() => {
    delete process.env.CI;
    process.env.TERM = 'xterm-256color';
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('redraws on a terminal, not when piped, in CI or with TERM=dumb (which is still a terminal)', () => {
    assert.equal(canRedraw({ isTTY: true }), true);
    assert.equal(canRedraw({ isTTY: false }), false);
    process.env.CI = '1';
    assert.equal(canRedraw({ isTTY: true }), false);
    delete process.env.CI;
    process.env.TERM = 'dumb';
    assert.equal(canRedraw({ isTTY: true }), false);
    assert.equal(onTerminal({ isTTY: true }), true, 'a dumb terminal may still be asked a question');
  });

  it('TERM=dumb: the spinner prints one plain line per stage', () => {
    process.env.TERM = 'dumb';
    const stream = terminal();
    const progress = createProgress({ enabled: true, stream });
    progress.stage('packaging');
    progress.stage('deploying');
    progress.stop('done');
    assert.equal(stream.text(), 'packaging\ndeploying\ndone\n');
  });

  it('TERM=dumb: the batch shows no bar, and each finished item as a line', () => {
    process.env.TERM = 'dumb';
    const stdout = terminal();
    const stderr = terminal();
    const display = createBatchDisplay({ json: false, stdout, stderr });
    display.onEvent({
      type: 'start',
      id: 'b1',
      stateFile: 'state.jsonl',
      total: 1,
      pending: 1,
      parallel: 1,
      resumed: false,
      done: 0,
      failed: 0,
    });
    const item = { item: 1, line: 1, input: 'a.ipynb', operation: 'package', status: 'succeeded', attempts: 1 };
    display.onEvent({ type: 'item-end', item: { ...item, durationMs: 1, result: { zip: 'a.zip' } } } as never);
    display.stop();
    assert.doesNotMatch(stderr.text(), ESCAPE);
    assert.match(stdout.text(), /a\.ipynb/);
  });
});
