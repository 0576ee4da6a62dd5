import { KaggCommand } from '@kagg/core/command';
import { endpointLogs, formatEvent } from '@kagg/core/endpoints';
import type { LogEvent } from '@kagg/plugin-api';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { installFlags } from '../flags.js';
import { operationDeps, services } from '../services.js';

export default class Logs extends KaggCommand<{ name: string; events: LogEvent[]; logs: string }> {
  static override summary = "Print an endpoint's log (AWS: its CloudWatch log group; local: its log file).";
  static override examples = [
    '<%= config.bin %> logs iris',
    '<%= config.bin %> logs churn --since 10m --tail 50',
    '<%= config.bin %> logs churn --follow',
  ];
  static override args = { name: Args.string({ description: 'Endpoint name.', required: true }) };
  static override flags = {
    since: Flags.string({ summary: 'Only events since then: a duration (90s, 10m, 2h, 1d) or an ISO date.' }),
    tail: Flags.integer({ summary: 'Only the last N events.', min: 1 }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new events until Ctrl-C.' }),
    ...installFlags,
  };

  async run() {
    const { args, flags } = await this.parse(Logs);
    const svc = await services();
    const print = (events: LogEvent[]) => {
      if (this.jsonEnabled()) return;
      for (const e of events) this.out(e.timestamp > 0 ? formatEvent(e) : e.message);
    };
    const events = await endpointLogs(
      operationDeps(this, svc, { yes: flags.yes }),
      args.name,
      {
        ...(flags.since !== undefined ? { since: flags.since } : {}),
        ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
        follow: flags.follow,
      },
      print,
    );
    return { name: args.name, events, logs: events.map((e) => e.message).join('\n') };
  }
}
