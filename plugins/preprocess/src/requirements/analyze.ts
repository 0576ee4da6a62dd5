/**
 * A notebook's requirements: IPython syntax masked line by line (core's classifier), every code cell
 * parsed with @lezer/python, imports classed as required, optional or unresolved, `pip install` in all
 * its forms collected, `%%writefile` modules, files next to the notebook and folders put on `sys.path`
 * treated as local, the standard library of the target Python and runtime-only modules dropped, import
 * names mapped to distributions with the curated table. A name nothing knows is unresolved, never
 * guessed. Pins come only from the notebook's own `pip install` lines.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { normalizeName, parseRequirementsText, requirementName } from '@kagg/core/bundle';
import {
  classifyCell,
  isPythonBodiedCellMagic,
  maskIPython,
  type PipInstall,
  parsePipInstall,
  parseWritefileArgs,
  splitCellMagic,
} from '@kagg/core/notebook';
import type { NotebookDocument } from '@kagg/plugin-api';
import { sourceOf, tagsOf } from '../cells/cells.js';
import {
  type DistributionEntry,
  distributionFor,
  NAMESPACE_ROOTS,
  NOTEBOOK_ONLY,
  normalizeDistribution,
  RUNTIME_ONLY,
} from './distributions.js';
import type { CodeImports, ImportUse, PathFolder } from './imports.js';
import { DEFAULT_PYTHON, isStdlib, stdlibVersionsOf } from './stdlib.js';

export interface RequirementsOptions {
  /** Target Python (`3.9` ... `3.14`): its standard library is left out. */
  python?: string;
  /** The folder holding the notebook: its `.py` files and packages are local modules. */
  directory?: string;
  /** More local module names. */
  localModules?: string[];
  /** Cells with any of these tags add no requirement (their pip pins still apply). */
  skipTags?: string[];
  /**
   * Write an import that is neither in the table nor local as a distribution of the same name.
   * Off by default: an unknown name on an index invites a dependency-confusion install.
   */
  assumeUnknownDistributions?: boolean;
}

export interface Requirement {
  /** The requirement line (`lightgbm==4.3.0`, `scikit-learn`). */
  line: string;
  /** Import names that need it (empty when only a `pip install` line asked for it). */
  imports: string[];
  /** Where it came from: an import, a `pip install` line, or both. */
  from: 'import' | 'pip' | 'import+pip';
  cells: number[];
  /** For optional requirements: why (`try/except ImportError`). */
  reason?: string;
}

export interface UnresolvedImport {
  cell: number;
  line: number;
  text: string;
  /** For an import of an unknown name: the top-level module. */
  module?: string;
  /** Why it is unresolved, when it is not a computed module name. */
  reason?: string;
}

export interface RequirementsReport {
  required: Requirement[];
  optional: Requirement[];
  unresolved: UnresolvedImport[];
  /** Local module names the notebook imports (`%%writefile` modules, files next to it). */
  local: string[];
  stdlib: string[];
  runtimeOnly: string[];
  warnings: string[];
  /** The required requirement lines, sorted: what a bundle installs. */
  requirements: string[];
}

interface CellImport extends ImportUse {
  cell: number;
  skipped: boolean;
}

interface PipLine {
  spec: string;
  cell: number;
  skipped: boolean;
}

/** Joins `\`-continued shell lines of a `%%bash` body. */
function shellLogicalLines(body: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  const lines = body.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const start = k;
    let text = lines[k]!;
    while (/\\\s*$/.test(text) && k + 1 < lines.length) text = `${text.replace(/\\\s*$/, ' ')}${lines[++k]!}`;
    out.push({ text, offset: start });
  }
  return out;
}

/** Whether a folder holds Python code, itself or one folder down (a namespace package has no `__init__.py`). */
async function holdsPython(directory: string, depth: number): Promise<boolean> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isFile() && entry.name.endsWith('.py'))) return true;
  if (depth === 0) return false;
  for (const entry of entries) {
    if (entry.isDirectory() && (await holdsPython(path.join(directory, entry.name), depth - 1))) return true;
  }
  return false;
}

/** Names of `.py` modules and packages in a folder; undefined when it cannot be listed. */
async function modulesIn(directory: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    const names: string[] = [];
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith('.py')) names.push(entry.name.slice(0, -3));
      else if (entry.isDirectory() && /^[A-Za-z_]\w*$/.test(entry.name)) {
        if (await holdsPython(path.join(directory, entry.name), 1)) names.push(entry.name);
      }
    }
    return names;
  } catch {
    return undefined;
  }
}

