/**
 * The DeployTarget conformance suite. A plugin author runs it on their target with node's test
 * runner; it checks the contract of @kagg/plugin-api end to end with a real notebook:
 *
 *   import { describeDeployTarget } from '@kagg/testkit/conformance';
 *   describeDeployTarget(myTarget, { options: { region: 'test-1' }, context: { stateDir } });
 *
 * It packages a small notebook (`process_request` adds two numbers), deploys it, calls it, asks for
 * its status, redeploys, and destroys it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createBundle } from '@kagg/core/bundle';
import { convertNotebook, readNotebook } from '@kagg/core/notebook';
import { compileSchema } from '@kagg/core/schema';
import {
  type DeployContext,
  type Deployment,
  type DeployTarget,
  type FunctionBundle,
  type Invocation,
  type OperationContext,
  supportedApiVersions,
  targetShapeProblems,
} from '@kagg/plugin-api';
import { tempDir } from './temp.js';

export const ADDER_NOTEBOOK = path.resolve(import.meta.dirname, '..', 'fixtures', 'adder.ipynb');

export interface ConformanceOptions {
  /** Target settings, as kagg would pass them after validating them against optionsSchema. */
  options?: Record<string, unknown>;
  /** Overrides for the operation context (state folder, log folder...). */
  context?: Partial<OperationContext>;
  /** Endpoint name used for the test deployment. */
  name?: string;
  /** How to call the deployed endpoint; defaults to fetch with the invocation's headers and signer. */
  call?: (invocation: Invocation, method: string, body?: string) => Promise<{ status: number; body: string }>;
}

/** The adder notebook as a FunctionBundle, built by kagg's own pipeline. */
export async function adderBundle(name = 'conformance-adder'): Promise<FunctionBundle> {
  const notebook = readNotebook(readFileSync(ADDER_NOTEBOOK, 'utf8'), 'adder.ipynb');
  return createBundle({ name, source: 'adder.ipynb', conversion: convertNotebook(notebook) });
}

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

export function describeDeployTarget(target: DeployTarget, conformance: ConformanceOptions = {}): void {
  const name = conformance.name ?? 'conformance-adder';
  const options = conformance.options ?? {};
  const call = conformance.call ?? defaultCall;
  const base = tempDir(`kagg-conformance-${target.id}-`);
  const stages: string[] = [];
  const context = (): OperationContext => ({
    stateDir: path.join(base, 'state'),
    logDir: path.join(base, 'logs'),
    progress: (stage) => stages.push(stage),
    log: { info() {}, warn() {}, debug() {} },
    signal: new AbortController().signal,
    ...conformance.context,
  });
  const deployContext = (previous?: Deployment): DeployContext => ({
    ...context(),
    name,
    options,
    env: {},
    ...(previous ? { previous } : {}),
  });

  describe(`DeployTarget conformance: ${target.id}`, () => {
    let bundle: FunctionBundle;
    let deployment: Deployment | undefined;

    after(async () => {
      if (deployment) await target.destroy(deployment, context()).catch(() => {});
    });

    it('has the contract shape, a supported apiVersion and a compilable optionsSchema', async () => {
      assert.deepEqual(targetShapeProblems(target), []);
      assert.ok(supportedApiVersions.includes(target.apiVersion), `apiVersion ${target.apiVersion} is supported`);
      const check = await compileSchema(target.optionsSchema);
      assert.ok(check({ ...options }), `the conformance options are valid: ${JSON.stringify(check.errors)}`);
    });

    it('packages deterministically, keeping every bundle file', async () => {
      bundle = await adderBundle(name);
      const a = await target.package(bundle, options);
      const b = await target.package(bundle, options);
      assert.equal(a.target, target.id);
      assert.equal(a.bundle.hash, bundle.hash);
      assert.deepEqual(Buffer.from(a.zip), Buffer.from(b.zip), 'same bundle, same bytes');
      const paths = new Set(a.files.map((f) => f.path));
      for (const f of bundle.files)
        assert.ok(paths.has(f.path) || [...paths].some((p) => p.endsWith(`/${f.path}`)), `${f.path} is packaged`);
    });

    it('deploys, reporting progress, and the endpoint computes the answer', async () => {
      const artifact = await target.package(bundle, options);
      deployment = await target.deploy(artifact, deployContext());
      assert.equal(deployment.target, target.id);
      assert.equal(deployment.name, name);
      assert.equal(deployment.bundleHash, bundle.hash);
      assert.match(deployment.url, /^https?:\/\//);
      assert.ok(deployment.auth === 'public' || deployment.auth === 'private');
      assert.ok(stages.length > 0, 'deploy reports progress through ctx.progress');
      const invocation = await target.invocation(deployment);
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
      const again = await target.deploy(await target.package(bundle, options), deployContext(deployment));
      assert.equal(again.name, name);
      deployment = again;
      const answer = await call(await target.invocation(again), 'POST', JSON.stringify({ a: 1, b: 2 }));
      assert.deepEqual(JSON.parse(answer.body), { sum: 3 });
    });

    it('destroys the deployment', async () => {
      assert.ok(deployment);
      await target.destroy(deployment, context());
      const status = await target.describe(deployment, context());
      assert.notEqual(status.state, 'ready');
      deployment = undefined;
    });
  });
}
