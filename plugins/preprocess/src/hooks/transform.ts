/**
 * The `kagg:transform` hook: before kagg deploy packages a notebook, scan it for secrets (deploy
 * refuses on findings unless --allow-secrets) and derive its requirements from the deployable cells
 * (deploy merges them with a requirements.txt next to the notebook), through `preprocessDocument`, the
 * service `kagg preprocess` uses. The notebook is not rewritten. The Python parser loads only when a
 * code cell has something to parse.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRequirementsText, requirementName } from '@kagg/core/bundle';
import type { TransformHook, TransformInput, TransformResult } from '@kagg/plugin-api';
import { preprocessDocument } from '../preprocess.js';
import { distributionNamed } from '../requirements/analyze.js';

/** Cells that never reach the function add no requirement. */
const NOT_DEPLOYED_TAGS = ['skip-deploy', 'injected-parameters'];

export async function transformNotebook(input: TransformInput): Promise<TransformResult> {
  // The service `kagg preprocess` runs: a finding it reports is the one deploy refuses on.
  const result = await preprocessDocument(input.notebook, input.source, {
    scan: true,
    requirements: { ...(input.directory ? { directory: input.directory } : {}), skipTags: NOT_DEPLOYED_TAGS },
  });
  const findings = result.findings.map(({ rule, description, cell, location, line, preview }) => ({
    rule,
    description,
    cell,
    location,
    line,
    preview,
  }));
  const report = result.requirements!;
  const warnings = [...report.warnings];
  // Deploy adds a requirements.txt next to the notebook: an unknown import it names needs no warning.
  const declared = input.directory
    ? parseRequirementsText(
        await readFile(path.join(input.directory, 'requirements.txt'), 'utf8').catch(() => ''),
      ).lines.flatMap((line) => requirementName(line) ?? [])
    : [];
  for (const item of report.unresolved) {
    if (item.module && distributionNamed(item.module, declared)) continue;
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

const hook: TransformHook = async (options) => transformNotebook(options);

export default hook;
