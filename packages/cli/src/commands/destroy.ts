import { KaggCommand } from '@kagg/core/command';
import { destroyEndpoint } from '@kagg/core/endpoints';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { installFlags } from '../flags.js';
import { operationDeps, services } from '../services.js';

export default class Destroy extends KaggCommand<{ destroyed: string; target: string }> {
  static override summary = 'Tear an endpoint down and remove it from the registry.';
  static override examples = [
    '<%= config.bin %> destroy iris',
    '<%= config.bin %> destroy churn --set deleteRole=true --json',
  ];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };
  static override flags = {
    'keep-logs': Flags.boolean({ summary: "Leave the endpoint's logs in place (AWS: its CloudWatch log group)." }),
    set: Flags.string({
      summary: 'A target-specific setting for the teardown, key=value (e.g. deleteRole=true on aws).',
      multiple: true,
    }),
    ...installFlags,
  };

  async run() {
    const { args, flags } = await this.parse(Destroy);
    const svc = await services();
    const endpoint = await destroyEndpoint(operationDeps(this, svc, { progress: true, yes: flags.yes }), args.name, {
      set: flags.set ?? [],
      keepLogs: flags['keep-logs'],
    });
    this.progress.stop();
    this.info(`Destroyed ${endpoint.name} (${endpoint.target})`);
    return { destroyed: endpoint.name, target: endpoint.target };
  }
}
