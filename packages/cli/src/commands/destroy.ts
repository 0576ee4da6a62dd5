import { KaggCommand } from '@kagg/core/command';
import { destroyEndpoint } from '@kagg/core/endpoints';
import * as Args from '@oclif/core/args';
import { operationDeps, services } from '../services.js';

export default class Destroy extends KaggCommand<{ destroyed: string; target: string }> {
  static override summary = 'Tear an endpoint down and remove it from the registry.';
  static override examples = ['<%= config.bin %> destroy iris', '<%= config.bin %> destroy churn --json'];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };

  async run() {
    const { args } = await this.parse(Destroy);
    const svc = await services();
    const endpoint = await destroyEndpoint(operationDeps(this, svc, { progress: true }), args.name);
    this.progress.stop();
    this.info(`Destroyed ${endpoint.name} (${endpoint.target})`);
    return { destroyed: endpoint.name, target: endpoint.target };
  }
}
