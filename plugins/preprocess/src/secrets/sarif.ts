/**
 * SARIF 2.1.0 output of findings. Each result names the notebook, carries the cell index and the
 * location kind in `properties` (`cell`, `location`), and a partial fingerprint baselines can use.
 * No result holds the secret: only the redacted preview.
 */
import { SARIF_FINGERPRINT_KEY } from './baseline.js';
import type { Finding } from './types.js';

export interface SarifOptions {
  version?: string;
}

export function toSarif(findings: Finding[], options: SarifOptions = {}): Record<string, unknown> {
  const used = [...new Set(findings.map((finding) => finding.rule))];
  const descriptions = new Map(findings.map((finding) => [finding.rule, finding.description]));
  const rules = used.map((id) => ({
    id,
    name: id,
    shortDescription: { text: descriptions.get(id) ?? id },
    defaultConfiguration: { level: 'error' },
  }));
  const results = findings.map((finding) => {
    const where = finding.cell < 0 ? 'notebook metadata' : `cell ${finding.cell} (${finding.location})`;
    return {
      ruleId: finding.rule,
      ruleIndex: used.indexOf(finding.rule),
      level: 'error',
      message: { text: `${finding.description} in ${where}, line ${finding.line}: ${finding.preview}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: finding.notebook } },
          logicalLocations: [
            {
              name: finding.cell < 0 ? 'metadata' : `cell ${finding.cell}`,
              fullyQualifiedName:
                finding.cell < 0 ? (finding.path ?? 'metadata') : `cells[${finding.cell}].${finding.path ?? 'source'}`,
              kind: 'element',
            },
          ],
        },
      ],
      partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
      properties: {
        cell: finding.cell,
        location: finding.location,
        line: finding.line,
        column: finding.column,
        preview: finding.preview,
        ...(finding.path ? { path: finding.path } : {}),
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kagg-preprocess',
            informationUri: 'https://github.com/kagg/kagg',
            version: options.version ?? '0.1.0',
            rules,
          },
        },
        results,
      },
    ],
  };
}
