/**
 * A deterministic classifier for IPython syntax in a code cell, modelled on IPython's own input
 * transformers: `%%` on the first line is a cell magic, a leading `%` a line magic, a leading `!` a shell
 * command, `x = !cmd` / `x = %magic` assignments, leading or trailing `?`/`??` help. A trailing `\`
 * continues an IPython line. Lines inside string literals and bracket continuations are Python.
 *
 * Shared with the preprocess plugin: the exported API is stable.
 */

import { atLogicalStart, newScanState, scanPythonLine } from './python-scan.js';

export type LineKind = 'python' | 'line-magic' | 'cell-magic' | 'shell' | 'shell-assign' | 'magic-assign' | 'help';

export interface ClassifiedLine {
  /** 1-based line number within the cell. */
  line: number;
  /** The physical line, as written. */
  text: string;
  kind: LineKind;
  /** Leading whitespace of the line. */
  indent: string;
  /** Magic name without `%` ('pip', 'matplotlib', 'writefile', 'time'); for line/cell magics and magic-assign. */
  magic?: string;
  /** Magic arguments (continuation lines joined); for line/cell magics and magic-assign. */
  args?: string;
  /** Shell command after `!` (continuation lines joined); for shell and shell-assign. */
  command?: string;
  /** Assignment target of `x = !cmd` / `x = %magic` ('x', or 'a, b'). */
  target?: string;
  /**
   * True on a physical line that continues the IPython line above it (the line above ended with `\`).
   * Such a line has the same kind as the line it continues, and no magic/args/command of its own.
   */
  continuation?: boolean;
}

export interface CellMagic {
  name: string;
  args: string;
}

export interface ClassifiedCell {
  cellMagic?: CellMagic;
  lines: ClassifiedLine[];
}

/** Cell magics whose body is Python that runs as is (only timing or output capture is lost). */
export const PYTHON_BODIED_CELL_MAGICS: readonly string[] = ['time', 'timeit', 'capture', 'prun'];

export function isPythonBodiedCellMagic(name: string): boolean {
  return PYTHON_BODIED_CELL_MAGICS.includes(name);
}

const MAGIC_NAME = /^%{1,2}([A-Za-z_][\w.]*)/;
const ASSIGN_FROM = /^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*([!%])(.*)$/;

function splitLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

function endsWithBackslash(text: string): boolean {
  return /\\\s*$/.test(text);
}

/** Join an IPython line and its `\` continuations the way IPython does. */
function joinContinued(parts: string[]): string {
  const cut = parts.map((part, k) => {
    const trimmed = k === 0 ? part.trimEnd() : part.trim();
    return k < parts.length - 1 ? trimmed.slice(0, -1).trimEnd() : trimmed;
  });
  return cut.join(' ');
}

/** Classify the start of a logical line that is not a continuation. Undefined: it is Python. */
function classifyStart(text: string): Omit<ClassifiedLine, 'line' | 'text' | 'indent'> | undefined {
  const body = text.trimStart();
  if (body.startsWith('%')) {
    const match = MAGIC_NAME.exec(body);
    const name = match ? (body.startsWith('%%') ? `%${match[1]}` : match[1]!) : '';
    return { kind: 'line-magic', magic: name, args: match ? body.slice(match[0].length).trim() : body.slice(1).trim() };
  }
  if (body.startsWith('!')) {
    const command = body.startsWith('!!') ? body.slice(2) : body.slice(1);
    return { kind: 'shell', command: command.trim() };
  }
  if (body.startsWith('?')) return { kind: 'help' };
  const assign = ASSIGN_FROM.exec(body);
  if (assign) {
    const target = assign[1]!.replace(/\s+/g, ' ');
    if (assign[2] === '!') return { kind: 'shell-assign', target, command: assign[3]!.trim() };
    const rest = `%${assign[3]!}`;
    const match = MAGIC_NAME.exec(rest);
    if (match && !rest.startsWith('%%')) {
      return { kind: 'magic-assign', target, magic: match[1]!, args: rest.slice(match[0].length).trim() };
    }
  }
  return undefined;
}

