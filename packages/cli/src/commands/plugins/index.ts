import { KaggCommand, textTable } from '@kagg/core/command';
import { type PluginsOverview, pluginsOverview } from '@kagg/core/targets';
import { Flags } from '@oclif/core';

/**
 * kagg's `plugins` (it takes the place of @oclif/plugin-plugins' list, which only said "No plugins
 * installed."): the targets kagg has, the first-party ones it can install, and other plugins.
 */
export default class Plugins extends KaggCommand<PluginsOverview> {
  static override summary = 'List the deploy targets kagg has, those it can install, and the installed plugins.';
  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --core --json'];
  static override flags = { core: Flags.boolean({ summary: 'Also list the plugins kagg is built with.' }) };

  async run(): Promise<PluginsOverview> {
    const { flags } = await this.parse(Plugins);
    const overview = await pluginsOverview(this.config, { core: flags.core });
    this.out(
      textTable(
        ['target', 'plugin', 'version', 'installed'],
        overview.targets.map((t) => [t.id, t.plugin, t.version, t.type === 'core' ? 'built in' : t.type]),
      ),
    );
    if (overview.installable.length > 0) {
      this.out('\nTargets to install (or `--yes` on a deploy to one installs it on demand):');
      this.out(
        textTable(
          ['target', 'install with'],
          overview.installable.map((t) => [t.id, t.command]),
        ),
      );
    }
    if (overview.plugins.length > 0) {
      this.out('\nPlugins:');
      this.out(
        textTable(
          ['plugin', 'version', 'type'],
          overview.plugins.map((p) => [p.name, p.version, p.type]),
        ),
      );
    }
    for (const problem of overview.problems) this.warning(`${problem.plugin}: ${problem.message}`);
    return overview;
  }
}
