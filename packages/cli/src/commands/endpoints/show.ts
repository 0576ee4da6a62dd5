import { KaggCommand } from '@kagg/core/command';
import { describeEndpoint } from '@kagg/core/endpoints';
import type { EndpointEntry } from '@kagg/core/registry';
import type { DeploymentStatus } from '@kagg/plugin-api';
import * as Args from '@oclif/core/args';
import { installFlags } from '../../flags.js';
import { operationDeps, services } from '../../services.js';

export default class EndpointsShow extends KaggCommand<{ endpoint: EndpointEntry; status: DeploymentStatus }> {
  static override summary = 'Show one endpoint and ask its target how it is doing.';
  static override examples = ['<%= config.bin %> endpoints show iris', '<%= config.bin %> endpoints show iris --json'];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };
  static override flags = { ...installFlags };

  async run() {
    const { args, flags } = await this.parse(EndpointsShow);
    const svc = await services();
    const result = await describeEndpoint(operationDeps(this, svc, { yes: flags.yes }), args.name);
    const e = result.endpoint;
    this.out(`name:     ${e.name}`);
    this.out(`target:   ${e.target}${e.region ? ` (${e.region})` : ''}`);
    this.out(`url:      ${e.url}`);
    this.out(`auth:     ${e.auth}`);
    this.out(`status:   ${result.status.state}${result.status.detail ? ` — ${result.status.detail}` : ''}`);
    if (e.source) this.out(`source:   ${e.source}`);
    this.out(`created:  ${e.createdAt}`);
    this.out(`updated:  ${e.updatedAt}`);
    if (e.bundleHash) this.out(`bundle:   ${e.bundleHash.slice(0, 16)}`);
    return result;
  }
}