function classifyLines(lines: string[], firstLine: number): ClassifiedLine[] {
  const out: ClassifiedLine[] = [];
  const state = newScanState();
  let i = 0;
  while (i < lines.length) {
    const text = lines[i]!;
    const startOfLogical = atLogicalStart(state);
    const ipython = startOfLogical ? classifyStart(text) : undefined;
    if (ipython) {
      // The IPython line and its `\` continuations.
      const parts = [text];
      while (endsWithBackslash(parts[parts.length - 1]!) && i + parts.length < lines.length) {
        parts.push(lines[i + parts.length]!);
      }
      const joined = joinContinued(parts);
      const full = parts.length > 1 ? { ...ipython, ...reclassifyJoined(joined, ipython.kind) } : ipython;
      out.push({ line: firstLine + i, text, indent: indentOf(text), ...full });
      for (let k = 1; k < parts.length; k++) {
        out.push({
          line: firstLine + i + k,
          text: parts[k]!,
          kind: full.kind,
          indent: indentOf(parts[k]!),
          continuation: true,
        });
      }
      i += parts.length;
      continue;
    }
    if (startOfLogical) {
      // A Python logical line: follow it to its end, then look for a trailing `?` (help).
      state.lastCode = '';
      const start = out.length;
      do {
        const physical = lines[i]!;
        scanPythonLine(physical, state);
        out.push({ line: firstLine + i, text: physical, kind: 'python', indent: indentOf(physical) });
        i++;
      } while (i < lines.length && !atLogicalStart(state));
      if (state.lastCode === '?' && state.quote === undefined) {
        for (let k = start; k < out.length; k++) {
          out[k]!.kind = 'help';
          if (k > start) out[k]!.continuation = true;
        }
      }
      continue;
    }
    scanPythonLine(text, state);
    out.push({ line: firstLine + i, text, kind: 'python', indent: indentOf(text) });
    i++;
  }
  return out;
}

function reclassifyJoined(
  joined: string,
  kind: LineKind,
): Pick<ClassifiedLine, 'magic' | 'args' | 'command' | 'target' | 'kind'> {
  const again = classifyStart(joined);
  return again ?? { kind };
}

function firstCodeLineIndex(lines: string[]): number {
  return lines.findIndex((line) => line.trim() !== '');
}

/** Split a `%%magic` cell into its magic and body. Undefined when the cell has no cell magic. */
export function splitCellMagic(
  source: string,
): { name: string; args: string; body: string; magicLine: number; bodyStartLine: number } | undefined {
  const lines = splitLines(source);
  const first = firstCodeLineIndex(lines);
  if (first < 0) return undefined;
  const head = lines[first]!.trim();
  if (!head.startsWith('%%')) return undefined;
  const match = /^%%([A-Za-z_][\w.]*)?(.*)$/.exec(head)!;
  return {
    name: match[1] ?? '',
    args: (match[2] ?? '').trim(),
    body: lines.slice(first + 1).join('\n'),
    magicLine: first + 1,
    bodyStartLine: first + 2,
  };
}

/**
 * Classify every physical line of a code cell. For a cell magic cell, the magic line (and leading blank
 * lines) are 'cell-magic'; the body is classified as Python when the magic is Python-bodied
 * (`time`, `timeit`, `capture`, `prun`), otherwise every body line is 'cell-magic'.
 */
