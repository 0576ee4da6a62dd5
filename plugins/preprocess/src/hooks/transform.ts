/**
 * The `kagg:transform` hook: before kagg deploy packages a notebook, scan it for secrets (deploy
 * refuses on findings unless --allow-secrets) and derive its requirements from the deployable cells
 * (deploy merges them with a requirements.txt next to the notebook). The notebook is not rewritten.
 * The Python parser loads only when a code cell has something to parse.
 */
import type { SecretFinding, TransformInput, TransformResult } from '@kagg/plugin-api';
import { analyzeRequirements } from '../requirements/analyze.js';
import { DEFAULT_RULES } from '../secrets/rules.js';
import { scanNotebook } from '../secrets/scanner.js';

/** Cells that never reach the function add no requirement. */
const NOT_DEPLOYED_TAGS = ['skip-deploy', 'injected-parameters'];

export async function transformNotebook(input: TransformInput): Promise<TransformResult> {
  const findings: SecretFinding[] = scanNotebook(input.notebook, { source: input.source, rules: DEFAULT_RULES }).map(
    (finding) => ({
      rule: finding.rule,
      description: finding.description,
      cell: finding.cell,
      location: finding.location,
      line: finding.line,
      preview: finding.preview,
    }),
  );
  const report = await analyzeRequirements(input.notebook, {
    ...(input.directory ? { directory: input.directory } : {}),
    skipTags: NOT_DEPLOYED_TAGS,
  });
  const warnings = [...report.warnings];
  for (const item of report.unresolved) {
    warnings.push(
      item.reason
        ? `cell ${item.cell} line ${item.line}: \`${item.text}\` is not installed: ${item.reason}`
        : `cell ${item.cell} line ${item.line}: cannot tell which module \`${item.text}\` imports; add it with a requirements.txt`,
    );
  }
  if (report.optional.length > 0) {
    warnings.push(
      `optional imports not bundled: ${report.optional.map((r) => r.line).join(', ')} (add them to requirements.txt to include them)`,
    );
  }
  return { id: 'preprocess', requirements: report.requirements, findings, warnings };
}

const hook = async (options: TransformInput): Promise<TransformResult> => transformNotebook(options);

export default hook;
