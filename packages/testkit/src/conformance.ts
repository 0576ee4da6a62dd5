/**
 * The DeployTarget conformance suite. A plugin author runs it on their target with node's test
 * runner; it checks the contract of @kagg/plugin-api end to end with a real notebook:
 *
 *   import { describeDeployTarget } from '@kagg/testkit/conformance';
 *   describeDeployTarget(myTarget, { options: { region: 'test-1' }, context: { stateDir } });
 *
 * It packages a small notebook (`process_request` adds two numbers), deploys it, calls it, asks for
 * its status, redeploys, and destroys it. Then what every target must get right on redeploys: a
 * settings-only change (the environment) reaches the provider; two names equal in their first 70
 * characters stay two deployments; a deploy interrupted half-way is finished by the next run, and
 * an interrupted deploy followed by `destroy` leaves nothing behind. And what kagg relies on: the
 * zip does not change with the clock, a secret setting (`secret: true`; the suite gives one a canary
 * value) never reaches what goes to the registry, a redeploy or a destroy leaves no instance
 * answering, each schema default is a valid value, and a refusal (the `refuse` settings) is a
 * TargetError. It needs nothing of @kagg/core: the fixture notebooks ship as built bundles.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it, mock } from 'node:test';
import {
  type DeployContext,
  type Deployment,
  type DeployTarget,
  type FunctionBundle,
  type Invocation,
  isTargetError,
  type OperationContext,
  supportedApiVersions,
  targetShapeProblems,
} from '@kagg/plugin-api';
import { resourceNameOf } from '@kagg/plugin-api/kit';
import { Ajv } from 'ajv';
import { tempDir } from './temp.js';

export const ADDER_NOTEBOOK = path.resolve(import.meta.dirname, '..', 'fixtures', 'adder.ipynb');

export interface ConformanceOptions {
  /** Target settings, as kagg would pass them after validating them against optionsSchema. */
  options?: Record<string, unknown>;
  /** Overrides for the operation context (state folder, log folder...). */
  context?: Partial<OperationContext>;
  /** Endpoint name used for the test deployment. */
  name?: string;
  /**
   * Settings your target must refuse (a program that does not exist, an unknown region): the suite
   * runs `check`, `package` and `deploy` with them merged over `options` and expects a `TargetError`.
   * Without it that test is reported as a todo.
   */
  refuse?: Record<string, unknown>;
  /** How to call the deployed endpoint; defaults to fetch with the invocation's headers and signer. */
  call?: (invocation: Invocation, method: string, body?: string) => Promise<{ status: number; body: string }>;
}

/**
 * A fixture notebook as the FunctionBundle kagg's pipeline makes of it. The build writes them
 * (scripts/testkit-bundles.mjs, from fixtures/*.ipynb) so this package needs nothing of kagg's core.
 */
function fixtureBundle(fixture: 'adder' | 'echo', name: string): FunctionBundle {
  const saved = JSON.parse(readFileSync(path.join(import.meta.dirname, 'bundles', `${fixture}.json`), 'utf8')) as Omit<
    FunctionBundle,
    'files' | 'name'
  > & { files: Array<{ path: string; mode?: number; base64: string }> };
  return {
    ...saved,
    name,
    files: saved.files.map(({ base64, ...f }) => ({ ...f, data: new Uint8Array(Buffer.from(base64, 'base64')) })),
  };
}

/** The adder notebook (fixtures/adder.ipynb: `process_request` adds `a` and `b`) as a FunctionBundle. */
export async function adderBundle(name = 'conformance-adder'): Promise<FunctionBundle> {
  return fixtureBundle('adder', name);
}

/** fixtures/echo.ipynb: answers with the value of the variable KAGG_CONFORMANCE_VALUE. */
async function envEchoBundle(name: string): Promise<FunctionBundle> {
  return fixtureBundle('echo', name);
}

/** Compiles a JSON Schema as kagg does: all errors, defaults applied, unknown keywords (`secret`) allowed. */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });

