import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import { EndpointRegistry, type ImportResult, importLegacyRegistry } from '@kagg/core/registry';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';

export default class EndpointsImport extends KaggCommand<ImportResult> {
  static override summary = "Import endpoints from kagg.py's .kaggle_state/endpoints.json.";
  static override examples = [
    '<%= config.bin %> endpoints import .kaggle_state/endpoints.json',
    '<%= config.bin %> endpoints import old/endpoints.json --force --json',
  ];
  static override args = { file: Args.string({ description: 'The old registry file.', required: true }) };
  static override flags = {
    force: Flags.boolean({ summary: 'Replace endpoints that already exist under the same name.' }),
  };

  async run(): Promise<ImportResult> {
    const { args, flags } = await this.parse(EndpointsImport);
    const result = await importLegacyRegistry(new EndpointRegistry(kaggPaths().registryFile), args.file, {
      force: flags.force,
    });
    for (const s of result.skipped) this.warning(`skipped ${s.name}: ${s.reason}`);
    this.info(
      `Imported ${result.imported.length} endpoint(s)${result.imported.length ? `: ${result.imported.join(', ')}` : ''}`,
    );
    return result;
  }
}