export function classifyCell(source: string): ClassifiedCell {
  const lines = splitLines(source);
  const magic = splitCellMagic(source);
  if (!magic) return { lines: classifyLines(lines, 1) };
  const out: ClassifiedLine[] = [];
  for (let i = 0; i < magic.magicLine; i++) {
    const text = lines[i]!;
    const line: ClassifiedLine = { line: i + 1, text, kind: 'cell-magic', indent: indentOf(text) };
    if (i === magic.magicLine - 1) {
      line.magic = magic.name;
      line.args = magic.args;
    }
    out.push(line);
  }
  const body = lines.slice(magic.magicLine);
  if (isPythonBodiedCellMagic(magic.name)) {
    out.push(...classifyLines(body, magic.bodyStartLine));
  } else {
    body.forEach((text, k) => {
      out.push({ line: magic.bodyStartLine + k, text, kind: 'cell-magic', indent: indentOf(text) });
    });
  }
  return { cellMagic: { name: magic.name, args: magic.args }, lines: out };
}

/**
 * The cell with every IPython line replaced by `pass` at the same indent (continuation lines and
 * non-Python cell magic lines blanked), line count preserved, so a Python parser sees valid code and
 * reports the notebook's own line numbers.
 */
export function maskIPython(source: string): string {
  const { lines } = classifyCell(source);
  return lines
    .map((line) => {
      if (line.kind === 'python') return line.text;
      if (line.kind === 'cell-magic' || line.continuation) return '';
      return `${line.indent}pass`;
    })
    .join('\n');
}

/** The path and mode of a `%%writefile [-a|--append] path` magic. Undefined when no path is given. */
export function parseWritefileArgs(args: string): { path: string; append: boolean } | undefined {
  const words = tokenizeShell(args)
    .filter((token) => token.type === 'word')
    .map((token) => token.value);
  let append = false;
  const rest: string[] = [];
  for (const word of words) {
    if (word === '-a' || word === '--append') append = true;
    else rest.push(word);
  }
  if (rest.length === 0) return undefined;
  return { path: rest.join(' '), append };
}

// ---------------------------------------------------------------------------------------------
// Shell tokenizer and pip install parsing

export type ShellToken =
  | { type: 'word'; value: string; raw: string; quoted: boolean }
  | { type: 'op'; value: string }
  | { type: 'redirect'; value: string; target: string; fd?: string };

const CONTROL_OPS = ['&&', '||', ';', '|', '&'];

/**
 * A POSIX-shell-style tokenizer: quotes, backslash escapes, control operators (`&&`, `||`, `;`, `|`,
 * `&`) and redirects (`>`, `>>`, `<`, `2>`, `&>`, `>&`), which consume their target word. `#` at the
 * start of a word begins a comment.
 */
