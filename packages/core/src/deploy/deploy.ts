/**
 * `kagg deploy`: prepare the bundle, pick the target, resolve its settings, package, and deploy —
 * unless the same deployment is already running there (same fingerprint: bundle, settings,
 * environment, target and runtime versions; and the target answers), which is a no-op. The
 * registry records the endpoint as pending before the target writes anything, then the result.
 */
import type { Artifact, Deployment, DeployTarget, OperationContext } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import { registerSecret } from '../config/redact.js';
import type { Settings } from '../config/settings.js';
import { KaggError } from '../errors/index.js';
import { resourceNameOf } from '../naming/index.js';
import type { EndpointRegistry } from '../registry/registry.js';
import type { EndpointEntry } from '../registry/types.js';
import { pluginRootOf } from '../targets/discover.js';
import { ensureTarget, type PluginInstaller } from '../targets/install.js';
import { refuseSecrets, resolveTargetOptions, secretValues } from '../targets/options.js';
import { type ContextDeps, operationContext } from './context.js';
import { deploymentFingerprint, pluginDigest } from './fingerprint.js';
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
  /** Deploy even when the whole deployment is unchanged and running. */
  force?: boolean;
  /** Take over a provider resource with the endpoint's resource name that kagg did not create for it. */
  adopt?: boolean;
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
  /** True when something was written (`written` is not empty). */
  changed: boolean;
  /** The parts this deploy wrote: `code`, `config`, `auth`, `url`, `role`, `process`... */
  written: string[];
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

/** Refuses a name taken on another target, or a resource name another endpoint already uses. */
async function checkName(
  registry: EndpointRegistry,
  target: DeployTarget,
  name: string,
  resourceName: string,
): Promise<EndpointEntry | undefined> {
  const all = await registry.list();
  const previous = all.find((e) => e.name === name);
  if (previous && previous.target !== target.id) {
    throw new KaggError(`the endpoint "${name}" already exists on the ${previous.target} target`, {
      code: 'NAME_TAKEN',
      action: `choose another --name, or remove it first with \`kagg destroy ${name}\``,
    });
  }
  const clash = all.find(
    (e) =>
      e.name !== name &&
      e.target === target.id &&
      (e.resourceName ?? resourceNameOf(e.name, target.naming)) === resourceName,
  );
  if (clash) {
    throw new KaggError(
      `the endpoint "${name}" would use the ${target.id} resource ${resourceName}, which the endpoint "${clash.name}" already uses`,
      { code: 'NAME_TAKEN', action: 'choose another --name' },
    );
  }
  return previous;
}

/**
 * After a failed first deploy (not an interruption): the pending entry goes when the target made
 * nothing, or cleaned up after itself (it reports the deployment missing). Otherwise it stays, so
 * `kagg destroy` can remove what was made and the next deploy resumes.
 */
async function forgetIfNothingMade(
  registry: EndpointRegistry,
  target: DeployTarget,
  name: string,
  ctx: OperationContext,
): Promise<void> {
  const entry = await registry.get(name);
  if (!entry?.state) return;
  const made = Object.keys(entry.providerIds).length > 0;
  const status = made ? await target.describe(entry, ctx).catch(() => undefined) : undefined;
  if (!made || status?.state === 'missing') await registry.remove(name);
}

/** What a target reports it wrote; a target that does not say is taken to have written everything. */
function writtenBy(deployment: Deployment): string[] {
  return Array.isArray(deployment.written)
    ? deployment.written.filter((w) => typeof w === 'string')
    : ['code', 'config'];
}

export async function deployNotebook(request: DeployRequest, deps: DeployDeps): Promise<DeployResult> {
  const { target, options } = await loadTarget(deps.config, request, deps.settings, deps.installer);
  // --env values are the user's secrets more often than not: masked in every output from here on.
  for (const value of Object.values(request.env)) registerSecret(value);
  deps.progress(`converting ${request.input}`);
  const prepared = await prepareBundle(deps.config, request);
  const { bundle } = prepared;
  const name = bundle.name;
  const resourceName = resourceNameOf(name, target.naming);
  const previous = await checkName(deps.registry, target, name, resourceName);
  await target.check?.({ name, resourceName, options, env: request.env });
  const pluginRoot = pluginRootOf(target);
  const fingerprint = await deploymentFingerprint({
    bundleHash: bundle.hash,
    target,
    options,
    env: request.env,
    resourceName,
    ...(pluginRoot ? { plugin: await pluginDigest(pluginRoot) } : {}),
  });
  const ctx = await operationContext(target.id, deps);
  ctx.options = options;
  const secrets = secretValues(target, options);
  const result = (deployment: Deployment, written: string[]): DeployResult => ({
    name: deployment.name,
    target: deployment.target,
    url: deployment.url,
    auth: deployment.auth,
    bundleHash: deployment.bundleHash,
    changed: written.length > 0,
    written,
    entry: bundle.entry,
    parameters: bundle.parameters.map((p) => p.name),
    requirements: bundle.requirements,
    scanned: prepared.transforms.length > 0,
    warnings: prepared.warnings,
  });
  if (previous && !previous.state && previous.fingerprint === fingerprint && !request.force) {
    deps.progress('checking the running deployment');
    const status = await target.describe(previous, ctx);
    if (status.state === 'ready') return result(previous, []);
  }
  deps.progress(`packaging for ${target.id}`);
  const artifact = checkArtifact(target, await target.package(bundle, options));
  // Intent before action: the entry exists before the first provider write, so an interrupted
  // deploy leaves something `kagg destroy` can clean up and the next deploy resumes.
  await deps.registry.upsert({
    ...(previous ?? {
      name,
      target: target.id,
      url: '',
      auth: options.public === false ? 'private' : 'public',
      bundleHash: bundle.hash,
      providerIds: {},
    }),
    source: bundle.source,
    resourceName,
    state: 'pending',
  });
  const record = async (ids: Record<string, string | number>) => {
    refuseSecrets(target, secrets, ids, 'the provider ids it recorded');
    await deps.registry.update((data) => {
      const entry = data.endpoints[name];
      if (entry) entry.providerIds = { ...entry.providerIds, ...ids };
    });
  };
  let deployment: Deployment;
  try {
    deployment = checkDeployment(
      target,
      await target.deploy(artifact, {
        ...ctx,
        name,
        options,
        env: request.env,
        resourceName,
        record,
        ...(request.adopt ? { adopt: true } : {}),
        ...(previous ? { previous: previous as Deployment } : {}),
      }),
    );
  } catch (error) {
    if (!previous && !ctx.signal.aborted) await forgetIfNothingMade(deps.registry, target, name, ctx);
    throw error;
  }
  refuseSecrets(target, secrets, { ...deployment, written: undefined }, 'the deployment it returned');
  await deps.registry.upsert({
    name: deployment.name,
    target: deployment.target,
    url: deployment.url,
    auth: deployment.auth,
    bundleHash: deployment.bundleHash,
    providerIds: deployment.providerIds,
    source: bundle.source,
    resourceName,
    fingerprint,
    ...(deployment.region ? { region: deployment.region } : {}),
  });
  return result(deployment, writtenBy(deployment));
}
