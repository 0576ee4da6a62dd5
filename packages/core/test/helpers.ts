/** Shared helpers of @kagg/core's tests. */
import assert from 'node:assert/strict';
import { isKaggError } from '@kagg/core/errors';

/** Runs `fn`, which must throw a KaggError, and returns that error for its code and message. */
export function thrown(fn: () => unknown): {
  code: string;
  message: string;
  exitCode: number;
  action?: string;
  details?: unknown;
} {
  try {
    fn();
  } catch (error) {
    assert.ok(isKaggError(error), `expected a KaggError, got ${String(error)}`);
    return error as { code: string; message: string; exitCode: number; action?: string; details?: unknown };
  }
  assert.fail('expected an error');
}
