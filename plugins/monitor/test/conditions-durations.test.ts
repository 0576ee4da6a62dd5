import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, parseCondition } from '@kagg/plugin-monitor';

const input = {
  status: 200,
  responseTimeMs: 123.4,
  body: { label: 'setosa', scores: [0.91, 0.05], nested: { ok: true }, items: [1, 2, 3], empty: '' },
  headers: { 'content-type': 'application/json', 'x-kagg-instance': 'abc' },
  cold: false,
};

function check(expr: string, ok: boolean, resolved?: string) {
  const r = evaluate(parseCondition(expr), input);
  assert.equal(r.ok, ok, `${expr} → ${r.resolved}`);
  if (resolved) assert.equal(r.resolved, resolved);
}

describe('conditions', () => {
  test('placeholders resolve against the probe and compare numerically or as text', () => {
    check('[STATUS] == 200', true, '200 == 200');
    check('[STATUS] < 400', true);
    check('[STATUS] >= 500', false, '200 >= 500');
    check('[RESPONSE_TIME] < 500', true, '123.4 < 500');
    check('[RESPONSE_TIME]<=123.4', true);
    check('[BODY].label == setosa', true, 'setosa == setosa');
    check('[BODY].label != "virginica"', true);
    check('[BODY].scores[0] > 0.9', true, '0.91 > 0.9');
    check('[BODY].nested.ok == true', true);
    check('[HEADER].content-type == application/json', true);
    check('[HEADER].Content-Type == application/json', true);
    check('[COLD] == false', true);
    check('len([BODY].items) == 3', true, '3 == 3');
    check('has([BODY].missing) == false', true);
    check('has([BODY].label) == true', true);
  });

  test('a missing path fails every comparison, with the reason shown', () => {
    check('[BODY].missing == 1', false, '(missing) == 1');
    check('[BODY].missing != 1', false);
    check('[BODY].scores[9] < 1', false);
    check('[HEADER].x-nope == a', false);
  });

  test('text never orders: < on words is false rather than a string comparison', () => {
    check('[BODY].label < zzz', false);
  });

  const bad: Array<[string, RegExp]> = [
    ['[STATUS] = 200', /unknown operator "=".*column 10/],
    ['[STATUS] 200', /expected an operator .*column 10/],
    ['[STATUS] ==', /an operand is missing at column 12/],
    ['[STATSU] == 200', /unknown placeholder \[STATSU\].*column 1/],
    ['[STATUS] == 200 && [COLD] == false', /one comparison per condition.*column 17/],
    ['[BODY].label == "setosa', /unclosed quote/],
    ['[BODY].scores[x] == 1', /an index is a whole number/],
    ['size([BODY].items) > 1', /unknown function size\(\)/],
    ['len([BODY].items > 1', /len\( is not closed/],
    ['[STATUS.x == 1', /unknown placeholder|unclosed/],
    ['[HEADER] == x', /\[HEADER\] needs one header name/],
    ['[STATUS].code == 200', /\[STATUS\] takes no path/],
    ['200 == 200', /must use a placeholder/],
    ['', /an operand is missing/],
  ];
  for (const [expr, why] of bad) {
    test(`"${expr}" is refused as a usage error naming the condition`, () => {
      assert.throws(
        () => parseCondition(expr),
        (e: Error & { exitCode?: number; code?: string }) => {
          assert.equal(e.exitCode, 2);
          assert.equal(e.code, 'CONDITION_INVALID');
          assert.ok(e.message.startsWith(`condition "${expr}"`), e.message);
          assert.match(e.message, why);
          return true;
        },
      );
    });
  }
});
