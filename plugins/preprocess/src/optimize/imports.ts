/**
 * `kagg preprocess --optimize`: the imports of a notebook's cells that are unused, duplicated across
 * cells, shadowed by a later binding, or star imports, each with cell and line; with `fix`, the unused
 * and duplicate ones are removed where that cannot change what the notebook does.
 *
 * Cells are parsed as the requirements are: IPython lines masked (core's classifier), then
 * @lezer/python. A name counts as used when it is read anywhere in the notebook (any cell, before or
 * after the import: cells run out of order), in a magic or shell line, or as a dotted name inside a
 * string. Only top-level imports are looked at; imports under `try`, `if` or in functions are left alone.
 */

import { classifyCell, isPythonBodiedCellMagic, maskIPython, splitCellMagic } from '@kagg/core/notebook';
import type { NotebookDocument } from '@kagg/plugin-api';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { LineStarts, sourceOf, tagsOf } from '../cells/cells.js';
import { DEFAULT_PYTHON } from '../requirements/stdlib.js';
import { importSideEffect } from './side-effects.js';

export type ImportIssueKind = 'unused' | 'duplicate' | 'shadowed' | 'star';

export interface ImportIssue {
  kind: ImportIssueKind;
  cell: number;
  line: number;
  /** The name the import binds (`np`), or the module of a star import. */
  name: string;
  /** The import statement, as written. */
  statement: string;
  message: string;
  /** Whether `fix` removed it. */
  fixed: boolean;
  /** For an unused or duplicate import that `fix` keeps: why. */
  kept?: string;
}

export interface OptimizeOptions {
  /** Remove the unused and duplicate imports that are safe to remove. */
  fix?: boolean;
  /** Target Python, for what its standard library is. */
  python?: string;
  /** Cells with these tags do not run when deployed: an import there does not make a later one a duplicate. */
  skipTags?: string[];
}

export interface OptimizeResult {
  issues: ImportIssue[];
  /** How many imports were removed. */
  fixed: number;
  /** The notebook with the fixes, when `fix` changed something. */
  notebook?: NotebookDocument;
}

interface Binding {
  /** `import numpy as np` → name np, text `numpy as np`, key `numpy|np`. */
  name: string;
  text: string;
  key: string;
  module: string;
  /** What the name is bound to: `import os.path` and `import os` both bind os to the module os. */
  target: string;
}

interface ImportSite {
  cell: number;
  line: number;
  /** Offsets in the masked cell code. */
  from: number;
  to: number;
  statement: string;
  /** `from x import ...` prefix (`from ..pkg`), or undefined for `import ...`. */
  fromPrefix?: string;
  bindings: Binding[];
  star: boolean;
  module: string;
}

/** A place a name is bound at module level, other than by a top-level import. */
interface Rebinding {
  cell: number;
  /** Offset in the masked cell code. */
  offset: number;
  line: number;
  name: string;
  /** For a binding by another top-level import: what it binds (the same object again is no rebinding). */
  target?: string;
}

interface CellFacts {
  code: string;
  imports: ImportSite[];
  /** Why nothing in this cell may be removed, if so. */
  frozen?: string;
  skipped: boolean;
}

const DYNAMIC_ACCESS = /^(?:exec|eval|globals|locals|vars|__import__|get_ipython\(\)\.\w+|get_ipython)$/;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
const NOQA = /#\s*noqa\b/i;

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

class CellWalker {
  readonly imports: ImportSite[] = [];
  readonly rebindings: Rebinding[] = [];
  dynamic = false;
  broken = false;
  private readonly lines: LineStarts;

  constructor(
    private readonly code: string,
    private readonly cell: number,
    private readonly uses: Set<string>,
    /** Attribute names read (`x.datasets`): a submodule an import loads may be reached that way. */
    private readonly attributes: Set<string>,
  ) {
    this.lines = new LineStarts(code);
  }

  text(node: SyntaxNode): string {
    return this.code.slice(node.from, node.to);
  }

  line(offset: number): number {
    return this.lines.line(offset);
  }

  run(): void {
    const tree = parser.parse(this.code);
    tree.iterate({
      enter: (ref) => {
        if (ref.type.isError) this.broken = true;
      },
    });
    this.statements(tree.topNode, true);
  }

  /** Statements of a block at module scope; `top` when not nested in a compound statement. */
  private statements(block: SyntaxNode, top: boolean): void {
    for (const node of children(block)) {
      if (node.name === 'StatementGroup') this.statements(node, top);
      else this.statement(node, top);
    }
  }