export function tokenizeShell(command: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let i = 0;
  const n = command.length;

  const readWord = (): { value: string; raw: string; quoted: boolean } | undefined => {
    let value = '';
    let quoted = false;
    const start = i;
    while (i < n) {
      const ch = command[i]!;
      if (/\s/.test(ch) || ch === ';' || ch === '|' || ch === '&' || ch === '>' || ch === '<') break;
      if (ch === "'") {
        quoted = true;
        const end = command.indexOf("'", i + 1);
        const stop = end < 0 ? n : end;
        value += command.slice(i + 1, stop);
        i = stop + 1;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        i++;
        while (i < n && command[i] !== '"') {
          if (command[i] === '\\' && i + 1 < n && '"\\$`\n'.includes(command[i + 1]!)) {
            value += command[i + 1];
            i += 2;
            continue;
          }
          value += command[i];
          i++;
        }
        i++;
        continue;
      }
      if (ch === '\\' && i + 1 < n) {
        quoted = true;
        value += command[i + 1];
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    if (i === start) return undefined;
    return { value, raw: command.slice(start, Math.min(i, n)), quoted };
  };

  while (i < n) {
    const ch = command[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') break;
    const op = CONTROL_OPS.find((candidate) => command.startsWith(candidate, i));
    const redirect = /^(?:&>>?|>>?&?|<)/.exec(command.slice(i));
    if (redirect) {
      i += redirect[0].length;
      while (i < n && /[ \t]/.test(command[i]!)) i++;
      const target = readWord();
      tokens.push({ type: 'redirect', value: redirect[0], target: target?.value ?? '' });
      continue;
    }
    if (op) {
      tokens.push({ type: 'op', value: op });
      i += op.length;
      continue;
    }
    const word = readWord();
    if (!word) {
      i++;
      continue;
    }
    // `2>file`: a file descriptor number right before a redirect belongs to the redirect.
    if (!word.quoted && /^\d+$/.test(word.value) && (command[i] === '>' || command[i] === '<')) {
      const fdRedirect = /^(?:>>?&?|<)/.exec(command.slice(i))!;
      i += fdRedirect[0].length;
      while (i < n && /[ \t]/.test(command[i]!)) i++;
      const target = readWord();
      tokens.push({ type: 'redirect', value: fdRedirect[0], target: target?.value ?? '', fd: word.value });
      continue;
    }
    tokens.push({ type: 'word', ...word });
  }
  return tokens;
}

export interface PipInstall {
  /** Requirement specifiers, as written (quotes removed; an unquoted `pkg>=1` is `pkg`). */
  packages: string[];
  /** What could not be carried over: requirement files, editable installs, redirects, index options. */
  warnings: string[];
  /** Shell commands on the same line that are not pip installs (`pip install x && python setup.py`). */
  otherCommands: string[];
}

const PIP_VALUE_OPTIONS = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-c',
  '--constraint',
  '-r',
  '--requirement',
  '-e',
  '--editable',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--src',
  '--trusted-host',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--progress-bar',
  '--log',
  '--log-file',
  '--proxy',
  '--retries',
  '--timeout',
  '--exists-action',
  '--cert',
  '--client-cert',
  '--cache-dir',
  '--upgrade-strategy',
  '--only-binary',
  '--no-binary',
  '--global-option',
  '--install-option',
  '--config-settings',
  '-C',
  '--report',
  '--python',
  '--keyring-provider',
  '--use-feature',
  '--use-deprecated',
  '--root-user-action',
  '--resume-retries',
  '--group',
]);

const PIP_SHORT_VALUE = new Set(['i', 'f', 'c', 'r', 'e', 't', 'C']);

function isPythonWord(word: string): boolean {
  return /^(?:.*\/)?python[\d.]*$/.test(word) || /^\{\s*sys\.executable\s*\}$/.test(word) || word === '$PYTHON';
}

function isPipWord(word: string): boolean {
  return /^(?:.*\/)?pip[\d.]*$/.test(word);
}

/** If the words are a pip install command, the words after `install`; else undefined. */
function pipInstallArgs(words: string[]): string[] | undefined {
  let k = 0;
  if (isPipWord(words[0] ?? '')) {
    k = 1;
  } else if (isPythonWord(words[0] ?? '')) {
    k = 1;
    while (k < words.length && words[k]!.startsWith('-') && words[k] !== '-m') k++;
    if (words[k] !== '-m' || words[k + 1] !== 'pip') return undefined;
    k += 2;
  } else {
    return undefined;
  }
  // General options before the subcommand (`pip -q install x`).
  while (k < words.length && words[k]!.startsWith('-')) {
    const option = words[k]!;
    k += PIP_VALUE_OPTIONS.has(option) ? 2 : 1;
  }
  if (words[k] !== 'install') return undefined;
  return words.slice(k + 1);
}

function parseInstallSegment(tokens: ShellToken[], result: PipInstall): boolean {
  const wordTokens = tokens.filter((token) => token.type === 'word');
  const args = pipInstallArgs(wordTokens.map((token) => token.value));
  if (!args) return false;
  const packages: string[] = [];
  let upgrade = false;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.split('=', 2) as [string, string | undefined];
      if (name === '--upgrade') upgrade = true;
      const value = inline ?? (PIP_VALUE_OPTIONS.has(name) ? args[++k] : undefined);
      noteOption(name, value, result);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Short options, possibly combined (`-qU`) or with an attached value (`-rreqs.txt`).
      for (let c = 1; c < arg.length; c++) {
        const letter = arg[c]!;
        if (letter === 'U') upgrade = true;
        if (PIP_SHORT_VALUE.has(letter)) {
          const attached = arg.slice(c + 1);
          const value = attached !== '' ? attached : args[++k];
          noteOption(`-${letter}`, value, result);
          break;
        }
      }
      continue;
    }
    if (/\.(?:whl|tar\.gz|zip)$/.test(arg) || arg.startsWith('.') || arg.startsWith('/')) {
      result.warnings.push(
        `pip install of a local path \`${arg}\` is kept as a requirement; bundle the file with --include`,
      );
    }
    packages.push(arg);
  }
  // Redirects that cut a requirement short: `pkg>=1.2` unquoted is `pkg` writing to the file `=1.2`.
  for (let t = 1; t < tokens.length; t++) {
    const token = tokens[t]!;
    const before = tokens[t - 1]!;
    if (token.type !== 'redirect' || token.fd !== undefined || before.type !== 'word') continue;
    if (packages.includes(before.value) && /^[=\d]/.test(token.target)) {
      result.warnings.push(
        `unquoted \`${before.raw}${token.value}${token.target}\` is a shell redirect: ${before.value} is installed unpinned (quote it to keep the version)`,
      );
    }
  }
  // The installer upgrading itself (`pip install -U pip setuptools wheel`) is not a requirement.
  const tooling = (spec: string): boolean => {
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec)?.[0].toLowerCase();
    return name === 'pip' || (upgrade && (name === 'setuptools' || name === 'wheel'));
  };
  result.packages.push(...packages.filter((spec) => !tooling(spec)));
  return true;
}

