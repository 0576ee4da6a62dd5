/**
 * Finds the imports of Python code with @lezer/python (pure JavaScript, error-recovering), after
 * IPython syntax has been masked line by line. Each import is classed as in reference §4.7:
 * required (module level, in functions, literal `importlib.import_module`/`__import__`), optional
 * (under `try/except ImportError`, `contextlib.suppress(ImportError)`, `if TYPE_CHECKING:`,
 * `if torch.cuda.is_available():` and similar), or unresolved (a computed module name, `exec`).
 * Shell commands in string literals (`os.system("pip install x")`, `subprocess.run([...])`) are
 * returned for pip parsing.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { LineStarts } from '../cells/cells.js';

export type ImportKind = 'required' | 'optional';

export interface ImportUse {
  /** Absolute dotted module (`sklearn.model_selection`); empty for `from . import x`. */
  module: string;
  /** Relative import level (number of leading dots); 0 for absolute imports. */
  level: number;
  /** Names of a from-import (`from google.cloud import bigquery` → ['bigquery']). */
  names: string[];
  /** 1-based line in the text given to `findImports` plus its offset. */
  line: number;
  kind: ImportKind;
  /** Why an import is optional (`try/except ImportError`, `if TYPE_CHECKING`). */
  reason?: string;
  /** Names the import binds (`import a.b` → a, `import a.b as c` → c, `from x import y as w` → w). */
  bound: string[];
}

export interface UnresolvedUse {
  line: number;
  /** The call, as written (`importlib.import_module(name)`). */
  text: string;
}

export interface CommandLiteral {
  line: number;
  command: string;
}

/** A folder the code puts on `sys.path` (`sys.path.append("../src")`, `site.addsitedir(...)`). */
export interface PathFolder {
  line: number;
  /** The folder when it is a literal (or `os.path.join` of literals); undefined when computed. */
  path?: string;
  /** The call, as written. */
  text: string;
}

export interface CodeImports {
  imports: ImportUse[];
  unresolved: UnresolvedUse[];
  commands: CommandLiteral[];
  pathFolders: PathFolder[];
  /** Names the code reads outside display calls (`display(...)`, `clear_output()`). */
  uses: Set<string>;
}