  private statement(node: SyntaxNode, top: boolean): void {
    switch (node.name) {
      case 'ImportStatement':
        this.importStatement(node, top);
        return;
      case 'AssignStatement': {
        const parts = children(node);
        const lastOp = parts.map((part) => part.name).lastIndexOf('AssignOp');
        for (const part of parts.slice(0, Math.max(lastOp, 0))) this.bindTargets(part);
        for (const part of parts.slice(lastOp + 1)) this.expression(part);
        for (const part of parts.slice(0, Math.max(lastOp, 0))) if (part.name !== 'VariableName') this.expression(part);
        return;
      }
      case 'FunctionDefinition':
      case 'ClassDefinition': {
        const name = children(node).find((child) => child.name === 'VariableName');
        if (name) this.rebind(name);
        this.expression(node, name);
        return;
      }
      case 'ForStatement':
      case 'WithStatement':
      case 'TryStatement':
      case 'IfStatement':
      case 'WhileStatement': {
        // Targets (`for x, y in`, `with ... as x`, `except E as x`) bind; bodies are module scope.
        let target: 'for' | 'as' | undefined;
        for (const part of children(node)) {
          if (part.name === 'Body') this.statements(part, false);
          else if (part.name === 'for' || part.name === 'as') target = part.name;
          else if (part.name === 'in') target = undefined;
          else if (target && part.name !== ',') {
            this.bindTargets(part);
            if (target === 'as') target = undefined;
          } else this.expression(part);
        }
        return;
      }
      case 'DecoratedStatement':
        for (const part of children(node)) {
          if (part.name === 'FunctionDefinition' || part.name === 'ClassDefinition') this.statement(part, top);
          else this.expression(part);
        }
        return;
      default:
        this.expression(node);
    }
  }

  private bindTargets(node: SyntaxNode): void {
    if (node.name === 'VariableName') {
      this.rebind(node);
      return;
    }
    if (node.name === 'TupleExpression' || node.name === 'ArrayExpression' || node.name === 'ParenthesizedExpression') {
      for (const child of children(node)) this.bindTargets(child);
    }
  }

  private rebind(node: SyntaxNode): void {
    this.rebindings.push({ cell: this.cell, offset: node.from, line: this.line(node.from), name: this.text(node) });
  }

  /**
   * Every name read in an expression or a nested scope (a function or class: what it binds is not
   * module level, and its imports are its own); dotted names in strings count as reads too.
   */
  private expression(node: SyntaxNode, skip?: SyntaxNode): void {
    if (node.name === 'ImportStatement') return;
    if (node.name === 'VariableName') {
      this.uses.add(this.text(node));
      return;
    }
    if (node.name === 'PropertyName') {
      this.attributes.add(this.text(node));
      return;
    }
    if (node.name === 'String') {
      const text = this.text(node);
      for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\./g)) this.uses.add(m[1]!);
      for (const m of text.matchAll(/\.\s*([A-Za-z_]\w*)/g)) this.attributes.add(m[1]!);
      const whole = /^[rRbBuU]{0,2}(['"])([A-Za-z_]\w*)\1$/.exec(text);
      if (whole) this.uses.add(whole[2]!);
      return;
    }
    if (node.name === 'CallExpression') {
      const callee = node.firstChild;
      if (callee && DYNAMIC_ACCESS.test(this.text(callee).replace(/\s+/g, ''))) this.dynamic = true;
    }
    for (const child of children(node)) {
      if (!skip || child.from !== skip.from || child.name !== skip.name) this.expression(child);
    }
  }

  private importStatement(node: SyntaxNode, top: boolean): void {
    const parts = children(node);
    const line = this.line(node.from);
    const bindings: Binding[] = [];
    let star = false;
    let module = '';
    let fromPrefix: string | undefined;
    if (parts[0]?.name === 'from') {
      const importAt = parts.findIndex((part) => part.name === 'import');
      fromPrefix = this.code.slice(node.from, parts[importAt]!.from).trim();
      module = fromPrefix.replace(/^from\s+/, '').replace(/\s+/g, '');
      const names = parts.slice(importAt + 1);
      star = names.some((part) => part.name === '*');
      for (let k = 0; k < names.length; k++) {
        const part = names[k]!;
        if (part.name !== 'VariableName') continue;
        const alias = names[k + 1]?.name === 'as' ? names[k + 2] : undefined;
        const name = this.text(alias ?? part);
        const key = `${module}.${this.text(part)}`;
        bindings.push({
          name,
          text: alias ? `${this.text(part)} as ${name}` : name,
          key: `${key}|${name}`,
          module: module.startsWith('.') ? module : key,
          target: key,
        });
        if (alias) k += 2;
      }
    } else {
      let dotted: string[] = [];
      let alias: string | undefined;
      const flush = (): void => {
        if (dotted.length === 0) return;
        const full = dotted.join('.');
        const name = alias ?? dotted[0]!;
        const target = alias ? full : dotted[0]!;
        bindings.push({
          name,
          text: alias ? `${full} as ${alias}` : full,
          key: `${full}|${name}`,
          module: full,
          target,
        });
        dotted = [];
        alias = undefined;
      };
      for (let k = 1; k < parts.length; k++) {
        const part = parts[k]!;
        if (part.name === ',') flush();
        else if (part.name === 'as') alias = this.text(parts[++k]!);
        else if (part.name === 'VariableName') dotted.push(this.text(part));
      }
      flush();
      module = bindings[0]?.module ?? '';
    }
    if (!top && !star) {
      // An import under `if`/`try` at module level binds its names there: a rebinding.
      for (const { name, target } of bindings)
        this.rebindings.push({ cell: this.cell, offset: node.from, line, name, target });
      return;
    }
    this.imports.push({
      cell: this.cell,
      line,
      from: node.from,
      to: node.to,
      statement: this.text(node).replace(/\s*\n\s*/g, ' '),
      ...(fromPrefix ? { fromPrefix } : {}),
      bindings,
      star,
      module,
    });
  }
}

