import { KaggCommand } from '@kagg/core/command';
import { endpointLogs } from '@kagg/core/endpoints';
import * as Args from '@oclif/core/args';
import { installFlags } from '../flags.js';
import { operationDeps, services } from '../services.js';

export default class Logs extends KaggCommand<{ name: string; logs: string }> {
  static override summary = "Print an endpoint's recent log.";
  static override examples = ['<%= config.bin %> logs iris'];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };
  static override flags = { ...installFlags };

  async run() {
    const { args, flags } = await this.parse(Logs);
    const svc = await services();
    const logs = await endpointLogs(operationDeps(this, svc, { yes: flags.yes }), args.name);
    this.out(logs);
    return { name: args.name, logs };
  }
}
