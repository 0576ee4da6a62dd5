// bench/cloud-run: what each kind of `kagg deploy --cloud-run` costs in Google API calls, counted on
// the wire against the strict fake of @kagg/testkit (real @google-cloud/run and cloudbuild clients).
// Polls are counted apart: the fake keeps every operation pending for 2 polls; against Google they
// grow with the build and rollout time (one per KAGG_GCP_POLL_MS, 2 s by default).
// Run after a build: `node bench/cloud-run/api-calls.ts` (`--json` for JSON).
import { createCloudRunTarget } from '@kagg/plugin-gcp';
import { bundleOf, recordingContext } from '@kagg/testkit/aws-fake';
import { startCloudRunFake } from '@kagg/testkit/cloud-run-fake';

const fake = await startCloudRunFake();
const target = createCloudRunTarget({
  env: {
    KAGG_GCP_API_ENDPOINT: fake.url,
    KAGG_GCP_ACCESS_TOKEN: fake.accessToken,
    KAGG_GCP_IDENTITY_TOKEN: fake.identityToken,
  },
  pollMs: 1,
});
const options = { project: 'kagg-test', region: 'europe-west1' };
const ADDER = [{ source: 'def process_request(p):\n    return {"sum": p["a"] + p["b"]}\n' }];
const TIMES = [{ source: 'def process_request(p):\n    return {"product": p["a"] * p["b"]}\n' }];
const isPoll = (r: { method: string; path: string }) =>
  r.method === 'GET' && /\/operations\/|\/builds\/[^/]+$/.test(r.path);

const rows: Array<{ kind: string; calls: number; polls: number; writes: string[] }> = [];
let previous: Awaited<ReturnType<typeof target.deploy>> | undefined;
const measure = async (kind: string, name: string, cells: typeof ADDER, extra: Record<string, unknown> = {}) => {
  const bundle = await bundleOf(name, cells);
  const opts = { ...options, ...extra };
  const ctx = recordingContext(name, opts, { resourceName: `kagg-${name}`, ...(previous ? { previous } : {}) });
  const [requests, writes] = [fake.requests.length, fake.writes().length];
  previous = await target.deploy(await target.package(bundle, opts), ctx);
  const api = fake.requests.slice(requests).filter((r) => !r.path.startsWith('/run/'));
  const polls = api.filter(isPoll).length;
  rows.push({ kind, calls: api.length - polls, polls, writes: fake.writes().slice(writes) });
};

try {
  await measure('first deploy (empty project)', 'adder', ADDER);
  await measure('unchanged notebook', 'adder', ADDER);
  await measure('changed notebook', 'adder', TIMES);
  await measure('settings only (--set concurrency=1)', 'adder', TIMES, { concurrency: 1 });
  previous = undefined;
  const image = fake.pushImage(
    'europe-west1-docker.pkg.dev/kagg-test/team/adder:v1',
    (await target.package(await bundleOf('pre', ADDER), options)).files,
  );
  await measure('--set image=REF (new service)', 'prebuilt', ADDER, { image });
} finally {
  await fake.close();
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('| deploy | calls (no polls) | polls | writes |\n|---|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.kind} | ${r.calls} | ${r.polls} | ${r.writes.join(', ') || 'none'} |`);
}
