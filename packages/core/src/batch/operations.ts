/**
 * What each batch operation does to one item. Each returns the item's result (what the report
 * shows) or throws; the runner records either. They reuse the single-item services of kagg:
 * pullKernel (download), the exactly-once run in ./run-item.ts (run), deployNotebook (deploy),
 * the `kagg:transform` hooks (preprocess) and destroyEndpoint (destroy).
 */
import type { Logger } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import type { KaggPaths } from '../config/home.js';
import type { Settings } from '../config/settings.js';
import { deployNotebook } from '../deploy/deploy.js';
import { applyTransforms } from '../deploy/prepare.js';
import { destroyEndpoint } from '../endpoints/operations.js';
import { KaggError, messageOf } from '../errors/index.js';
import { resolveNotebookInput } from '../input/resolve.js';
import type { KaggleClient } from '../kaggle/client.js';
import { pullKernel } from '../kaggle/pull.js';
import { requireKernelRef } from '../kaggle/ref.js';
import { convertNotebook } from '../notebook/convert.js';
import { readNotebook } from '../notebook/read.js';
import type { EndpointRegistry } from '../registry/registry.js';
import { runItem } from './run-item.js';
import type { BatchDefinition, ItemRecord, PlannedItem } from './types.js';

export interface BatchDeps {
  paths: KaggPaths;
  config: Pick<Config, 'runHook'>;
  registry: EndpointRegistry;
  settings: Settings;
  /** Aborts running items (Ctrl-C). */
  signal: AbortSignal;
  log: Logger;
  /** The batch's one Kaggle client (one HTTP client, the process's rate limiter). */
  kaggle: () => KaggleClient;
}

export interface ItemContext {
  definition: BatchDefinition;
  item: PlannedItem;
  previous: ItemRecord | undefined;
  record: (fields: Omit<ItemRecord, 'type' | 'index' | 'at' | 'pid'>) => Promise<void>;
  signal: AbortSignal;
  progress: (text: string) => void;
}

async function download(deps: BatchDeps, ctx: ItemContext) {
  const { item, definition } = ctx;
  const ref = requireKernelRef(item.input);
  const options = item.path
    ? { path: item.path }
    : definition.options.path
      ? { path: definition.options.path, perKernelFolder: true }
      : { cwd: definition.cwd };
  const pulled = await pullKernel(deps.kaggle(), ref, { ...options, metadata: true });
  return {
    ref: pulled.ref,
    path: pulled.dir,
    codeFile: pulled.codeFile,
    metadataFile: pulled.metadataFile,
    bytes: pulled.bytes,
    ...(pulled.warnings.length > 0 ? { warnings: pulled.warnings } : {}),
  };
}

async function deploy(deps: BatchDeps, ctx: ItemContext) {
  const { item } = ctx;
  if (item.envFromFile && item.env && Object.values(item.env).every((v) => v === '')) {
    throw new KaggError(`the environment values of ${item.input} could not be read again from the batch file`, {
      code: 'BATCH_ENV_UNAVAILABLE',
      action: 'restore the batch file (its values are never stored in the batch state), then resume again',
    });
  }
  const common: Record<string, unknown> = {};
  for (const key of ['region', 'memory', 'timeout', 'public'] as const)
    if (item[key] !== undefined) common[key] = item[key];
  const result = await deployNotebook(
    {
      input: item.input,
      ...(item.name ? { name: item.name } : {}),
      ...(item.target ? { target: item.target } : {}),
      common,
      set: item.set ?? [],
      env: item.env ?? {},
      force: Boolean(item.force),
    },
    {
      config: deps.config,
      registry: deps.registry,
      settings: deps.settings,
      paths: deps.paths,
      signal: ctx.signal,
      log: deps.log,
      progress: ctx.progress,
    },
  );
  return {
    name: result.name,
    target: result.target,
    url: result.url,
    changed: result.changed,
    bundleHash: result.bundleHash,
    entry: result.entry,
    requirements: result.requirements,
    scanned: result.scanned,
    ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
  };
}

async function preprocess(deps: BatchDeps, ctx: ItemContext) {
  const notebook = await resolveNotebookInput(ctx.item.input);
  const transformed = await applyTransforms(deps.config, notebook, readNotebook(notebook.text, notebook.source), {
    refusal: { what: 'refusing it', action: 'remove them (read them from environment variables instead)' },
  });
  const requirements = new Set(transformed.requirements);
  const warnings = [...transformed.warnings];
  let entry: string | null = null;
  try {
    const conversion = convertNotebook(transformed.notebook);
    for (const r of conversion.requirements) requirements.add(r);
    entry = conversion.entry;
    warnings.push(...conversion.warnings);
  } catch (error) {
    warnings.push(`not deployable as it is: ${messageOf(error).split('\n')[0]}`);
  }
  return {
    source: notebook.source,
    requirements: [...requirements].sort(),
    scanned: transformed.transforms.length > 0,
    transforms: transformed.transforms,
    entry,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

async function destroy(deps: BatchDeps, ctx: ItemContext) {
  const name = ctx.item.input;
  const resumed = ctx.previous !== undefined;
  if (resumed && !(await deps.registry.get(name))) {
    // Started before a crash, and gone from the registry: that earlier attempt finished the teardown.
    return { destroyed: name, alreadyDestroyed: true };
  }
  const endpoint = await destroyEndpoint(
    {
      config: deps.config,
      registry: deps.registry,
      settings: deps.settings,
      paths: deps.paths,
      signal: ctx.signal,
      log: deps.log,
      progress: ctx.progress,
    },
    name,
    { ...(ctx.item.set ? { set: ctx.item.set } : {}) },
  );
  return { destroyed: endpoint.name, target: endpoint.target, url: endpoint.url };
}

export async function executeItem(deps: BatchDeps, ctx: ItemContext): Promise<Record<string, unknown>> {
  switch (ctx.definition.operation) {
    case 'download':
      return download(deps, ctx);
    case 'run':
      return runItem({
        client: deps.kaggle(),
        item: ctx.item,
        previous: ctx.previous,
        record: ctx.record,
        basePath: ctx.definition.options.path,
        cwd: ctx.definition.cwd,
        signal: ctx.signal,
        progress: ctx.progress,
      });
    case 'deploy':
      return deploy(deps, ctx);
    case 'preprocess':
      return preprocess(deps, ctx);
    case 'destroy':
      return destroy(deps, ctx);
  }
}
