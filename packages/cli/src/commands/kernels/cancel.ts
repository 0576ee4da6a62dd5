import { confirm, KaggCommand } from '@kagg/core/command';
import { cancelKernelSession, createKaggleClient } from '@kagg/core/kaggle';
import { Flags } from '@oclif/core';

type Result = { sessionId: number; cancelRequested: boolean };

export default class KernelsCancel extends KaggCommand<Result> {
  static override summary = 'Cancel a running Kaggle kernel session, by its session id.';
  static override description = [
    "Kaggle's public API cancels a session only by its session id, and returns that id nowhere: not on",
    'push (its number is a version, not a session), not in status or in any kernel answer (kaggle-cli',
    '#1169, #1174). So kagg cannot cancel "the latest run of owner/slug"; bring the id from Kaggle.',
    '`kagg status` then reports CANCEL_REQUESTED, then CANCEL_ACKNOWLEDGED (`kagg run` exits 1).',
    'Asks for confirmation on a terminal; -y/--yes skips it (required without a terminal, exit 2).',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> kernels cancel --session-id 260000123',
    '<%= config.bin %> kernels cancel --session-id 260000123 -y --json',
  ];
  static override flags = {
    'session-id': Flags.integer({ summary: "Kaggle's id of the session to cancel.", required: true, min: 1 }),
    yes: Flags.boolean({ char: 'y', summary: 'Cancel without asking.' }),
  };

  async run(): Promise<Result> {
    const { flags } = await this.parse(KernelsCancel);
    const sessionId = flags['session-id'];
    const asked = { yes: flags.yes, refused: `Not cancelling session ${sessionId}` };
    if (!(await confirm(`Cancel the kernel session ${sessionId}? Its run stops.`, asked))) {
      this.info('Not cancelled');
      return { sessionId, cancelRequested: false };
    }
    const result = await cancelKernelSession(createKaggleClient({ onWarning: (m) => this.warning(m) }), sessionId);
    this.info(`Cancel requested for kernel session ${sessionId}`);
    return result;
  }
}
