/**
 * Rendering a `kagg preprocess` report as text, JSON or SARIF 2.1.0. Findings only ever carry the
 * redacted preview, so no format can print a whole secret.
 */
import type { ImportIssue } from './optimize/imports.js';
import type { RequirementsReport } from './requirements/analyze.js';
import type { UnsupportedRule } from './secrets/gitleaks-toml.js';
import { toSarif } from './secrets/sarif.js';
import type { Finding } from './secrets/types.js';

export type ReportFormat = 'text' | 'json' | 'sarif';

export interface NotebookReport {
  notebook: string;
  findings: Finding[];
  requirements?: RequirementsReport;
  /** Import issues, when --optimize ran (`fixed` ones were removed). */
  imports?: ImportIssue[];
  /** When cleaning or stripping ran: whether the notebook changed, and what metadata went. */
  changed?: boolean;
  removed?: string[];
  /** Where the rewritten notebook was written. */
  written?: string;
}

export interface PreprocessReport {
  /** Whether the secret scan ran. */
  scanned: boolean;
  notebooks: NotebookReport[];
  findings: Finding[];
  /** Required requirement lines of all notebooks, merged. */
  requirements?: string[];
  optional?: string[];
  unsupportedRules: UnsupportedRule[];
  notes: string[];
}

function where(finding: Finding): string {
  if (finding.cell < 0) return `notebook metadata (${finding.path ?? 'metadata'})`;
  const path = finding.location === 'code' ? '' : ` ${finding.path ?? ''}`.trimEnd();
  return `cell ${finding.cell} ${finding.location}${path} line ${finding.line}`;
}

function renderText(report: PreprocessReport): string {
  const lines: string[] = [];
  for (const item of report.notebooks) {
    if (item.findings.length > 0) {
      lines.push(`${item.notebook}: ${item.findings.length} secret${item.findings.length === 1 ? '' : 's'} found`);
      for (const finding of item.findings) {
        lines.push(`  ${where(finding)}: ${finding.rule}  ${finding.preview}  (${finding.description})`);
      }
    }
    if (item.requirements) {
      const r = item.requirements;
      lines.push(`${item.notebook}: requirements: ${r.requirements.length > 0 ? r.requirements.join(', ') : '(none)'}`);
      if (r.optional.length > 0) {
        lines.push(`  optional: ${r.optional.map((o) => `${o.line} (${o.reason ?? 'guarded'})`).join(', ')}`);
      }
      for (const u of r.unresolved) {
        lines.push(`  unresolved: cell ${u.cell} line ${u.line}: ${u.text}${u.reason ? ` (${u.reason})` : ''}`);
      }
      if (r.local.length > 0) lines.push(`  local modules: ${r.local.join(', ')}`);
      if (r.runtimeOnly.length > 0) lines.push(`  runtime-only (not installed): ${r.runtimeOnly.join(', ')}`);
      for (const warning of r.warnings) lines.push(`  note: ${warning}`);
    }
    if (item.imports && item.imports.length > 0) {
      const fixed = item.imports.filter((issue) => issue.fixed).length;
      lines.push(
        `${item.notebook}: ${item.imports.length} import issue${item.imports.length === 1 ? '' : 's'}${fixed > 0 ? ` (${fixed} removed)` : ''}`,
      );
      for (const issue of item.imports) {
        const outcome = issue.fixed ? ' (removed)' : issue.kept ? ` (kept: ${issue.kept})` : '';
        lines.push(`  cell ${issue.cell} line ${issue.line}: ${issue.kind}: ${issue.message}${outcome}`);
      }
    } else if (item.imports) lines.push(`${item.notebook}: imports look fine`);
    if (item.changed !== undefined) {
      const removed =
        item.removed && item.removed.length > 0 ? ` (removed ${item.removed.length} metadata entries)` : '';
      lines.push(
        `${item.notebook}: ${item.changed ? `rewritten${item.written && item.written !== '-' ? ` to ${item.written}` : ''}` : 'unchanged'}${removed}`,
      );
    }
  }
  const count = report.notebooks.length;
  if (report.scanned && report.findings.length === 0) {
    lines.push(`${count} notebook${count === 1 ? '' : 's'} scanned: no secrets found`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function renderReport(report: PreprocessReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'sarif') return `${JSON.stringify(toSarif(report.findings), null, 2)}\n`;
  return renderText(report);
}

/** requirements.txt for all notebooks of a report: required lines, then optional ones as comments. */
export function requirementsTxtOf(report: PreprocessReport): string {
  const sources = report.notebooks.map((item) => item.notebook).join(', ');
  const lines = [`# Derived by kagg preprocess from ${sources}`, ...(report.requirements ?? [])];
  if (report.optional && report.optional.length > 0) {
    lines.push('# Optional (imported under a guard such as try/except ImportError):');
    for (const line of report.optional) lines.push(`# ${line}`);
  }
  return `${lines.join('\n')}\n`;
}
