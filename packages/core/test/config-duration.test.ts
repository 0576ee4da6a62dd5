// One way to read durations for every command: units, combinations, bare seconds; clear refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration } from '@kagg/core/config';

describe('durations', () => {
  test('units and combinations', () => {
    assert.equal(parseDuration('500ms', '--interval'), 500);
    assert.equal(parseDuration('10s', '--interval'), 10_000);
    assert.equal(parseDuration('1m30s', '--duration'), 90_000);
    assert.equal(parseDuration('1.5h', '--duration'), 5_400_000);
    assert.equal(parseDuration('2d', '--duration'), 172_800_000);
  });
  test('a bare number is seconds, everywhere', () => {
    assert.equal(parseDuration('90', '--timeout'), 90_000);
    assert.equal(parseDuration('0.5', '--interval'), 500);
  });
  for (const text of ['10x', '', 'ten minutes', '0s', '-5s', '5 m', '1m-']) {
    test(`"${text}" is refused naming the flag`, () => {
      assert.throws(
        () => parseDuration(text, '--duration'),
        (e: Error & { exitCode?: number }) =>
          e.exitCode === 2 && e.message.startsWith(`--duration "${text}" is not a duration`),
      );
    });
  }
});