/** Identifiers of text that is not parsed as Python (magic and shell lines, other cell magics). */
function addWords(text: string, ...into: Set<string>[]): void {
  for (const m of text.matchAll(IDENTIFIER)) for (const set of into) set.add(m[0]);
}

/** Document order of a place in a cell. */
const position = (a: { cell: number; offset: number }): number => a.cell * 1e9 + a.offset;

/** Finds the import issues of a notebook and, with `fix`, removes the unused and duplicate imports it safely can. */
export function optimizeImports(document: NotebookDocument, options: OptimizeOptions = {}): OptimizeResult {
  const python = options.python ?? DEFAULT_PYTHON;
  const skipTags = options.skipTags ?? ['skip-deploy'];
  const cells = Array.isArray(document.cells) ? document.cells : [];
  const uses = new Set<string>();
  const attributes = new Set<string>();
  const facts = new Map<number, CellFacts>();
  const rebindings: Rebinding[] = [];

  cells.forEach((cell, index) => {
    if (cell['cell_type'] !== 'code') return;
    const source = sourceOf(cell);
    if (source.trim() === '') return;
    const magic = splitCellMagic(source);
    if (magic && !isPythonBodiedCellMagic(magic.name)) {
      addWords(magic.body, uses, attributes);
      return;
    }
    for (const line of classifyCell(source).lines) if (line.kind !== 'python') addWords(line.text, uses, attributes);
    const code = maskIPython(source);
    const walker = new CellWalker(code, index, uses, attributes);
    walker.run();
    rebindings.push(...walker.rebindings);
    const frozen = walker.broken
      ? `cell ${index} does not parse as Python, so its imports are left alone`
      : walker.dynamic
        ? `cell ${index} uses exec, eval, globals() or similar, which can read any name`
        : /\r/.test(source)
          ? `cell ${index} has CR line ends`
          : undefined;
    if (walker.broken) addWords(code, uses, attributes);
    const skipped = tagsOf(cell).some((tag) => skipTags.includes(tag));
    facts.set(index, { code, imports: walker.imports, skipped, ...(frozen ? { frozen } : {}) });
  });

  const issues: ImportIssue[] = [];
  const remove = new Map<ImportSite, Set<Binding>>();
  const all = [...facts.values()].flatMap((cell) => cell.imports);
  const offsetOf = (site: ImportSite) => ({ cell: site.cell, offset: site.from });
  for (const site of all) {
    for (const b of site.bindings)
      rebindings.push({ ...offsetOf(site), line: site.line, name: b.name, target: b.target });
  }
  rebindings.sort((a, b) => position(a) - position(b));
  /** The first binding of `binding`'s name after `after` (and before `before`) to something else. */
  const rebound = (binding: Binding, after: ImportSite, before?: ImportSite): Rebinding | undefined =>
    rebindings.find(
      (other) =>
        other.name === binding.name &&
        other.target !== binding.target &&
        position(other) > position(offsetOf(after)) &&
        (before === undefined || position(other) < position(offsetOf(before))),
    );
  const seen = new Map<string, ImportSite>();

  for (const site of all) {
    const cell = facts.get(site.cell)!;
    const noqa = NOQA.test(cell.code.split('\n')[site.line - 1] ?? '');
    if (site.star) {
      issues.push({
        kind: 'star',
        cell: site.cell,
        line: site.line,
        name: site.module,
        statement: site.statement,
        message: `star import from ${site.module}: the names it brings in cannot be checked; import them by name`,
        fixed: false,
      });
      continue;
    }
    for (const binding of site.bindings) {
      if (binding.module.startsWith('__future__.')) continue;
      const issue = (kind: ImportIssueKind, message: string, kept: string | undefined): void => {
        const fixable = options.fix === true && kept === undefined;
        if (fixable) {
          const set = remove.get(site) ?? new Set<Binding>();
          set.add(binding);
          remove.set(site, set);
        }
        issues.push({
          kind,
          cell: site.cell,
          line: site.line,
          name: binding.name,
          statement: site.statement,
          message,
          fixed: fixable,
          ...(kept === undefined ? {} : { kept }),
        });
      };
      const guard = noqa ? 'marked # noqa' : cell.frozen;
      const earlier = seen.get(binding.key);
      if (!uses.has(binding.name)) {
        // `from sklearn import datasets` loads sklearn.datasets, which `sklearn.datasets` may then reach.
        const submodule = binding.target
          .split('.')
          .slice(1)
          .find((part) => attributes.has(part));
        const reached = submodule
          ? `the import loads ${binding.target}, and .${submodule} is read as an attribute elsewhere`
          : undefined;
        issue(
          'unused',
          `${binding.name} is imported but never used`,
          guard ?? reached ?? importSideEffect(binding.module, python),
        );
      } else if (earlier && !rebound(binding, earlier, site)) {
        const earlierCell = facts.get(earlier.cell)!;
        issue(
          'duplicate',
          `${binding.name} is already imported in cell ${earlier.cell} line ${earlier.line}`,
          guard ??
            (earlierCell.skipped && !cell.skipped
              ? `the import in cell ${earlier.cell} is in a cell that is not deployed`
              : undefined),
        );
      }
      // Shadowing is reported once, on the last import of this kind before the rebinding.
      const later = rebound(binding, site);
      const again = (other: Rebinding) =>
        other.target === binding.target &&
        position(other) > position(offsetOf(site)) &&
        later &&
        position(other) < position(later);
      if (later && !rebindings.some(again)) {
        issues.push({
          kind: 'shadowed',
          cell: site.cell,
          line: site.line,
          name: binding.name,
          statement: site.statement,
          message: `${binding.name} is bound again in cell ${later.cell} line ${later.line}, shadowing this import`,
          fixed: false,
        });
      }
      if (!earlier || rebound(binding, earlier, site)) seen.set(binding.key, site);
    }
  }

  const fixed = [...remove.values()].reduce((sum, set) => sum + set.size, 0);
  if (fixed === 0) return { issues, fixed };
  const out = structuredClone(document);
  for (const [index, cell] of facts) {
    const sites = cell.imports.filter((site) => remove.has(site));
    if (sites.length === 0) continue;
    const target = out.cells[index]!;
    target['source'] = removeImports(sourceOf(target), cell.code, sites, remove);
  }
  return { issues, fixed, notebook: out };
}

