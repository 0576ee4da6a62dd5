import { readFileSync } from 'node:fs';
import { createProgress, KaggCommand } from '@kagg/core/command';
import { type SendResult, sendText } from '@kagg/core/endpoints';
import { usageError } from '@kagg/core/errors';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { operationDeps, services } from '../services.js';

export default class Send extends KaggCommand<SendResult> {
  static override summary = "Send a line of text to an endpoint and print the reply's text.";
  static override description =
    'POSTs {"<field>": TEXT} (field "text" unless --field) to the endpoint, signed or keyed as `kagg invoke` does for private endpoints, and prints the first of the answer\'s response, text, output or generated_text, else the answer as JSON. --json prints the whole answer. TEXT - reads stdin. Exits 1 when the endpoint answers with an error status.';
  static override examples = [
    '<%= config.bin %> send echo-bot "hello there"',
    '<%= config.bin %> send https://abc.lambda-url.eu-west-1.on.aws/ "translate this" --field prompt',
    'echo "a question" | <%= config.bin %> send echo-bot - --json',
  ];
  static override args = {
    endpoint: Args.string({ description: 'Endpoint name or URL.', required: true }),
    text: Args.string({ description: 'The text to send (- reads stdin).', required: true }),
  };
  static override flags = {
    field: Flags.string({ summary: 'The request field that carries the text.', default: 'text' }),
    timeout: Flags.integer({ summary: 'Seconds to wait for the reply.', default: 120, min: 1 }),
  };

  async run(): Promise<SendResult> {
    const { args, flags } = await this.parse(Send);
    let text = args.text;
    if (text === '-') {
      text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (text.trim() === '') throw usageError('TEXT - read nothing from stdin');
    }
    const svc = await services();
    const progress = createProgress({ enabled: !this.jsonEnabled(), terminalOnly: true });
    progress.stage(`Waiting for ${args.endpoint}`);
    let result: SendResult;
    try {
      result = await sendText(operationDeps(this, svc), {
        endpoint: args.endpoint,
        text,
        field: flags.field,
        timeoutMs: flags.timeout * 1000,
      });
    } finally {
      progress.stop();
    }
    this.out(result.reply);
    return result;
  }
}