async function defaultCall(invocation: Invocation, method: string, body?: string) {
  const headers: Record<string, string> = {
    ...invocation.headers,
    ...(body ? { 'content-type': 'application/json' } : {}),
  };
  if (invocation.sign)
    Object.assign(headers, await invocation.sign({ method, url: invocation.url, headers, body: body ?? '' }));
  const res = await fetch(invocation.url, {
    method,
    headers,
    ...(body ? { body } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.text() };
}

/** The value the suite gives a secret setting the conformance options leave out. */
export const CANARY_SECRET = 'kagg-conformance-canary-7f3a9c';

/** Fails when `value` (what kagg would write to its registry) holds the canary or a given secret. */
function assertNoSecret(target: DeployTarget, options: Record<string, unknown>, value: unknown, what: string): void {
  const properties = (target.optionsSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const secrets = Object.entries(properties)
    .filter(([key, p]) => p?.secret === true && typeof options[key] === 'string')
    .map(([key]) => options[key] as string);
  const text = JSON.stringify(value);
  for (const secret of secrets)
    assert.ok(!text.includes(secret), `${what} holds a secret setting; kagg's registry is a plain file`);
}

export function describeDeployTarget(target: DeployTarget, conformance: ConformanceOptions = {}): void {
  const name = conformance.name ?? 'conformance-adder';
  // As kagg gives them: a secret setting left out gets the canary value.
  const options: Record<string, unknown> = { ...conformance.options };
  for (const [key, p] of Object.entries(
    (target.optionsSchema.properties ?? {}) as Record<string, Record<string, unknown>>,
  ))
    if (p?.secret === true && p.type === 'string' && options[key] === undefined) options[key] = CANARY_SECRET;
  const call = conformance.call ?? defaultCall;
  const base = tempDir(`kagg-conformance-${target.id}-`);
  const stages: string[] = [];
  const context = (): OperationContext => ({
    stateDir: path.join(base, 'state'),
    logDir: path.join(base, 'logs'),
    progress: (stage) => stages.push(stage),
    log: { info() {}, warn() {}, debug() {} },
    signal: new AbortController().signal,
    options,
    ...conformance.context,
  });
  const deployContext = (previous?: Deployment, extra: Partial<DeployContext> = {}): DeployContext => {
    const endpoint = extra.name ?? name;
    return {
      ...context(),
      name: endpoint,
      resourceName: resourceNameOf(endpoint, target.naming),
      options,
      env: {},
      ...(previous ? { previous } : {}),
      ...extra,
    };
  };
  /** Stages a first deploy reports: an interruption is made half-way through them. */
  let fullDeployStages = 0;
  const answer = async (d: Deployment, payload: unknown) => {
    const res = await call(await target.invocation(d, context()), 'POST', JSON.stringify(payload));
    assert.equal(res.status, 200, res.body);
    return JSON.parse(res.body) as unknown;
  };
  /**
   * Deploys `bundle` and aborts the context's signal half-way through its stages, as Ctrl-C would.
   * Returns the deployment as kagg's registry would hold it: the ids the target recorded so far.
   */
  const interruptedDeploy = async (bundle: FunctionBundle): Promise<Deployment> => {
    const controller = new AbortController();
    const recorded: Record<string, string | number> = {};
    let seen = 0;
    const ctx = deployContext(undefined, {
      name: bundle.name,
      signal: controller.signal,
      progress: () => {
        seen++;
        if (seen >= Math.ceil(fullDeployStages / 2))
          controller.abort(new Error('interrupted by the conformance suite'));
      },
      record: async (ids) => {
        assertNoSecret(target, options, ids, 'ctx.record()');
        Object.assign(recorded, ids);
      },
    });
    await assert.rejects(
      target.deploy(await target.package(bundle, options), ctx),
      'a deploy whose ctx.signal aborts must reject (cancellation ignored?)',
    );
    const pending: Deployment & { resourceName?: string } = {
      target: target.id,
      name: bundle.name,
      url: '',
      auth: 'public',
      bundleHash: bundle.hash,
      providerIds: recorded,
      resourceName: resourceNameOf(bundle.name, target.naming),
    };
    return pending;
  };

  describe(`DeployTarget conformance: ${target.id}`, () => {
    let bundle: FunctionBundle;
    let deployment: Deployment | undefined;

    after(async () => {
      if (deployment) await target.destroy(deployment, context()).catch(() => {});
    });

    it('has the contract shape, a supported apiVersion and a compilable optionsSchema', async () => {
      assert.deepEqual(targetShapeProblems(target), []);
      assert.ok(supportedApiVersions.includes(target.apiVersion), `apiVersion ${target.apiVersion} is supported`);
      const check = ajv.compile(target.optionsSchema);
      // Validating applies the schema's defaults, as kagg does before every operation.
      assert.ok(check(options), `the conformance options are valid: ${JSON.stringify(check.errors)}`);
    });

    it("applies its schema's defaults: each default is a valid value of its setting", async () => {
      const properties = (target.optionsSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, property] of Object.entries(properties)) {
        if (!property || !('default' in property)) continue;
        const check = ajv.compile(property);
        assert.ok(
          check(structuredClone(property.default)),
          `the default of "${key}" (${JSON.stringify(property.default)}) is not a valid "${key}": kagg applies it ` +
            `whenever the user gives none, and then every deploy fails validation (${JSON.stringify(check.errors)})`,
        );
      }
    });

    it('refuses bad settings with a TargetError (code, message), not a plain Error', {
      todo: conformance.refuse ? false : 'give `refuse` (settings your target refuses) to test it',
    }, async () => {
      if (!conformance.refuse) return;
      const bad = { ...options, ...conformance.refuse };
      const attempt = async () => {
        const endpoint = `${name}-refused`;
        const resourceName = resourceNameOf(endpoint, target.naming);
        await target.check?.({ name: endpoint, resourceName, options: bad, env: {} });
        const deployed = await target.deploy(
          await target.package(await adderBundle(endpoint), bad),
          deployContext(undefined, { name: endpoint, options: bad }),
        );
        await target.destroy(deployed, context()).catch(() => {});
      };
      const error = await attempt().then(
        () => assert.fail(`settings ${JSON.stringify(conformance.refuse)} were not refused`),
        (e: unknown) => e,
      );
      assert.ok(
        isTargetError(error),
        `a refusal must be a TargetError from @kagg/plugin-api (a code, a message, an action); got ${
          error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error)
        }, which kagg reports as a bug in your plugin`,
      );
      assert.match(error.code, /^[A-Z][A-Z0-9_]*$/, 'a TargetError code is UPPER_SNAKE_CASE');
      assert.ok(error.message.length > 0, 'a TargetError has a message');
    });

    it('packages deterministically, keeping every bundle file', async () => {
      bundle = await adderBundle(name);
      // Two runs thirty years apart: a zip stamped with the current time differs.
      const at = async (now: number) => {
        mock.timers.enable({ apis: ['Date'], now });
        try {
          return await target.package(bundle, options);
        } finally {
          mock.timers.reset();
        }
      };
      const a = await at(Date.UTC(2001, 0, 1));
      const b = await at(Date.UTC(2031, 6, 1, 12, 34, 56));
      assert.equal(a.target, target.id);
      assert.equal(a.bundle.hash, bundle.hash);
      assert.ok(
        Buffer.from(a.zip).equals(Buffer.from(b.zip)),
        'same bundle, same bytes: the zip changed with the clock (a date from the current time?)',
      );
      const paths = new Set(a.files.map((f) => f.path));
      for (const f of bundle.files)
        assert.ok(paths.has(f.path) || [...paths].some((p) => p.endsWith(`/${f.path}`)), `${f.path} is packaged`);
    });

    it('deploys, reporting progress, and the endpoint computes the answer', async () => {
      const artifact = await target.package(bundle, options);
      stages.length = 0;
      deployment = await target.deploy(artifact, deployContext());
      fullDeployStages = stages.length;
      assert.equal(deployment.target, target.id);
      assert.equal(deployment.name, name);
      assert.equal(deployment.bundleHash, bundle.hash);
      assert.match(deployment.url, /^https?:\/\//);
      assert.ok(deployment.auth === 'public' || deployment.auth === 'private');
      assert.ok(stages.length > 0, 'deploy reports progress through ctx.progress');
      assertNoSecret(target, options, deployment, 'the returned Deployment');
      const invocation = await target.invocation(deployment, context());
      const answer = await call(invocation, 'POST', JSON.stringify({ a: 20, b: 22 }));
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(JSON.parse(answer.body), { sum: 42 });
      const health = await call(invocation, 'GET');
      assert.equal(health.status, 200, health.body);
    });

    it('describes a running deployment as ready', async () => {
      assert.ok(deployment);
      assert.equal((await target.describe(deployment, context())).state, 'ready');
    });

    it('redeploys idempotently over the previous deployment', async () => {
      assert.ok(deployment);
      const first = deployment;
      const again = await target.deploy(await target.package(bundle, options), deployContext(deployment));
      assert.equal(again.name, name);
      deployment = again;
      assertNoSecret(target, options, again, 'the returned Deployment');
      const answer = await call(await target.invocation(again, context()), 'POST', JSON.stringify({ a: 1, b: 2 }));
      assert.deepEqual(JSON.parse(answer.body), { sum: 3 });
      if (again.url !== first.url) {
        const old = await call(await target.invocation(first, context()), 'GET').catch(() => undefined);
        assert.ok(
          old === undefined || old.status >= 400,
          `the redeploy moved to ${again.url} and left the old instance answering at ${first.url}`,
        );
      }
    });

    it('destroys the deployment', async () => {
      assert.ok(deployment);
      await target.destroy(deployment, context());
      const status = await target.describe(deployment, context());
      assert.notEqual(status.state, 'ready', 'destroy left the deployment running: describe still says ready');
      const left = await call(await target.invocation(deployment, context()), 'GET').catch(() => undefined);
      assert.ok(
        left === undefined || left.status >= 400,
        `destroy left an instance answering at ${deployment.url} (HTTP ${left?.status})`,
      );
      deployment = undefined;
    });

    it('a settings-only change (the environment) reaches the provider, without rewriting the code', async () => {
      const echo = await envEchoBundle(`${name}-env`);
      const artifact = await target.package(echo, options);
      const env = (value: string) => ({ name: echo.name, env: { KAGG_CONFORMANCE_VALUE: value } });
      const first = await target.deploy(artifact, deployContext(undefined, env('first')));
      // The registry keeps the latest deployment: that is what destroy gets.
      let latest = first;
      try {
        assert.deepEqual(await answer(first, {}), { value: 'first' }, '--env values (ctx.env) must reach the function');
        latest = await target.deploy(artifact, deployContext(first, env('second')));
        assert.deepEqual(await answer(latest, {}), { value: 'second' });
        if (latest.written) assert.ok(!latest.written.includes('code'), `wrote ${latest.written.join(', ')}`);
      } finally {
        await target.destroy(latest, context());
      }
    });

    it('two names equal in their first 70 characters are two deployments', async () => {
      const stem = 'c'.repeat(70);
      const [one, two] = await Promise.all([adderBundle(`${stem}1`), adderBundle(`${stem}2`)]);
      assert.ok(one && two);
      const a = await target.deploy(await target.package(one, options), deployContext(undefined, { name: one.name }));
      const b = await target.deploy(await target.package(two, options), deployContext(undefined, { name: two.name }));
      try {
        assert.notEqual(a.url, b.url);
        await target.destroy(a, context());
        assert.notEqual((await target.describe(a, context())).state, 'ready');
        assert.deepEqual(await answer(b, { a: 2, b: 3 }), { sum: 5 }, 'destroying one leaves the other');
      } finally {
        await target.destroy(a, context()).catch(() => {});
        await target.destroy(b, context());
      }
    });

    it('a deploy interrupted half-way is finished by the next run', async () => {
      const half = await adderBundle(`${name}-resumed`);
      const pending = await interruptedDeploy(half);
      const resumed = await target.deploy(
        await target.package(half, options),
        deployContext(pending, { name: half.name }),
      );
      try {
        assert.deepEqual(await answer(resumed, { a: 20, b: 22 }), { sum: 42 });
        assert.equal((await target.describe(resumed, context())).state, 'ready');
      } finally {
        await target.destroy(resumed, context());
      }
    });

    it('an interrupted deploy followed by destroy leaves nothing behind', async () => {
      const pending = await interruptedDeploy(await adderBundle(`${name}-abandoned`));
      await target.destroy(pending, context());
      assert.equal((await target.describe(pending, context())).state, 'missing');
    });
  });
}