/** The cell's source without the removed bindings; sites are edited from last to first. */
function removeImports(
  source: string,
  code: string,
  sites: ImportSite[],
  remove: Map<ImportSite, Set<Binding>>,
): string {
  // Masking keeps Python lines as they are, so offsets in the masked code are offsets in the
  // source for every line holding an import (the cell has no CR line ends: see `frozen`).
  const lines = source.split('\n');
  const starts = new LineStarts(code);
  const at = (offset: number): { line: number; column: number } => {
    const line = starts.line(offset);
    return { line: line - 1, column: offset - starts.start(line) };
  };
  for (const site of [...sites].sort((a, b) => b.from - a.from)) {
    const gone = remove.get(site)!;
    const kept = site.bindings.filter((binding) => !gone.has(binding));
    const start = at(site.from);
    const end = at(site.to);
    const head = lines[start.line]!.slice(0, start.column);
    const tail = lines[end.line]!.slice(end.column);
    if (kept.length > 0) {
      const statement = site.fromPrefix
        ? `${site.fromPrefix} import ${kept.map((b) => b.text).join(', ')}`
        : `import ${kept.map((b) => b.text).join(', ')}`;
      lines.splice(start.line, end.line - start.line + 1, `${head}${statement}${tail}`);
      continue;
    }
    const before = head.replace(/\s*;\s*$/, '');
    const after = tail.replace(/^\s*;\s*/, '');
    const separator = before.trim() === '' || after.trim() === '' ? '' : after.trim().startsWith('#') ? '  ' : '; ';
    const rest = `${before}${separator}${after}`;
    if (rest.trim() === '' || /^\s*#/.test(rest)) {
      lines.splice(start.line, end.line - start.line + 1);
      // An import removed from the top of the cell takes the blank lines after it along.
      if (lines.slice(0, start.line).every((text) => text.trim() === '')) {
        while (lines.length > 1 && lines[start.line]?.trim() === '') lines.splice(start.line, 1);
      }
    } else lines.splice(start.line, end.line - start.line + 1, before.trim() === '' ? `${before}${after}` : rest);
  }
  return lines.join('\n');
}
