/**
 * Target discovery: every installed plugin may answer the `kagg:targets` hook with DeployTarget
 * objects. They are checked by shape (never `instanceof`: each plugin has its own copy of
 * @kagg/plugin-api), by contract version and for duplicate ids; hook failures are reported, not
 * swallowed.
 */
import { type DeployTarget, hooks, supportedApiVersions, targetShapeProblems } from '@kagg/plugin-api';
import type { Config } from '@oclif/core';
import { isKaggError, KaggError, messageOf, pluginBug, usageError } from '../errors/index.js';
import { runKaggHook } from './hooks.js';

export interface TargetProblem {
  plugin: string;
  message: string;
}

export interface DiscoveredTargets {
  targets: Map<string, { target: DeployTarget; plugin: string }>;
  problems: TargetProblem[];
}

/** First-party targets and the plugin that provides each. */
export const FIRST_PARTY_TARGETS: Record<string, string> = {
  local: '@kagg/plugin-local',
  aws: '@kagg/plugin-aws',
  gcp: '@kagg/plugin-gcp',
  'cloud-run': '@kagg/plugin-gcp',
  azure: '@kagg/plugin-azure',
  container: '@kagg/plugin-container',
};

const pluginRoots = new WeakMap<DeployTarget, string>();

/** The folder of the plugin that provided a discovered target (what its adapter files are read from). */
export function pluginRootOf(target: DeployTarget): string | undefined {
  return pluginRoots.get(target);
}

export async function discoverTargets(config: Pick<Config, 'runHook'>): Promise<DiscoveredTargets> {
  const result = await runKaggHook(config, hooks.targets, {});
  const targets: DiscoveredTargets['targets'] = new Map();
  const problems: TargetProblem[] = [];
  for (const failure of result.failures) {
    problems.push({
      plugin: failure.plugin.name,
      message: `its kagg:targets hook failed: ${messageOf(failure.error)}`,
    });
  }
  for (const success of result.successes) {
    const plugin = success.plugin.name;
    const list: unknown = success.result;
    if (!Array.isArray(list)) {
      problems.push({ plugin, message: 'its kagg:targets hook did not return an array of targets' });
      continue;
    }
    for (const candidate of list) {
      const shape = targetShapeProblems(candidate);
      if (shape.length > 0) {
        const id = (candidate as { id?: unknown })?.id;
        problems.push({
          plugin,
          message: `target ${typeof id === 'string' ? `"${id}" ` : ''}is invalid: ${shape.join('; ')}`,
        });
        continue;
      }
      const target = candidate as DeployTarget;
      if (!supportedApiVersions.includes(target.apiVersion)) {
        problems.push({
          plugin,
          message: `target "${target.id}" was built for plugin API v${target.apiVersion}; this kagg supports v${supportedApiVersions.join(', v')} — update the plugin or kagg`,
        });
        continue;
      }
      const existing = targets.get(target.id);
      if (existing) {
        // A first-party id always stays with its own plugin; otherwise the first plugin wins.
        const ownerIsNew = FIRST_PARTY_TARGETS[target.id] === plugin;
        const [kept, ignored] = ownerIsNew ? [plugin, existing.plugin] : [existing.plugin, plugin];
        problems.push({
          plugin: ignored,
          message: `target id "${target.id}" is already provided by ${kept}; this one is ignored`,
        });
        if (!ownerIsNew) continue;
      }
      const guarded = guardTarget(target, plugin);
      pluginRoots.set(guarded, success.plugin.root);
      targets.set(target.id, { target: guarded, plugin });
    }
  }
  return { targets, problems };
}

/** The target with this id, or an error saying how to get it. */
export function requireTarget(found: DiscoveredTargets, id: string): DeployTarget {
  const hit = found.targets.get(id);
  if (hit) return hit.target;
  const related = found.problems.filter((p) => p.message.includes(`"${id}"`));
  const firstParty = FIRST_PARTY_TARGETS[id];
  if (related.length > 0) {
    throw new KaggError(
      `target "${id}" could not be loaded: ${related.map((p) => `${p.plugin}: ${p.message}`).join('; ')}`,
      {
        code: 'TARGET_INVALID',
      },
    );
  }
  if (firstParty) {
    throw new KaggError(`the "${id}" target is not installed: it comes with the plugin ${firstParty}`, {
      code: 'TARGET_NOT_INSTALLED',
      action: `install it with \`kagg plugins install ${firstParty}\`, then run the command again`,
      details: { target: id, plugin: firstParty },
    });
  }
  const known = [...found.targets.keys()].sort();
  throw usageError(`unknown target "${id}"`, {
    code: 'TARGET_UNKNOWN',
    action: `installed targets: ${known.join(', ') || 'none'}; a third-party target comes with its plugin (\`kagg plugins install <plugin>\`)`,
  });
}

const OPERATIONS = [
  'check',
  'package',
  'deploy',
  'destroy',
  'describe',
  'invocation',
  'logs',
  'logEvents',
  'doctor',
] as const;

/**
 * The target as core calls it: a `TargetError` (or kagg's own error) and an abort pass through as
 * thrown; anything else a target operation throws becomes a `PLUGIN_BUG` naming the plugin.
 */
export function guardTarget(target: DeployTarget, plugin: string): DeployTarget {
  // Reads fall through to the target (a class instance keeps its prototype); operations are wrapped.
  const guarded = Object.create(target) as Record<string, unknown>;
  for (const operation of OPERATIONS) {
    const method = target[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof method !== 'function') continue;
    guarded[operation] = async (...args: unknown[]) => {
      try {
        return await method.apply(target, args);
      } catch (error) {
        const name = (error as { name?: unknown } | null)?.name;
        if (isKaggError(error) || name === 'AbortError' || name === 'TimeoutError') throw error;
        throw pluginBug(plugin, `${target.id}.${operation}`, error);
      }
    };
  }
  return guarded as unknown as DeployTarget;
}
