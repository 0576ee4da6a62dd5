/**
 * `kagg deploy`: prepare the bundle, pick the target, resolve its settings, package, and deploy —
 * unless the same bundle is already running there (same hash, target answers), which is a no-op.
 * The registry records the result.
 */
import type { Artifact, Deployment, DeployTarget } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import type { Settings } from '../config/settings.js';
import { KaggError } from '../errors/index.js';
import type { EndpointRegistry } from '../registry/registry.js';
import type { EndpointEntry } from '../registry/types.js';
import { ensureTarget, type PluginInstaller } from '../targets/install.js';
import { resolveTargetOptions } from '../targets/options.js';
import { type ContextDeps, operationContext } from './context.js';
import { type PreparedBundle, type PrepareOptions, prepareBundle } from './prepare.js';

export interface TargetChoice {
  /** `--target`, or the shortcut flag (`--aws` → "aws"). */
  target?: string;
  /** Values of the common flags the user gave (region, memory, timeout, public). */
  common: Record<string, unknown>;
  /** `--set key=value`. */
  set: string[];
}

export interface DeployRequest extends PrepareOptions, TargetChoice {
  env: Record<string, string>;
  force?: boolean;
}

export interface DeployDeps extends ContextDeps {
  config: Pick<Config, 'runHook'>;
  registry: EndpointRegistry;
  settings: Settings;
  /** Installs a missing first-party target plugin (with consent); without it, a missing one is an error. */
  installer?: PluginInstaller;
}

export interface DeployResult {
  name: string;
  target: string;
  url: string;
  auth: Deployment['auth'];
  bundleHash: string;
  /** False when the same bundle was already deployed there (nothing was done). */
  changed: boolean;
  entry: 'process_request' | 'parameters';
  parameters: string[];
  requirements: string[];
  /** Whether a secret scan ran (the preprocess plugin answered the transform hook). */
  scanned: boolean;
  warnings: string[];
}

/** Targets are third-party code: what they hand back is checked before kagg relies on it. */
function checkArtifact(target: DeployTarget, artifact: unknown): Artifact {
  const a = artifact as Partial<Artifact> | undefined;
  if (!a || !Array.isArray(a.files) || !(a.zip instanceof Uint8Array) || !a.bundle) {
    throw new KaggError(`the ${target.id} target's package() returned no valid artifact (files, zip, bundle)`, {
      code: 'TARGET_CONTRACT',
    });
  }
  return a as Artifact;
}

function checkDeployment(target: DeployTarget, deployment: unknown): Deployment {
  const d = deployment as Partial<Deployment> | undefined;
  if (!d || typeof d.url !== 'string' || typeof d.name !== 'string' || (d.auth !== 'public' && d.auth !== 'private')) {
    throw new KaggError(`the ${target.id} target's deploy() returned no valid deployment (name, url, auth)`, {
      code: 'TARGET_CONTRACT',
    });
  }
  return { ...d, target: target.id, providerIds: d.providerIds ?? {}, bundleHash: d.bundleHash ?? '' } as Deployment;
}

export function chooseTargetId(choice: Pick<TargetChoice, 'target'>, settings: Settings): string {
  return choice.target ?? settings.defaultTarget ?? 'local';
}

/** Loads the chosen target and its validated settings. */
export async function loadTarget(
  config: Pick<Config, 'runHook'>,
  choice: TargetChoice,
  settings: Settings,
  installer?: PluginInstaller,
): Promise<{ target: DeployTarget; options: Record<string, unknown> }> {
  const id = chooseTargetId(choice, settings);
  const target = await ensureTarget(config, id, installer);
  const options = await resolveTargetOptions(target, {
    common: choice.common,
    set: choice.set,
    ...(settings.targets?.[id] ? { fromSettings: settings.targets[id] } : {}),
  });
  return { target, options };
}

/** Packages without deploying (`kagg package`). */
export async function packageNotebook(
  request: PrepareOptions & TargetChoice,
  deps: Pick<DeployDeps, 'config' | 'settings' | 'progress' | 'installer'>,
): Promise<{ prepared: PreparedBundle; artifact: Artifact }> {
  const { target, options } = await loadTarget(deps.config, request, deps.settings, deps.installer);
  deps.progress(`converting ${request.input}`);
  const prepared = await prepareBundle(deps.config, request);
  deps.progress(`packaging for ${target.id}`);
  return { prepared, artifact: checkArtifact(target, await target.package(prepared.bundle, options)) };
}

export async function deployNotebook(request: DeployRequest, deps: DeployDeps): Promise<DeployResult> {
  const { target, options } = await loadTarget(deps.config, request, deps.settings, deps.installer);
  deps.progress(`converting ${request.input}`);
  const prepared = await prepareBundle(deps.config, request);
  const { bundle } = prepared;
  const ctx = await operationContext(target.id, deps);
  const previous = await deps.registry.get(bundle.name);
  if (previous && previous.target !== target.id) {
    throw new KaggError(`the endpoint "${bundle.name}" already exists on the ${previous.target} target`, {
      code: 'NAME_TAKEN',
      action: `choose another --name, or remove it first with \`kagg destroy ${bundle.name}\``,
    });
  }
  const result = (deployment: Deployment, changed: boolean): DeployResult => ({
    name: deployment.name,
    target: deployment.target,
    url: deployment.url,
    auth: deployment.auth,
    bundleHash: deployment.bundleHash,
    changed,
    entry: bundle.entry,
    parameters: bundle.parameters.map((p) => p.name),
    requirements: bundle.requirements,
    scanned: prepared.transforms.length > 0,
    warnings: prepared.warnings,
  });
  if (previous && previous.bundleHash === bundle.hash && !request.force) {
    deps.progress('checking the running deployment');
    const status = await target.describe(previous, ctx);
    if (status.state === 'ready') return result(previous, false);
  }
  deps.progress(`packaging for ${target.id}`);
  const artifact = checkArtifact(target, await target.package(bundle, options));
  const deployment = checkDeployment(
    target,
    await target.deploy(artifact, {
      ...ctx,
      name: bundle.name,
      options,
      env: request.env,
      ...(previous ? { previous: previous as Deployment } : {}),
    }),
  );
  const entry: Omit<EndpointEntry, 'createdAt' | 'updatedAt'> = {
    name: deployment.name,
    target: deployment.target,
    url: deployment.url,
    auth: deployment.auth,
    bundleHash: deployment.bundleHash,
    providerIds: deployment.providerIds,
    source: bundle.source,
    ...(deployment.region ? { region: deployment.region } : {}),
  };
  await deps.registry.upsert(entry);
  return result(deployment, true);
}
