import { KaggCommand } from '@kagg/core/command';
import { kaggPaths } from '@kagg/core/config';
import { KaggError } from '@kagg/core/errors';
import { EndpointRegistry } from '@kagg/core/registry';
import * as Args from '@oclif/core/args';

export default class EndpointsRemove extends KaggCommand<{ removed: string }> {
  static override summary = 'Forget an endpoint without touching what is deployed (see `kagg destroy`).';
  static override examples = ['<%= config.bin %> endpoints remove old-model'];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };

  async run() {
    const { args } = await this.parse(EndpointsRemove);
    const removed = await new EndpointRegistry(kaggPaths().registryFile).remove(args.name);
    if (!removed)
      throw new KaggError(`no endpoint named "${args.name}" in the registry`, { code: 'ENDPOINT_NOT_FOUND' });
    this.info(`Removed ${args.name} from the registry (its deployment, if any, keeps running).`);
    return { removed: args.name };
  }
}
