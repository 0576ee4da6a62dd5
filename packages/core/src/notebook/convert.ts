import type { NotebookParameter } from '@kagg/plugin-api';
import { KaggError } from '../errors/index.js';
import {
  type ClassifiedLine,
  classifyCell,
  isPythonBodiedCellMagic,
  parsePipInstall,
  parseWritefileArgs,
  splitCellMagic,
  tokenizeShell,
} from './ipython.js';
import { type Cell, deployableCells, hasTag, type Notebook, PARAMETERS_TAG } from './model.js';
import { parseParameters } from './parameters.js';
import { logicalLines } from './python-scan.js';
import { pyString } from './python-string.js';
import { type ConvertedCell, checkCellsParse } from './syntax.js';

/** A notebook converted to the Python module the function runtime runs. */
export interface Conversion {
  /** The module text (`notebook.py`): a header line, then one marker line per kept cell and its code. */
  module: string;
  /** Files the notebook writes with `%%writefile`, to bundle next to the module (paths relative, `/`). */
  files: Array<{ path: string; content: string }>;
  /** pip requirement lines from `!pip install` / `%pip install`, sorted and de-duplicated. */
  requirements: string[];
  entry: 'process_request' | 'parameters';
  /** The first `parameters` cell's top-level `name = literal` assignments (empty when there is no such cell). */
  parameters: NotebookParameter[];
  /** Notes for the user: dropped magics, shell lines turned into calls. */
  warnings: string[];
}

/** Line magics with no effect outside an interactive session: dropped without a word. */
const SILENT_LINE_MAGICS = new Set([
  'matplotlib',
  'config',
  'load_ext',
  'reload_ext',
  'unload_ext',
  'autoreload',
  'aimport',
  'pylab',
  'precision',
  'history',
  'hist',
  'lsmagic',
  'magic',
  'xmode',
  'colors',
  'pinfo',
  'pinfo2',
  'psearch',
  'pdoc',
  'pdef',
  'psource',
  'pfile',
  'quickref',
  'doctest_mode',
  'automagic',
  'autocall',
  'autosave',
  'pprint',
  'page',
  'pwd',
  'notebook',
  'qtconsole',
  'connect_info',
]);

/** Line magics for an interactive session (debuggers, dashboards, namespace listings): dropped with a warning. */
const INTERACTIVE_LINE_MAGICS = new Set(['tensorboard', 'debug', 'pdb', 'who', 'whos', 'who_ls', 'tb']);

/** IPython's aliases of cell magics, handled as what they alias. */
const CELL_MAGIC_ALIASES: Record<string, string> = { file: 'writefile' };

/** Cell magics whose output is only displayed. */
const DISPLAY_CELL_MAGICS = new Set(['html', 'javascript', 'js', 'latex', 'markdown', 'svg']);

const SYSTEM_PACKAGE_COMMANDS = new Set(['apt-get', 'apt', 'sudo', 'yum', 'dnf', 'apk', 'aptitude']);
const CONDA_COMMANDS = new Set(['conda', 'mamba', 'micromamba']);

const SUBPROCESS = "__import__('subprocess')";
const OS = "__import__('os')";

interface CellContext {
  notebook: Notebook;
  cell: Cell;
  requirements: string[];
  warnings: string[];
  files: Map<string, string>;
}

function where(ctx: CellContext, line: number): string {
  return `cell ${ctx.cell.index} (id ${ctx.cell.id}), line ${line}`;
}

function warn(ctx: CellContext, line: number, message: string): void {
  ctx.warnings.push(`cell ${ctx.cell.index}, line ${line}: ${message}`);
}

function unsupported(ctx: CellContext, line: number, text: string, reason: string): KaggError {
  return new KaggError(`${ctx.notebook.source}: ${where(ctx, line)}: ${reason}: \`${text.trim()}\``, {
    code: 'NOTEBOOK_UNSUPPORTED_SYNTAX',
    action: 'rewrite the line as plain Python, or tag the cell `skip-deploy` to leave it out of the function',
    details: { source: ctx.notebook.source, cell: ctx.cell.index, cellId: ctx.cell.id, line, text: text.trim() },
  });
}