function noteOption(name: string, value: string | undefined, result: PipInstall): void {
  switch (name) {
    case '-r':
    case '--requirement':
      result.warnings.push(
        `pip install -r ${value ?? ''}: requirement files are not read; add its lines with --requirements`,
      );
      break;
    case '-e':
    case '--editable':
      result.warnings.push(`pip install -e ${value ?? ''}: editable installs are not supported and were left out`);
      break;
    case '-c':
    case '--constraint':
      result.warnings.push(`pip install -c ${value ?? ''}: constraint files are not read`);
      break;
    case '-i':
    case '--index-url':
    case '--extra-index-url':
    case '-f':
    case '--find-links':
      result.warnings.push(
        `pip install ${name} ${value ?? ''}: package indexes are not carried over; the default index is used`,
      );
      break;
    default:
      break;
  }
}

/**
 * Parse a shell command that installs Python packages with pip: `pip install`, `pip3 install`,
 * `python -m pip install`, `python3 -m pip install`, `{sys.executable} -m pip install` (for `%pip install x`
 * pass `pip install x`). Commands joined with `&&`, `||`, `;` or `|` are each looked at; the ones that are
 * not pip installs are returned in `otherCommands`. Undefined when no part of the command is a pip install.
 */
export function parsePipInstall(command: string): PipInstall | undefined {
  const tokens = tokenizeShell(command);
  const segments: ShellToken[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'op') segments.push([]);
    else segments[segments.length - 1]!.push(token);
  }
  const result: PipInstall = { packages: [], warnings: [], otherCommands: [] };
  let found = false;
  for (const segment of segments) {
    if (segment.length === 0) continue;
    if (parseInstallSegment(segment, result)) {
      found = true;
    } else {
      result.otherCommands.push(renderSegment(segment));
    }
  }
  return found ? result : undefined;
}

function renderSegment(segment: ShellToken[]): string {
  return segment
    .map((token) => {
      if (token.type === 'word') return token.raw;
      if (token.type === 'redirect') return `${token.fd ?? ''}${token.value}${token.target}`;
      return token.value;
    })
    .join(' ');
}