/** Everything the code cells say about dependencies, before resolution. */
export interface NotebookDependencies {
  imports: CellImport[];
  /** Folders put on `sys.path`, with the cell doing it. */
  pathFolders: Array<PathFolder & { cell: number }>;
  /** Names read outside display calls in the cells that are not skipped. */
  uses: Set<string>;
  pip: PipLine[];
  unresolved: UnresolvedImport[];
  local: Set<string>;
  warnings: string[];
}

/** The Python parser is loaded on first use only: a notebook without imports never pays for it. */
let findImportsLoaded: ((code: string, lineOffset?: number) => CodeImports) | undefined;
async function loadFindImports(): Promise<(code: string, lineOffset?: number) => CodeImports> {
  findImportsLoaded ??= (await import('./imports.js')).findImports;
  return findImportsLoaded;
}

const NEEDS_PARSER = /\bimport\b|__import__|system|subprocess|popen|getoutput|sys\.path|addsitedir/;

export async function collectDependencies(
  document: NotebookDocument,
  options: RequirementsOptions = {},
): Promise<NotebookDependencies> {
  const skipTags = options.skipTags ?? [];
  const deps: NotebookDependencies = {
    imports: [],
    pathFolders: [],
    uses: new Set(),
    pip: [],
    unresolved: [],
    local: new Set(),
    warnings: [],
  };
  const cells = Array.isArray(document.cells) ? document.cells : [];
  const findImports = cells.some((cell) => cell['cell_type'] === 'code' && NEEDS_PARSER.test(sourceOf(cell)))
    ? await loadFindImports()
    : undefined;
  cells.forEach((cell, index) => {
    if (cell['cell_type'] !== 'code') return;
    const source = sourceOf(cell);
    if (source.trim() === '') return;
    const skipped = tagsOf(cell).some((tag) => skipTags.includes(tag));
    const addPip = (install: PipInstall | undefined, line: number): void => {
      if (!install) return;
      for (const spec of install.packages) deps.pip.push({ spec, cell: index, skipped });
      for (const warning of install.warnings) deps.warnings.push(`cell ${index} line ${line}: ${warning}`);
    };
    // Once the parser is loaded every cell is parsed: a cell without imports can still use one.
    const addCode = (code: string, lineOffset: number): void => {
      if (!findImports) return;
      const found = findImports(code, lineOffset);
      for (const use of found.imports) deps.imports.push({ ...use, cell: index, skipped });
      for (const folder of found.pathFolders) deps.pathFolders.push({ ...folder, cell: index });
      if (!skipped) for (const name of found.uses) deps.uses.add(name);
      for (const use of found.unresolved) deps.unresolved.push({ cell: index, ...use });
      for (const literal of found.commands) addPip(parsePipInstall(literal.command), literal.line);
    };
    const shellCommand = (command: string, line: number): void => {
      if (/\bconda\s+install\b|\bmamba\s+install\b/.test(command)) {
        deps.warnings.push(
          `cell ${index} line ${line}: conda installs are not carried over; add the packages to requirements.txt`,
        );
      }
      addPip(parsePipInstall(command), line);
    };

    const magic = splitCellMagic(source);
    if (magic && !isPythonBodiedCellMagic(magic.name)) {
      if (magic.name === 'writefile') {
        const target = parseWritefileArgs(magic.args);
        const path = target?.path ?? '';
        const file = path.split('/').pop() ?? '';
        if (file.endsWith('.py')) {
          const parts = path.replace(/^\.\//, '').split('/');
          deps.local.add(parts.length > 1 && parts[0] !== '' && parts[0] !== '.' ? parts[0]! : file.slice(0, -3));
          deps.local.add(file.slice(0, -3));
          addCode(magic.body, magic.bodyStartLine - 1);
        } else if (/^requirements.*\.txt$/.test(file)) {
          for (const spec of parseRequirementsText(magic.body).lines) deps.pip.push({ spec, cell: index, skipped });
        }
        return;
      }
      const isShell =
        ['bash', 'sh', 'system', 'sx'].includes(magic.name) ||
        (magic.name === 'script' && /\b(?:ba)?sh\b/.test(magic.args));
      if (isShell) {
        for (const logical of shellLogicalLines(magic.body)) {
          shellCommand(logical.text.trim(), magic.bodyStartLine + logical.offset);
        }
      }
      return;
    }
    const classified = classifyCell(source);
    for (const line of classified.lines) {
      if (line.continuation) continue;
      if ((line.kind === 'shell' || line.kind === 'shell-assign') && line.command)
        shellCommand(line.command, line.line);
      else if ((line.kind === 'line-magic' || line.kind === 'magic-assign') && line.magic) {
        if (line.magic === 'pip') addPip(parsePipInstall(`pip ${line.args ?? ''}`), line.line);
        else if (line.magic === 'conda' || line.magic === 'mamba') shellCommand(`conda ${line.args ?? ''}`, line.line);
        else if (line.magic === 'system' || line.magic === 'sx') shellCommand(line.args ?? '', line.line);
      }
    }
    addCode(maskIPython(source), 0);
  });
  return deps;
}

interface Candidate {
  entry: DistributionEntry;
  importName: string;
  optional: boolean;
  reason?: string;
  cell: number;
}

/**
 * Folders put on `sys.path`: the modules of those kagg can list (relative to the notebook, or present
 * on this machine) become local; the others (`/kaggle/input/x` away from Kaggle, computed paths) are
 * returned, so an import no table knows can be taken as reachable through them.
 */
async function addPathFolders(
  deps: NotebookDependencies,
  directory: string | undefined,
): Promise<Array<PathFolder & { cell: number }>> {
  const opaque: Array<PathFolder & { cell: number }> = [];
  for (const folder of deps.pathFolders) {
    const where =
      folder.path === undefined
        ? undefined
        : path.isAbsolute(folder.path)
          ? folder.path
          : directory
            ? path.resolve(directory, folder.path)
            : undefined;
    const names = where ? await modulesIn(where) : undefined;
    if (names) for (const name of names) deps.local.add(name);
    else opaque.push(folder);
  }
  return opaque;
}

/** The notebook's own pip lines by name: the last line naming a package wins, a pinned one over a bare one. */
function pipLinesByName(pip: PipLine[]): Map<string, PipLine> {
  const byName = new Map<string, PipLine>();
  for (const line of pip) {
    const key = requirementName(line.spec) ?? line.spec;
    const existing = byName.get(key);
    const skipped = (existing ? existing.skipped : true) && line.skipped;
    const replace = !existing || /[=<>~!@]/.test(line.spec) || !/[=<>~!@]/.test(existing.spec);
    byName.set(key, { ...(replace || !existing ? line : existing), skipped });
  }
  return byName;
}

/**
 * Of some distribution names, the one that provides an import the table does not know: the same
 * name (`my_pkg` ← `my-pkg`), or a name holding it as a word (`Levenshtein` ← `python-Levenshtein`).
 */
export function distributionNamed(top: string, names: Iterable<string>): string | undefined {
  const wanted = normalizeDistribution(top);
  for (const key of names) {
    const name = normalizeDistribution(key);
    if (name === wanted || (wanted.length >= 3 && name.split('-').includes(wanted))) return key;
  }
  return undefined;
}

/** Analyses a notebook's code cells into required, optional and unresolved requirements. */
export async function analyzeRequirements(
  document: NotebookDocument,
  options: RequirementsOptions = {},
): Promise<RequirementsReport> {
  const python = options.python ?? DEFAULT_PYTHON;
  const deps = await collectDependencies(document, options);
  for (const name of (options.directory ? await modulesIn(options.directory) : undefined) ?? []) deps.local.add(name);
  for (const name of options.localModules ?? []) deps.local.add(name);
  const opaqueFolders = await addPathFolders(deps, options.directory);
  // Pins come only from the notebook's own pip lines.
  const pipByName = pipLinesByName(deps.pip);

  const warnings = [...deps.warnings];
  const stdlib = new Set<string>();
  const runtimeOnly = new Set<string>();
  const local = new Set<string>();
  const unresolved = [...deps.unresolved];
  const candidates: Candidate[] = [];
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    warnings.push(message);
  };

  for (const use of deps.imports) {
    if (use.skipped) continue;
    if (use.level > 0) {
      local.add(`${'.'.repeat(use.level)}${use.module}`);
      continue;
    }
    const dottedNames =
      use.names.length > 0 && NAMESPACE_ROOTS.includes(use.module)
        ? use.names.filter((name) => name !== '*').map((name) => `${use.module}.${name}`)
        : [use.module];
    for (const dottedName of dottedNames) {
      const dotted = dottedName.split('.');
      const top = dotted[0]!;
      if (deps.local.has(top)) {
        local.add(top);
        continue;
      }
      const runtime = RUNTIME_ONLY.find((name) => dottedName === name || dottedName.startsWith(`${name}.`));
      if (runtime) {
        runtimeOnly.add(runtime);
        continue;
      }
      if (isStdlib(top, python)) {
        stdlib.add(top);
        continue;
      }
      const otherVersions = stdlibVersionsOf(top);
      let entry = distributionFor(dotted);
      if (otherVersions.length > 0) {
        if (top === 'distutils') entry = { distribution: 'setuptools', alternatives: ['setuptools'] };
        warnOnce(
          `stdlib:${top}`,
          `cell ${use.cell} line ${use.line}: ${top} is not in Python ${python}'s standard library (it is in ${otherVersions.join(', ')})${entry ? `; ${entry.distribution} provides it` : ''}`,
        );
        if (!entry) {
          unresolved.push({ cell: use.cell, line: use.line, text: `import ${dottedName}` });
          continue;
        }
      }
      if (!entry && NAMESPACE_ROOTS.includes(dottedName)) {
        unresolved.push({ cell: use.cell, line: use.line, text: `import ${dottedName}` });
        continue;
      }
      const installed = entry ? undefined : distributionNamed(top, pipByName.keys());
      if (installed) entry = { distribution: installed, alternatives: [installed] };
      if (!entry && opaqueFolders.length > 0) {
        const folder = opaqueFolders[0]!;
        local.add(top);
        warnOnce(
          `path:${top}`,
          `cell ${use.cell} line ${use.line}: ${top} is taken as the notebook's own module, reached through \`${folder.text}\` (cell ${folder.cell} line ${folder.line}); bundle that folder with --include if the function needs it`,
        );
        continue;
      }
      if (!entry && options.assumeUnknownDistributions) {
        entry = { distribution: top, alternatives: [top] };
        warnOnce(
          `unknown:${top}`,
          `cell ${use.cell} line ${use.line}: "${top}" is not in kagg's import table; assuming the distribution is named ${top} (--assume-unknown-distributions)`,
        );
      }
      if (!entry) {
        if (!unresolved.some((u) => u.module === top)) {
          unresolved.push({
            cell: use.cell,
            line: use.line,
            text: `import ${dottedName}`,
            module: top,
            reason: `${top} is neither in kagg's import table nor one of the notebook's own modules, so it is left out (name its distribution in a requirements.txt, or pass --assume-unknown-distributions)`,
          });
        }
        continue;
      }
      const notebookOnly = NOTEBOOK_ONLY.some((name) => dottedName === name || dottedName.startsWith(`${name}.`));
      // A front-end module the deployed code uses (widgets built at module level, an @interact
      // decorator) is needed; one only imported, or only read inside display(...), is display only.
      const displayOnly = notebookOnly && !use.bound.some((name) => deps.uses.has(name));
      candidates.push({
        entry,
        importName: top === 'google' || top === 'azure' ? dotted.slice(0, 3).join('.') : top,
        optional: use.kind === 'optional' || displayOnly,
        ...(use.reason || displayOnly ? { reason: use.reason ?? 'notebook display only' } : {}),
        cell: use.cell,
      });
    }
  }

  const required = new Map<string, Requirement>();
  const optional = new Map<string, Requirement>();
  const usedPip = new Set<string>();
  for (const candidate of candidates) {
    const pipKey = candidate.entry.alternatives.map(normalizeDistribution).find((name) => pipByName.has(name));
    const key = pipKey ?? normalizeDistribution(candidate.entry.distribution);
    const line = pipKey ? pipByName.get(pipKey)!.spec : candidate.entry.distribution;
    if (pipKey) usedPip.add(pipKey);
    const target = candidate.optional && !pipKey ? optional : required;
    const existing = target.get(key);
    if (existing) {
      if (!existing.imports.includes(candidate.importName)) existing.imports.push(candidate.importName);
      if (!existing.cells.includes(candidate.cell)) existing.cells.push(candidate.cell);
      continue;
    }
    target.set(key, {
      line,
      imports: [candidate.importName],
      from: pipKey ? 'import+pip' : 'import',
      cells: [candidate.cell],
      ...(target === optional && candidate.reason ? { reason: candidate.reason } : {}),
    });
  }
  for (const key of required.keys()) optional.delete(key);
  for (const [key, pip] of pipByName) {
    if (usedPip.has(key) || pip.skipped) continue;
    required.set(key, { line: pip.spec, imports: [], from: 'pip', cells: [pip.cell] });
  }

  const byLine = (a: Requirement, b: Requirement): number => normalizeName(a.line).localeCompare(normalizeName(b.line));
  const requiredList = [...required.values()].sort(byLine);
  return {
    required: requiredList,
    optional: [...optional.values()].sort(byLine),
    unresolved,
    local: [...local].sort(),
    stdlib: [...stdlib].sort(),
    runtimeOnly: [...runtimeOnly].sort(),
    warnings,
    requirements: requiredList.map((requirement) => requirement.line),
  };
}

/** requirements.txt text: required lines, then optional ones as comments. */
export function formatRequirementsTxt(report: RequirementsReport, header?: string): string {
  const lines: string[] = [];
  if (header) lines.push(`# ${header}`);
  lines.push(...report.requirements);
  if (report.optional.length > 0) {
    lines.push('# Optional (imported under a guard such as try/except ImportError):');
    for (const requirement of report.optional) {
      lines.push(`# ${requirement.line}${requirement.reason ? `  # ${requirement.reason}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