/** What a removed statement leaves: `pass` inside a block (so the block stays valid), blank at top level. */
function removed(indent: string): string {
  return indent === '' ? '' : `${indent}pass`;
}

// ---------------------------------------------------------------------------------------------
// Shell commands

/** The first word of each `&&`/`;`/`|` segment of a command, skipping `VAR=value` prefixes. */
function commandWords(command: string): string[] {
  const words: string[] = [];
  let expectCommand = true;
  for (const token of tokenizeShell(command)) {
    if (token.type === 'op') {
      expectCommand = true;
      continue;
    }
    if (token.type !== 'word' || !expectCommand) continue;
    if (/^[A-Za-z_]\w*=/.test(token.value)) continue;
    words.push(token.value.replace(/^.*\//, ''));
    expectCommand = false;
  }
  return words;
}

function isPipCommand(command: string): boolean {
  const tokens = tokenizeShell(command).filter((token) => token.type === 'word');
  const first = tokens[0]?.value ?? '';
  if (/^(?:.*\/)?pip[\d.]*$/.test(first)) return true;
  return (
    (/^(?:.*\/)?python[\d.]*$/.test(first) || /^\{\s*sys\.executable\s*\}$/.test(first)) &&
    tokens.some((token, k) => token.value === '-m' && tokens[k + 1]?.value === 'pip')
  );
}

/** Refuse commands that need the machine's package manager. */
function checkSystemCommand(ctx: CellContext, line: ClassifiedLine, command: string): void {
  for (const word of commandWords(command)) {
    if (SYSTEM_PACKAGE_COMMANDS.has(word)) {
      throw unsupported(
        ctx,
        line.line,
        line.text,
        `\`${word}\` installs system packages, which cannot be installed in a function (only pip requirements are)`,
      );
    }
    if (CONDA_COMMANDS.has(word)) {
      throw unsupported(ctx, line.line, line.text, `\`${word}\` is not available in a function; use \`%pip install\``);
    }
  }
}

function recordPackages(ctx: CellContext, line: number, packages: string[], warnings: string[]): void {
  ctx.requirements.push(...packages);
  for (const message of warnings) warn(ctx, line, message);
}

/**
 * A `!cmd` line: pip installs become requirements; the rest runs with subprocess. Returns the Python
 * statement (without indent) or undefined when nothing is left to run.
 */
function convertShell(ctx: CellContext, line: ClassifiedLine, command: string): string | undefined {
  checkSystemCommand(ctx, line, command);
  const pip = parsePipInstall(command);
  let rest = command;
  if (pip) {
    recordPackages(ctx, line.line, pip.packages, pip.warnings);
    if (pip.otherCommands.length === 0) return undefined;
    rest = pip.otherCommands.join(' && ');
  } else if (isPipCommand(command)) {
    warn(ctx, line.line, `\`!${command}\` only affects the notebook's own environment and was dropped`);
    return undefined;
  }
  warn(ctx, line.line, `shell command \`${rest}\` runs with subprocess.run in the function`);
  if (/\{[^}]*\}|\$[A-Za-z_]/.test(rest)) {
    warn(
      ctx,
      line.line,
      `IPython expands {…} and $name in \`${rest}\`; the function passes them to the shell as written`,
    );
  }
  return `${SUBPROCESS}.run(${pyString(rest)}, shell=True, check=True)`;
}

// ---------------------------------------------------------------------------------------------
// Line magics

/** `%prun [-l limit] [-r] [-s key] [-T file] [-D file] [-q] statement` → the statement. */
function stripPrunOptions(args: string): string {
  let rest = args.trim();
  for (;;) {
    const option = /^(?:-[lsTD]\s*\S+|-[rq]+)(?:\s+|$)/.exec(rest);
    if (!option) return rest;
    rest = rest.slice(option[0].length);
  }
}

function stripTimeitOptions(args: string): string {
  let rest = args.trim();
  for (;;) {
    const option = /^(?:-[nrp]\s*\d+(?:\.\d+)?|-[tcqo]+)(?:\s+|$)/.exec(rest);
    if (!option) return rest;
    rest = rest.slice(option[0].length);
  }
}

function envAssignment(args: string): { name: string; value: string } | undefined {
  const match = /^([A-Za-z_]\w*)\s*(?:=\s*|\s+)(.*)$/s.exec(args.trim());
  if (!match) return undefined;
  return { name: match[1]!, value: match[2]!.trim() };
}

/** A line magic. Returns the Python statement (without indent) or undefined when the line is dropped. */
function convertLineMagic(ctx: CellContext, line: ClassifiedLine): string | undefined {
  const name = line.magic ?? '';
  const args = line.args ?? '';
  if (SILENT_LINE_MAGICS.has(name)) return undefined;
  if (INTERACTIVE_LINE_MAGICS.has(name)) {
    warn(ctx, line.line, `%${name} is for an interactive session; it was dropped from the function`);
    return undefined;
  }
  switch (name) {
    case 'pip': {
      const pip = parsePipInstall(`pip ${args}`);
      if (!pip) {
        warn(ctx, line.line, `\`%pip ${args}\` only affects the notebook's own environment and was dropped`);
        return undefined;
      }
      recordPackages(ctx, line.line, pip.packages, pip.warnings);
      if (pip.otherCommands.length > 0) {
        warn(ctx, line.line, `\`${pip.otherCommands.join(' ')}\` after %pip is not run in the function`);
      }
      return undefined;
    }
    case 'time':
    case 'timeit':
    case 'prun': {
      const strip = { time: (a: string) => a.trim(), timeit: stripTimeitOptions, prun: stripPrunOptions }[name];
      const statement = strip(args);
      return statement === '' ? undefined : statement;
    }
    case 'cd': {
      const words = tokenizeShell(args)
        .filter((token) => token.type === 'word')
        .map((token) => token.value)
        .filter((word) => word !== '-q');
      const target = words.join(' ');
      if (target === '-' || target.startsWith('-b') || target.startsWith('--')) {
        throw unsupported(ctx, line.line, line.text, '%cd history and bookmarks have no equivalent in a function');
      }
      warn(ctx, line.line, `%cd ${target} becomes os.chdir in the function (relative to the bundle root)`);
      const path = target === '' ? '~' : target;
      const literal = pyString(path);
      return path.startsWith('~') ? `${OS}.chdir(${OS}.path.expanduser(${literal}))` : `${OS}.chdir(${literal})`;
    }
    case 'env': {
      const assignment = envAssignment(args);
      if (!assignment || (assignment.value === '' && !/[=]/.test(args))) return undefined; // display only
      return `${OS}.environ[${pyString(assignment.name)}] = ${pyString(assignment.value)}`;
    }
    case 'set_env': {
      const assignment = envAssignment(args);
      if (!assignment) throw unsupported(ctx, line.line, line.text, '%set_env needs NAME=value');
      return `${OS}.environ[${pyString(assignment.name)}] = ${pyString(assignment.value)}`;
    }
    default:
      if (name.startsWith('%')) {
        throw unsupported(ctx, line.line, line.text, `the cell magic %${name} must be on the first line of its cell`);
      }
      throw unsupported(ctx, line.line, line.text, `the IPython magic %${name} has no equivalent outside IPython`);
  }
}

/** `x = %magic args`. Returns the right-hand side. */
function convertMagicValue(ctx: CellContext, line: ClassifiedLine): string {
  const name = line.magic ?? '';
  const args = (line.args ?? '').trim();
  switch (name) {
    case 'time':
      if (args !== '') return args;
      break;
    case 'pwd':
      return `${OS}.getcwd()`;
    case 'env':
      if (/^[A-Za-z_]\w*$/.test(args)) return `${OS}.environ[${pyString(args)}]`;
      if (args === '') return `dict(${OS}.environ)`;
      break;
    default:
      break;
  }
  throw unsupported(ctx, line.line, line.text, `\`= %${name}\` has no equivalent outside IPython`);
}

// ---------------------------------------------------------------------------------------------
// Cells

/** Convert the lines of Python-ish code (a plain cell, or the body of a Python-bodied cell magic). */
function convertLines(ctx: CellContext, lines: ClassifiedLine[]): string[] {
  checkGetIpython(ctx, lines);
  const out: string[] = [];
  for (const line of lines) {
    if (line.kind === 'python') {
      out.push(line.text);
      continue;
    }
    if (line.continuation) {
      out.push('');
      continue;
    }
    out.push(convertIPythonLine(ctx, line));
  }
  return out;
}

function convertIPythonLine(ctx: CellContext, line: ClassifiedLine): string {
  const indent = line.indent;
  switch (line.kind) {
    case 'help':
      return removed(indent);
    case 'line-magic': {
      const statement = convertLineMagic(ctx, line);
      return statement === undefined ? removed(indent) : `${indent}${statement}`;
    }
    case 'magic-assign':
      return `${indent}${line.target} = ${convertMagicValue(ctx, line)}`;
    case 'shell': {
      const statement = convertShell(ctx, line, line.command ?? '');
      return statement === undefined ? removed(indent) : `${indent}${statement}`;
    }
    case 'shell-assign': {
      const command = line.command ?? '';
      checkSystemCommand(ctx, line, command);
      warn(ctx, line.line, `shell command \`${command}\` runs with subprocess.run in the function`);
      return `${indent}${line.target} = ${SUBPROCESS}.run(${pyString(command)}, shell=True, check=True, capture_output=True, text=True).stdout.splitlines()`;
    }
    default:
      throw unsupported(ctx, line.line, line.text, 'unsupported IPython syntax');
  }
}

function checkGetIpython(ctx: CellContext, lines: ClassifiedLine[]): void {
  const python = lines.map((line) => (line.kind === 'python' ? line.text : ''));
  for (const logical of logicalLines(python.join('\n'))) {
    const codeLines = logical.code.split('\n');
    const hit = codeLines.findIndex((code) => /\bget_ipython\s*\(/.test(code));
    if (hit >= 0) {
      const line = lines[logical.start + hit]!;
      throw unsupported(ctx, line.line, line.text, 'get_ipython() is not available outside IPython');
    }
  }
}

function bundlePath(ctx: CellContext, line: number, path: string, text: string): string {
  let relative = path.replace(/\\/g, '/');
  if (relative.startsWith('/kaggle/working/')) relative = relative.slice('/kaggle/working/'.length);
  if (relative.startsWith('/')) {
    throw unsupported(ctx, line, text, `%%writefile to the absolute path ${path}; write it to a relative path`);
  }
  const parts: string[] = [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw unsupported(ctx, line, text, `%%writefile outside the notebook folder (${path})`);
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  if (parts.length === 0) throw unsupported(ctx, line, text, '%%writefile needs a file name');
  return parts.join('/');
}

/** Shell lines joined at trailing `\`, with their 1-based line numbers. */
function shellLines(body: string, firstLine: number): Array<{ line: number; text: string; count: number }> {
  const raw = body.split(/\r\n|\r|\n/);
  const out: Array<{ line: number; text: string; count: number }> = [];
  for (let i = 0; i < raw.length; ) {
    const start = i;
    let text = raw[i]!;
    while (/\\$/.test(text) && i + 1 < raw.length) {
      i++;
      text = `${text.slice(0, -1)} ${raw[i]!.trim()}`;
    }
    i++;
    out.push({ line: firstLine + start, text, count: i - start });
  }
  return out;
}

/** Convert one kept code cell. Returns its lines, or undefined when the whole cell is dropped. */
function convertCell(ctx: CellContext): string[] | undefined {
  const magic = splitCellMagic(ctx.cell.source);
  if (!magic) return convertLines(ctx, classifyCell(ctx.cell.source).lines);

  const sourceLines = ctx.cell.source.split(/\r\n|\r|\n/);
  const head = sourceLines.slice(0, magic.magicLine).map(() => '');
  const magicText = sourceLines[magic.magicLine - 1]!;
  const name = CELL_MAGIC_ALIASES[magic.name] ?? magic.name;

  if (isPythonBodiedCellMagic(name)) {
    const body = classifyCell(ctx.cell.source).lines.filter((line) => line.line >= magic.bodyStartLine);
    if (name === 'timeit') {
      const setup = stripTimeitOptions(magic.args);
      if (setup !== '') head[head.length - 1] = setup;
    }
    if (name === 'capture') {
      const target = tokenizeShell(magic.args).find((token) => token.type === 'word' && !token.value.startsWith('-'));
      if (target && target.type === 'word') {
        warn(ctx, magic.magicLine, `%%capture ${target.value}: the captured output is not available in the function`);
      }
    }
    return [...head, ...convertLines(ctx, body)];
  }

  if (name === 'writefile') {
    const spec = parseWritefileArgs(magic.args);
    if (!spec) throw unsupported(ctx, magic.magicLine, magicText, `%%${magic.name} needs a file name`);
    const path = bundlePath(ctx, magic.magicLine, spec.path, magicText);
    const content = magic.body.endsWith('\n') || magic.body === '' ? magic.body : `${magic.body}\n`;
    const previous = ctx.files.get(path);
    ctx.files.set(path, spec.append && previous !== undefined ? previous + content : content);
    return undefined;
  }

  if (DISPLAY_CELL_MAGICS.has(name)) {
    warn(ctx, magic.magicLine, `%%${name} only displays output; the cell is left out of the function`);
    return undefined;
  }

  const script = name === 'script' ? /^(?:\S*\/)?(bash|sh)$/.exec(magic.args.trim().split(/\s+/)[0] ?? '') : null;
  if (name === 'bash' || name === 'sh' || script) {
    const shell = script ? script[1]! : name;
    const kept: string[] = [];
    for (const entry of shellLines(magic.body, magic.bodyStartLine)) {
      const line: ClassifiedLine = { line: entry.line, text: entry.text, kind: 'shell', indent: '' };
      checkSystemCommand(ctx, line, entry.text);
      const pip = parsePipInstall(entry.text);
      if (pip) {
        recordPackages(ctx, entry.line, pip.packages, pip.warnings);
        if (pip.otherCommands.length > 0) kept.push(pip.otherCommands.join(' && '));
      } else {
        kept.push(entry.text);
      }
    }
    const script_ = kept.join('\n').trim();
    const blanks = sourceLines.slice(magic.magicLine).map(() => '');
    if (script_ === '' || kept.every((text) => text.trim() === '' || text.trim().startsWith('#'))) {
      return [...head, ...blanks];
    }
    warn(ctx, magic.magicLine, `%%${name}${script ? ` ${shell}` : ''} cell runs with subprocess.run in the function`);
    const executable = shell === 'bash' ? ", executable='/bin/bash'" : '';
    head[head.length - 1] = `${SUBPROCESS}.run(${pyString(`${script_}\n`)}, shell=True, check=True${executable})`;
    return [...head, ...blanks];
  }

  throw unsupported(
    ctx,
    magic.magicLine,
    magicText,
    `the IPython cell magic %%${name} has no equivalent outside IPython`,
  );
}

// ---------------------------------------------------------------------------------------------
// Entry point

/** `def process_request(` / `async def`, `process_request = ...`, or `from x import process_request`, at top level. */
const PROCESS_REQUEST =
  /^(?:(?:async[ \t]+)?def[ \t]+process_request[ \t]*\(|process_request[ \t]*(?::[^=\n]*)?=(?!=)|from[ \t]+\S+[ \t]+import[ \t(]+(?:[^#\n]*[ \t,(])?process_request\b(?![ \t]+as\b))/m;

function definesProcessRequest(text: string): boolean {
  return logicalLines(text).some((logical) => PROCESS_REQUEST.test(logical.code));
}

function noEntryPoint(source: string): KaggError {
  return new KaggError(
    [
      `${source} has no entry point: kagg needs one of these to turn it into a function.`,
      '',
      '1. Define process_request: it gets the request body (parsed JSON) and returns a JSON-serialisable value:',
      '',
      '     def process_request(payload):',
      '         return {"sum": payload["a"] + payload["b"]}',
      '',
      "2. Or tag a cell `parameters` (papermill's convention) holding `name = default` assignments, and set",
      '   `result` in a later cell; the request body overrides the parameters and the answer is `result`:',
      '',
      '     # cell tagged "parameters"',
      '     a = 1',
      '     b = 2',
      '     # a later cell',
      '     result = {"sum": a + b}',
    ].join('\n'),
    {
      code: 'NOTEBOOK_NO_ENTRY_POINT',
      action: 'define `def process_request(payload):` or tag a cell `parameters`',
      details: { source },
    },
  );
}

function checkLanguage(notebook: Notebook): void {
  const metadata = notebook.document.metadata;
  const kernelspec = metadata['kernelspec'] as { language?: unknown } | undefined;
  const languageInfo = metadata['language_info'] as { name?: unknown } | undefined;
  const language = languageInfo?.name ?? kernelspec?.language;
  if (typeof language === 'string' && language.toLowerCase() !== 'python') {
    throw new KaggError(`${notebook.source} is a ${language} notebook; kagg turns Python notebooks into functions`, {
      code: 'NOTEBOOK_UNSUPPORTED_LANGUAGE',
      details: { source: notebook.source, language },
    });
  }
}

/** Convert a notebook into the module the function runtime runs, plus its bundled files and requirements. */
export function convertNotebook(notebook: Notebook): Conversion {
  checkLanguage(notebook);
  const requirements: string[] = [];
  const warnings: string[] = [];
  const files = new Map<string, string>();
  const out: string[] = [`# kagg notebook module generated from ${sourceLabel(notebook.source)} — do not edit`];

  let parametersCell: { cell: Cell; text: string } | undefined;
  let hasProcessRequest = false;
  const converted: ConvertedCell[] = [];

  for (const cell of deployableCells(notebook)) {
    const ctx: CellContext = { notebook, cell, requirements, warnings, files };
    const lines = convertCell(ctx);
    if (lines === undefined) continue;
    const text = lines.join('\n');
    converted.push({ index: cell.index, id: cell.id, text });
    const isParameters = parametersCell === undefined && hasTag(cell, PARAMETERS_TAG);
    if (isParameters) parametersCell = { cell, text };
    out.push(isParameters ? `# %% [kagg cell ${cell.index} parameters]` : `# %% [kagg cell ${cell.index}]`);
    out.push(text);
    if (definesProcessRequest(text)) hasProcessRequest = true;
  }

  const unchecked = checkCellsParse(notebook.source, converted);
  if (unchecked) warnings.push(unchecked);

  let entry: Conversion['entry'];
  if (hasProcessRequest) entry = 'process_request';
  else if (parametersCell) entry = 'parameters';
  else throw noEntryPoint(notebook.source);

  return {
    module: `${out.join('\n')}\n`,
    files: [...files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, content]) => ({ path, content })),
    requirements: sortRequirements(requirements),
    entry,
    parameters: parametersCell ? parseParameters(parametersCell.text) : [],
    warnings,
  };
}

function sortRequirements(requirements: string[]): string[] {
  const unique = [...new Set(requirements.map((requirement) => requirement.trim()).filter((r) => r !== ''))];
  return unique.sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    if (x !== y) return x < y ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The file name of a path or URL: the module (and so the bundle hash) must not depend on where the notebook sits. */
function sourceLabel(source: string): string {
  const last = source.split(/[?#]/)[0]!.split(/[\\/]/).filter(Boolean).pop() ?? source;
  return last.replace(/[\r\n]+/g, ' ');
}
