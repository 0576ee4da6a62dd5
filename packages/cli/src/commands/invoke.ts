import { readFileSync } from 'node:fs';
import { KaggCommand } from '@kagg/core/command';
import { parseDuration } from '@kagg/core/config';
import { type InvokeResult, invokeEndpoint } from '@kagg/core/endpoints';
import { KaggError, usageError } from '@kagg/core/errors';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { installFlags } from '../flags.js';
import { operationDeps, services } from '../services.js';

export default class Invoke extends KaggCommand<InvokeResult> {
  // kagg.py's name still works, without a second entry in the command list.
  static override hiddenAliases = ['call'];
  static override summary = 'Call an endpoint with a JSON payload and print its answer (also `kagg call`).';
  static override description =
    'NAME is an endpoint from the registry (kagg signs or adds keys for private endpoints) or a URL. The JSON answer goes to stdout; the status to stderr. Exits 1 when the endpoint answers with an error status. Never prompts: without --data the payload is {} (or stdin with --data-file -).';
  static override examples = [
    `<%= config.bin %> invoke iris --data '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'`,
    '<%= config.bin %> invoke iris --data @examples/iris/request.json --json',
    '<%= config.bin %> call iris --data-file examples/iris/request.json',
    '<%= config.bin %> invoke http://127.0.0.1:8080/ --method GET',
  ];
  static override args = { endpoint: Args.string({ description: 'Endpoint name or URL.', required: true }) };
  static override flags = {
    data: Flags.string({
      char: 'd',
      summary: "The JSON payload, or @FILE to read it from a file (curl's convention; @- for stdin).",
      exclusive: ['data-file'],
    }),
    'data-file': Flags.string({ summary: 'Read the JSON payload from a file (- for stdin).', exclusive: ['data'] }),
    method: Flags.string({
      char: 'X',
      summary: 'HTTP method.',
      options: ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS'],
      default: 'POST',
    }),
    header: Flags.string({
      char: 'H',
      summary: 'Extra header, "Name: value" (repeatable).',
      multiple: true,
    }),
    timeout: Flags.string({
      summary: 'How long to wait for the answer: seconds (60) or a duration (90s, 2m).',
      default: '60',
    }),
    ...installFlags,
  };

  async run(): Promise<InvokeResult> {
    const { args, flags } = await this.parse(Invoke);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    let body = flags.data;
    const file = flags['data-file'] ?? (flags.data?.startsWith('@') ? flags.data.slice(1) : undefined);
    if (file !== undefined) {
      const flag = flags['data-file'] === undefined ? '--data @' : '--data-file ';
      try {
        body = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw usageError(`${flag}${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
      }
    }
    if (body !== undefined) {
      try {
        JSON.parse(body);
      } catch (error) {
        throw usageError(`the payload is not valid JSON: ${(error as Error).message}`, { code: 'PAYLOAD_INVALID' });
      }
    }
    const headers: Record<string, string> = {};
    for (const h of flags.header ?? []) {
      const i = h.indexOf(':');
      if (i <= 0) throw usageError(`--header expects "Name: value", got "${h}"`);
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const svc = await services();
    const result = await invokeEndpoint(operationDeps(this, svc, { yes: flags.yes }), {
      endpoint: args.endpoint,
      method: flags.method,
      ...(body !== undefined ? { body } : {}),
      headers,
      timeoutMs,
    });
    this.info(`HTTP ${result.status}`);
    this.out(typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2));
    if (result.status >= 400) {
      if (this.jsonEnabled()) {
        process.exitCode = 1;
        return result;
      }
      throw new KaggError(`the endpoint answered HTTP ${result.status}`, { code: 'INVOKE_HTTP_ERROR' });
    }
    return result;
  }
}
