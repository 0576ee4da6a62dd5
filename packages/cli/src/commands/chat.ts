import { createProgress, KaggCommand, onTerminal } from '@kagg/core/command';
import { type ChatResult, chatLoop, sendText } from '@kagg/core/endpoints';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { operationDeps, services } from '../services.js';

export default class Chat extends KaggCommand<ChatResult> {
  static override summary = 'Talk to a text endpoint: each line you type is sent, its reply printed.';
  static override description =
    `Each line is sent as {"<field>": LINE} (field "text" unless --field), signed or keyed as \`kagg invoke\` does for private endpoints; the reply's text is printed (the first of response, text, output, generated_text, else the JSON).
On a terminal: line editing and history (↑); Ctrl-D, Ctrl-C or /exit ends the chat. Piped: one request per input line, replies on stdout, and it ends at the end of input (exit 1 if any request failed).
A failed request prints one line and the chat goes on. --history also sends the turns so far: {"text": LINE, "history": [{"role": "user", "content": …}, {"role": "assistant", "content": …}, …]}.
--json prints the whole conversation once it ends.`;
  static override examples = [
    '<%= config.bin %> chat echo-bot',
    '<%= config.bin %> chat my-bot --history --field prompt',
    'printf "hi\\nhow are you?\\n" | <%= config.bin %> chat echo-bot',
  ];
  static override args = { endpoint: Args.string({ description: 'Endpoint name or URL.', required: true }) };
  static override flags = {
    field: Flags.string({ summary: 'The request field that carries each line.', default: 'text' }),
    history: Flags.boolean({ summary: 'Send the conversation so far with each line, as "history".' }),
    timeout: Flags.integer({ summary: 'Seconds to wait for each reply.', default: 120, min: 1 }),
  };

  async run(): Promise<ChatResult> {
    const { args, flags } = await this.parse(Chat);
    const json = this.jsonEnabled();
    const terminal = !json && onTerminal(process.stdin) && onTerminal(process.stdout);
    const svc = await services();
    const deps = operationDeps(this, svc);
    const progress = createProgress({ enabled: !json, terminalOnly: true });
    if (terminal) this.info(`Chatting with ${args.endpoint}: Ctrl-D or /exit to end.`);
    const result = await chatLoop(
      async (text, history, signal) =>
        (
          await sendText(
            { ...deps, signal },
            {
              endpoint: args.endpoint,
              text,
              field: flags.field,
              ...(history ? { history } : {}),
              timeoutMs: flags.timeout * 1000,
            },
          )
        ).reply,
      {
        input: process.stdin,
        output: process.stdout,
        errors: process.stderr,
        terminal,
        signal: svc.signal,
        waiting: (on) => (on ? progress.stage(`Waiting for ${args.endpoint}`) : progress.stop()),
      },
      { history: flags.history, print: !json },
    );
    if (!terminal && result.failed > 0) process.exitCode = 1;
    return result;
  }
}
