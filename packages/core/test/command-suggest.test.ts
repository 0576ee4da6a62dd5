import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestCommand } from '@kagg/core/command';

const KNOWN = [
  'deploy',
  'destroy',
  'doctor',
  'list',
  'logs',
  'pull',
  'push',
  'endpoints:list',
  'endpoints:show',
  'call',
];

describe('suggestCommand', () => {
  it('takes a transposition as one edit: deplyo → deploy', () => {
    assert.deepEqual(suggestCommand('deplyo:nb.ipynb', KNOWN), { typed: 'deplyo', suggestion: 'deploy' });
  });

  it('prefers the closest of several near commands', () => {
    assert.equal(suggestCommand('pul', KNOWN).suggestion, 'pull');
    assert.equal(suggestCommand('logz', KNOWN).suggestion, 'logs');
  });

  it('matches a topic and its subcommand together', () => {
    assert.deepEqual(suggestCommand('endpoints:shwo:name', KNOWN), {
      typed: 'endpoints shwo',
      suggestion: 'endpoints show',
    });
  });

  it('reports the topic and the unknown word when nothing is close', () => {
    assert.deepEqual(suggestCommand('endpoints:zzzzzz', KNOWN), { typed: 'endpoints zzzzzz', suggestion: undefined });
    assert.deepEqual(suggestCommand('frobnicate:x', KNOWN), { typed: 'frobnicate', suggestion: undefined });
  });
});
