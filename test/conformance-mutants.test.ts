/**
 * The conformance suite catches bad targets: each mutant of the example third-party target
 * (test/fixtures/conformance/mutant.ts) makes one mistake, and the suite, run on it with
 * `node --test`, must fail with a message that says which.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.ts';

const RUNNER = path.join(ROOT, 'test', 'fixtures', 'conformance', 'mutant.ts');

function suiteOn(mutant: string): Promise<{ code: number; output: string }> {
  // Without NODE_TEST_CONTEXT the child runs its own suite instead of reporting to this one.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--test', '--test-reporter=spec', RUNNER],
      { env: { ...env, KAGG_MUTANT: mutant }, cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
}

const MUTANTS: Array<[mutant: string, test: RegExp, why: RegExp]> = [
  ['zip-stamped-with-time', /packages deterministically/, /the zip changed with the clock/],
  ['token-in-provider-ids', /deploys, reporting progress/, /the returned Deployment holds a secret setting/],
  ['redeploy-leaves-old-instance', /redeploys idempotently/, /left the old instance answering/],
  ['cancellation-ignored', /interrupted/, /a deploy whose ctx\.signal aborts must reject/],
  ['errors-unshaped', /refuses bad settings with a TargetError/, /a refusal must be a TargetError .*got Error: /],
  ['default-invalid', /applies its schema's defaults/, /the default of "port" \(80\) is not a valid "port"/],
  ['destroy-leaves-instance', /destroys the deployment/, /destroy left the deployment running/],
  ['env-not-delivered', /a settings-only change/, /--env values \(ctx\.env\) must reach the function/],
];

describe('the conformance suite fails each mutant target, saying why', { concurrency: true }, () => {
  for (const [mutant, test, why] of MUTANTS) {
    it(mutant, async () => {
      const { code, output } = await suiteOn(mutant);
      assert.equal(code, 1, output);
      const failed = output.split('\n').filter((line) => line.includes('✖'));
      assert.ok(
        failed.some((line) => test.test(line)),
        `the failing test is the one about it:\n${failed.join('\n')}`,
      );
      assert.match(output, why);
    });
  }
});