const IMPORT_ERRORS = /\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b/;
const OPTIONAL_CONDITION =
  /\bTYPE_CHECKING\b|\bis_available\s*\(|\bfind_spec\s*\(|\bsys\.platform\b|\bsys\.version_info\b|\bplatform\.system\s*\(|\bos\.name\b|\bsys\.modules\b/;
const SUPPRESS_IMPORT = /\bsuppress\s*\([^)]*\b(?:ImportError|ModuleNotFoundError|Exception)\b/;
const DYNAMIC_IMPORT = /^(?:importlib\.)?import_module$|^__import__$/;
const SYS_PATH_CALL = /^(?:sys\.path\.(?:append|insert|extend)|site\.addsitedir)$/;
/** Calls that only show something in a notebook front end: the names inside them are display uses. */
const DISPLAY_CALL = /^(?:(?:IPython\.(?:core\.)?display\.)?(?:display|clear_output|update_display)|display\.display)$/;
const SHELL_CALL =
  /^(?:os\.(?:system|popen)|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|get_ipython\(\)\.(?:system|getoutput))$/;

/** The value of a plain Python string literal; undefined for f-strings and anything else. */
export function stringLiteralValue(text: string): string | undefined {
  const m = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!m) return undefined;
  const raw = m[1]!.toLowerCase().includes('r');
  const body = m[3]!;
  return raw
    ? body
    : body
        .replace(/\\(["'\\])/g, '$1')
        .replace(/\\n/g, '\n')
        .replace(/\\t/g, '\t');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

class Walker {
  readonly result: CodeImports = { imports: [], unresolved: [], commands: [], pathFolders: [], uses: new Set() };
  private readonly lines: LineStarts;
  /** Inside the arguments of a display call: names read there are display uses. */
  private displayDepth = 0;

  constructor(
    private readonly code: string,
    private readonly lineOffset: number,
  ) {
    this.lines = new LineStarts(code);
  }

  private text(node: SyntaxNode): string {
    return this.code.slice(node.from, node.to);
  }

  private line(offset: number): number {
    return this.lines.line(offset) + this.lineOffset;
  }

  walk(node: SyntaxNode, reason: string | undefined): void {
    switch (node.name) {
      case 'ImportStatement':
        this.importStatement(node, reason);
        return;
      case 'TryStatement':
        this.tryStatement(node, reason);
        return;
      case 'IfStatement':
        this.ifStatement(node, reason);
        return;
      case 'WithStatement':
        this.withStatement(node, reason);
        return;
      case 'CallExpression':
        if (this.callExpression(node, reason)) {
          this.displayDepth++;
          for (let child = node.firstChild; child; child = child.nextSibling) this.walk(child, reason);
          this.displayDepth--;
          return;
        }
        break;
      case 'VariableName':
        if (this.displayDepth === 0) this.result.uses.add(this.text(node));
        return;
      default:
        break;
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.walk(child, reason);
  }

  private children(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
    return out;
  }

  private tryStatement(node: SyntaxNode, reason: string | undefined): void {
    const children = this.children(node);
    // Clauses: the try body, then `except [expr] Body`, `else Body`, `finally Body`.
    const handlers: Array<{ catches: boolean; body: SyntaxNode }> = [];
    let tryBody: SyntaxNode | undefined;
    let pending: { keyword: string; parts: string[] } | undefined;
    for (const child of children) {
      if (child.name === 'try') pending = { keyword: 'try', parts: [] };
      else if (child.name === 'except' || child.name === 'else' || child.name === 'finally') {
        pending = { keyword: child.name, parts: [] };
      } else if (child.name === 'Body' && pending) {
        if (pending.keyword === 'try') tryBody = child;
        else if (pending.keyword === 'except') {
          const clause = pending.parts.join(' ').trim();
          handlers.push({ catches: clause === '' || IMPORT_ERRORS.test(clause), body: child });
        } else handlers.push({ catches: false, body: child });
        pending = undefined;
      } else if (pending) pending.parts.push(this.text(child));
      else this.walk(child, reason);
    }
    const guarded = handlers.some((handler) => handler.catches);
    if (tryBody) this.walk(tryBody, guarded ? (reason ?? 'try/except ImportError') : reason);
    for (const handler of handlers) {
      this.walk(handler.body, handler.catches ? (reason ?? 'except ImportError fallback') : reason);
    }
  }

  private ifStatement(node: SyntaxNode, reason: string | undefined): void {
    const children = this.children(node);
    const conditions = children.filter(
      (child) => child.name !== 'Body' && !['if', 'elif', 'else'].includes(child.name),
    );
    const condition = conditions.map((child) => this.text(child)).find((text) => OPTIONAL_CONDITION.test(text));
    const inner = condition ? (reason ?? `if ${condition.trim().slice(0, 60)}`) : reason;
    for (const child of children) this.walk(child, child.name === 'Body' ? inner : reason);
  }

  private withStatement(node: SyntaxNode, reason: string | undefined): void {
    const children = this.children(node);
    const head = children
      .filter((child) => child.name !== 'Body')
      .map((child) => this.text(child))
      .join(' ');
    const inner = SUPPRESS_IMPORT.test(head) ? (reason ?? 'suppress(ImportError)') : reason;
    for (const child of children) this.walk(child, child.name === 'Body' ? inner : reason);
  }

  private push(use: Omit<ImportUse, 'kind' | 'reason'>, reason: string | undefined): void {
    this.result.imports.push({ ...use, kind: reason ? 'optional' : 'required', ...(reason ? { reason } : {}) });
  }

  private importStatement(node: SyntaxNode, reason: string | undefined): void {
    const children = this.children(node);
    const line = this.line(node.from);
    if (children[0]?.name === 'from') {
      let level = 0;
      const moduleParts: string[] = [];
      let k = 1;
      for (; k < children.length && children[k]!.name !== 'import'; k++) {
        const child = children[k]!;
        const text = this.text(child);
        if (child.name === 'VariableName') moduleParts.push(text);
        else if (/^\.+$/.test(text) && moduleParts.length === 0) level += text.length;
      }
      const names: string[] = [];
      const bound: string[] = [];
      let afterAs = false;
      for (k++; k < children.length; k++) {
        const child = children[k]!;
        if (child.name === 'as') afterAs = true;
        else if (child.name === 'VariableName') {
          if (afterAs) bound[bound.length - 1] = this.text(child);
          else {
            names.push(this.text(child));
            bound.push(this.text(child));
          }
          afterAs = false;
        }
      }
      this.push({ module: moduleParts.join('.'), level, names, line, bound }, reason);
      return;
    }
    let parts: string[] = [];
    let alias: string | undefined;
    let afterAs = false;
    const flush = (): void => {
      if (parts.length > 0) {
        this.push({ module: parts.join('.'), level: 0, names: [], line, bound: [alias ?? parts[0]!] }, reason);
      }
      parts = [];
      alias = undefined;
      afterAs = false;
    };
    for (const child of children.slice(1)) {
      if (child.name === ',') flush();
      else if (child.name === 'as') afterAs = true;
      else if (child.name === 'VariableName') {
        if (afterAs) alias = this.text(child);
        else parts.push(this.text(child));
      }
    }
    flush();
  }

  /** Looks at a call; true when it is a display call (the names inside it are display uses). */
  private callExpression(node: SyntaxNode, reason: string | undefined): boolean {
    const callee = node.firstChild;
    const args = node.lastChild;
    if (!callee || !args || args.name !== 'ArgList') return false;
    const name = this.text(callee).replace(/\s+/g, '');
    const line = this.line(node.from);
    const first = args.firstChild?.nextSibling;
    if (DISPLAY_CALL.test(name)) return true;
    if (SYS_PATH_CALL.test(name)) {
      const argument = name.endsWith('.insert') ? first?.nextSibling?.nextSibling : first;
      const folders = argument?.name === 'ArrayExpression' ? this.children(argument) : argument ? [argument] : [];
      for (const folder of folders) {
        if (['[', ']', ','].includes(folder.name)) continue;
        const path = this.pathOf(folder);
        this.result.pathFolders.push({ line, text: this.text(node).slice(0, 120), ...(path ? { path } : {}) });
      }
      return false;
    }
    if (DYNAMIC_IMPORT.test(name)) {
      const value = first && first.name === 'String' ? stringLiteralValue(this.text(first)) : undefined;
      if (value !== undefined && /^[A-Za-z_][\w.]*$/.test(value)) {
        this.push({ module: value, level: 0, names: [], line, bound: [] }, reason);
      } else {
        this.result.unresolved.push({ line, text: this.text(node).slice(0, 120) });
      }
      return false;
    }
    if (name === 'exec' || name === 'eval') {
      if (first && /\bimport\b/.test(this.text(first))) {
        this.result.unresolved.push({ line, text: this.text(node).slice(0, 120) });
      }
      return false;
    }
    if (SHELL_CALL.test(name) && first) {
      const command = this.commandOf(first);
      if (command) this.result.commands.push({ line, command });
    }
    return false;
  }

  /**
   * A folder expression's value: a string literal, `os.path.join`/`Path` of literals, or a literal
   * wrapped in `str`, `os.path.abspath`, `os.path.realpath`, `os.path.normpath`. Undefined otherwise.
   */
  private pathOf(node: SyntaxNode): string | undefined {
    if (node.name === 'String') return stringLiteralValue(this.text(node));
    if (node.name === 'BinaryExpression') {
      const [left, op, right] = this.children(node);
      if (!left || !right || op?.name !== 'ArithOp' || this.text(op) !== '/') return undefined;
      const a = this.pathOf(left);
      const b = this.pathOf(right);
      return a !== undefined && b !== undefined ? `${a.replace(/\/+$/, '')}/${b}` : undefined;
    }
    if (node.name !== 'CallExpression') return undefined;
    const callee = this.text(node.firstChild!).replace(/\s+/g, '');
    const args = this.children(node.lastChild!).filter((child) => !['(', ')', ','].includes(child.name));
    const values = args.map((arg) => this.pathOf(arg));
    if (values.some((value) => value === undefined) || values.length === 0) return undefined;
    if (/^(?:os\.path\.join|(?:pathlib\.)?(?:Pure)?Path)$/.test(callee)) {
      return (values as string[]).reduce((a, b) => (b.startsWith('/') ? b : `${a.replace(/\/+$/, '')}/${b}`));
    }
    if (/^(?:str|os\.path\.(?:abspath|realpath|normpath))$/.test(callee) && values.length === 1) return values[0];
    return undefined;
  }

  /** A string literal, or a list of string literals and `sys.executable`, as one shell command. */
  private commandOf(node: SyntaxNode): string | undefined {
    if (node.name === 'String') return stringLiteralValue(this.text(node));
    if (node.name !== 'ArrayExpression' && node.name !== 'TupleExpression') return undefined;
    const words: string[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (['[', ']', '(', ')', ','].includes(child.name)) continue;
      const text = this.text(child).replace(/\s+/g, '');
      if (child.name === 'String') {
        const value = stringLiteralValue(this.text(child));
        if (value === undefined) return undefined;
        words.push(shellQuote(value));
      } else if (text === 'sys.executable') words.push('python');
      else return undefined;
    }
    return words.join(' ');
  }
}

/** The imports, unresolved dynamic imports and shell command literals of Python code. */
export function findImports(code: string, lineOffset = 0): CodeImports {
  const tree = parser.parse(code);
  const walker = new Walker(code, lineOffset);
  walker.walk(tree.topNode, undefined);
  return walker.result;
}
