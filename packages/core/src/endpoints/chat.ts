/**
 * Text in, text out, for endpoints that answer a sentence: `kagg send` (one request) and `kagg chat`
 * (a conversation loop around it). Every request goes through `invokeEndpoint`, so a private
 * endpoint is signed or keyed exactly as `kagg invoke` does it.
 *
 * The request is `{"<field>": TEXT}`; with history, `{"<field>": TEXT, "history": [{"role": "user" |
 * "assistant", "content": "..."}, ...]}`, the turns before this one, oldest first. The reply's text
 * is the first string among `response`, `text`, `output`, `generated_text` (also inside a one-item
 * list, as Hugging Face pipelines answer), else the whole answer as JSON.
 */
import { createInterface } from 'node:readline';
import { redact } from '../config/redact.js';
import { KaggError, messageOf } from '../errors/index.js';
import { type EndpointDeps, type InvokeResult, invokeEndpoint } from './operations.js';

export const REPLY_KEYS = ['response', 'text', 'output', 'generated_text'] as const;

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** The text of an endpoint's answer (see the module comment for the order). */
export function replyText(body: unknown): string {
  if (typeof body === 'string') return body;
  const object = Array.isArray(body) && body.length === 1 ? body[0] : body;
  if (object && typeof object === 'object' && !Array.isArray(object)) {
    for (const key of REPLY_KEYS) {
      const value = (object as Record<string, unknown>)[key];
      if (typeof value === 'string') return value;
    }
  }
  return JSON.stringify(body);
}

export interface SendRequest {
  /** A registry name or a URL. */
  endpoint: string;
  text: string;
  /** The request field that carries the text (default `text`). */
  field: string;
  /** The conversation so far, sent as `history` when given. */
  history?: ChatTurn[];
  timeoutMs: number;
}

export interface SendResult extends InvokeResult {
  /** The reply's text. */
  reply: string;
}

/** One POST of the text; an error status is a failure that quotes the endpoint's error. */
export async function sendText(deps: EndpointDeps, request: SendRequest): Promise<SendResult> {
  const payload = { [request.field]: request.text, ...(request.history ? { history: request.history } : {}) };
  const result = await invokeEndpoint(deps, {
    endpoint: request.endpoint,
    method: 'POST',
    body: JSON.stringify(payload),
    headers: {},
    timeoutMs: request.timeoutMs,
  });
  if (result.status >= 400) {
    const said =
      result.body && typeof result.body === 'object' && 'error' in result.body
        ? String((result.body as { error: unknown }).error)
        : replyText(result.body).slice(0, 200);
    throw new KaggError(`the endpoint answered HTTP ${result.status}${said ? `: ${said}` : ''}`, {
      code: 'SEND_HTTP_ERROR',
      details: { status: result.status, body: result.body },
    });
  }
  return { ...result, reply: replyText(result.body) };
}

export interface ChatIo {
  input: NodeJS.ReadableStream;
  /** Replies (stdout). */
  output: NodeJS.WritableStream;
  /** One line per failed turn (stderr). */
  errors: NodeJS.WritableStream;
  /** A person at a terminal: prompt, line editing, history on ↑, Ctrl-C ends the chat. */
  terminal: boolean;
  /** Ends the chat from outside (a SIGINT when input is piped). */
  signal?: AbortSignal;
  /** Called around each request (progress on a terminal). */
  waiting?: (on: boolean) => void;
}

export interface ChatOptions {
  /** Send the conversation so far with each message. */
  history: boolean;
  /** Print replies (false under `--json`, where the transcript is the result). */
  print: boolean;
}

export interface ChatExchange {
  text: string;
  reply?: string;
  error?: string;
}

export interface ChatResult {
  exchanges: ChatExchange[];
  failed: number;
}

/**
 * The conversation loop: a line in, a reply out, until end of input (Ctrl-D or the end of a pipe),
 * Ctrl-C or `/exit`. Blank lines are skipped; a failed request prints one line and the loop goes on.
 */
export async function chatLoop(
  send: (text: string, history: ChatTurn[] | undefined, signal: AbortSignal) => Promise<string>,
  io: ChatIo,
  options: ChatOptions,
): Promise<ChatResult> {
  const rl = createInterface({
    input: io.input,
    ...(io.terminal ? { output: io.output, terminal: true, historySize: 200, prompt: 'you› ' } : { terminal: false }),
  });
  const controller = new AbortController();
  const end = () => {
    controller.abort(new Error('cancelled (Ctrl-C)'));
    rl.close();
  };
  rl.on('SIGINT', () => {
    if (io.terminal) io.output.write('\n');
    end();
  });
  io.signal?.addEventListener('abort', end, { once: true });
  const turns: ChatTurn[] = [];
  const result: ChatResult = { exchanges: [], failed: 0 };
  if (io.terminal) rl.prompt();
  try {
    for await (const raw of rl) {
      const text = raw.trim();
      if (text === '/exit') break;
      if (text !== '') {
        io.waiting?.(true);
        try {
          const reply = await send(text, options.history ? [...turns] : undefined, controller.signal);
          turns.push({ role: 'user', content: text }, { role: 'assistant', content: reply });
          result.exchanges.push({ text, reply });
          io.waiting?.(false);
          if (options.print) io.output.write(`${io.terminal ? 'bot› ' : ''}${redact(reply)}\n`);
        } catch (error) {
          io.waiting?.(false);
          if (controller.signal.aborted) break;
          result.failed++;
          result.exchanges.push({ text, error: messageOf(error) });
          io.errors.write(`Error: ${redact(messageOf(error).split('\n')[0] ?? '')}\n`);
        }
      }
      if (io.terminal) rl.prompt();
    }
  } finally {
    rl.close();
  }
  return result;
}
