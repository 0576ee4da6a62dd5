/**
 * Parses Prometheus text exposition with Prometheus's own Python client parser
 * (prometheus_client.parser), an implementation independent of kagg. `npm test` provisions it
 * (scripts/prerequisites.mjs) and passes its python3 as KAGG_PROMETHEUS_PYTHON.
 */
import { spawnSync } from 'node:child_process';

export interface Family {
  name: string;
  type: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SCRIPT = `
import sys, json, math
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "samples": [
        {"name": s.name, "labels": s.labels, "value": None if math.isnan(s.value) else s.value} for s in f.samples]})
print(json.dumps(out))
`;

export function parseExposition(text: string): Family[] {
  const candidates = process.env.KAGG_PROMETHEUS_PYTHON
    ? [process.env.KAGG_PROMETHEUS_PYTHON]
    : ['python3', '/usr/bin/python3'];
  for (const python of candidates) {
    const run = spawnSync(python, ['-c', SCRIPT], { input: text, encoding: 'utf8' });
    if (run.status === 0) return JSON.parse(run.stdout) as Family[];
    if (!/No module named/.test(run.stderr))
      throw new Error(`prometheus_client refused the exposition:\n${run.stderr}`);
  }
  throw new Error('no python3 with prometheus_client: apt-get install python3-prometheus-client');
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(
  families: Family[],
  name: string,
  labels: Record<string, string> = {},
): number | null | undefined {
  for (const f of families) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
