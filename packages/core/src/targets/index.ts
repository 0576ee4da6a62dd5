export {
  type DiscoveredTargets,
  discoverTargets,
  FIRST_PARTY_TARGETS,
  pluginRootOf,
  requireTarget,
  type TargetProblem,
} from './discover.js';
export { runKaggHook } from './hooks.js';
export {
  ensureTarget,
  firstPartySource,
  installPlugin,
  notInstalledError,
  type PluginInstaller,
  type PluginNeed,
} from './install.js';
export { resolveTargetOptions, type TargetOptionInputs } from './options.js';
export { type PluginsOverview, pluginsOverview } from './overview.js';
