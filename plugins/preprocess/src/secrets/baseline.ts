/**
 * Baselines: a file of accepted findings whose fingerprints silence the same secrets in later scans.
 * Any report kagg writes is a baseline (`--format json` or `sarif`); a gitleaks JSON report works too.
 * Fingerprints hash rule and secret, so moving a cell or editing around it keeps a finding accepted.
 */
import { usageError } from '@kagg/core/errors';
import { isRecord } from '@kagg/plugin-api/kit';
import { fingerprint } from './fingerprint.js';

export const SARIF_FINGERPRINT_KEY = 'kaggSecret/v1';

export class Baseline {
  constructor(readonly fingerprints: ReadonlySet<string>) {}

  has(finding: { fingerprint: string }): boolean {
    return this.fingerprints.has(finding.fingerprint);
  }

  get size(): number {
    return this.fingerprints.size;
  }
}

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
    return;
  }
  if (!isRecord(value)) return;
  if (typeof value['fingerprint'] === 'string' && /^[0-9a-f]{32}$/.test(value['fingerprint'])) {
    into.add(value['fingerprint']);
  }
  // gitleaks report entries carry the rule and the secret itself.
  if (typeof value['RuleID'] === 'string' && typeof value['Secret'] === 'string') {
    into.add(fingerprint(value['RuleID'], value['Secret']));
  }
  const partial = value['partialFingerprints'];
  if (isRecord(partial) && typeof partial[SARIF_FINGERPRINT_KEY] === 'string') into.add(partial[SARIF_FINGERPRINT_KEY]);
  for (const key of ['findings', 'notebooks', 'runs', 'results']) {
    if (key in value) collect(value[key], into);
  }
}

/** Reads a baseline from the text of a kagg JSON or SARIF report, or a gitleaks JSON report. */
export function parseBaseline(text: string, source: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw usageError(`baseline ${source} is not JSON: ${(error as Error).message}`, {
      action: 'write one with `kagg preprocess NOTEBOOK --format json > baseline.json`',
    });
  }
  const fingerprints = new Set<string>();
  collect(data, fingerprints);
  return new Baseline(fingerprints);
}
