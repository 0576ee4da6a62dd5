/**
 * The registry under pressure and damage: eight `kagg deploy` processes at once leave eight entries
 * in a valid file; a corrupt file is reported and backed up, never overwritten; kagg.py's registry
 * imports.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanup, FIXTURES, isolatedEnv, kagg, kaggJson, tempDir } from './helpers.ts';

describe('registry', () => {
  const home = tempDir();
  const env = isolatedEnv(home);
  const registry = path.join(home, 'endpoints.json');
  after(() => cleanup(home));

  it('keeps all 8 entries when 8 deploy processes run at once', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(
      names.map((name) => kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', name], env)),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const file = JSON.parse(readFileSync(registry, 'utf8'));
    assert.equal(file.version, 1);
    assert.deepEqual(Object.keys(file.endpoints).sort(), names);
    const list = await kaggJson<{ endpoints: Array<{ name: string; url: string }> }>(['endpoints', 'list'], env);
    assert.equal(new Set(list.json.endpoints.map((e) => e.url)).size, 8, 'each endpoint has its own server');
    assert.equal(readdirSync(home).filter((f) => f.includes('.tmp') || f.endsWith('.lock')).length, 0, 'no leftovers');
  });

  it('reports a corrupt registry, backs it up, and does not overwrite it', async () => {
    const good = readFileSync(registry, 'utf8');
    const torn = good.slice(0, Math.floor(good.length / 2));
    writeFileSync(registry, torn);
    const list = await kaggJson<{ error: { code: string; message: string; action: string } }>(
      ['endpoints', 'list'],
      env,
    );
    assert.equal(list.code, 1);
    assert.equal(list.json.error.code, 'REGISTRY_CORRUPT');
    assert.match(list.json.error.message, /endpoints\.json is corrupt/);
    const deploy = await kagg(['deploy', path.join(FIXTURES, 'pm-basic.ipynb'), '--name', 'late'], env);
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /corrupt/);
    assert.equal(readFileSync(registry, 'utf8'), torn, 'the corrupt file is left as it was');
    const backups = readdirSync(home).filter((f) => f.startsWith('endpoints.json.corrupt-'));
    assert.ok(backups.length >= 1);
    assert.equal(readFileSync(path.join(home, backups[0]!), 'utf8'), torn);
    writeFileSync(registry, good); // restore, so cleanup can stop the servers
  });

  it('reports an entry that breaks the schema as corruption too', async () => {
    const good = readFileSync(registry, 'utf8');
    const data = JSON.parse(good);
    data.endpoints['concurrent-0'].url = 42;
    writeFileSync(registry, JSON.stringify(data));
    const list = await kaggJson<{ error: { code: string; message: string } }>(['endpoints', 'list'], env);
    assert.equal(list.json.error.code, 'REGISTRY_CORRUPT');
    assert.match(list.json.error.message, /concurrent-0\/url/);
    writeFileSync(registry, good);
  });

  it("imports kagg.py's .kaggle_state/endpoints.json", async () => {
    const legacy = path.join(home, 'legacy.json');
    writeFileSync(
      legacy,
      JSON.stringify({
        churn_model: {
          url: 'https://r-abc.cloudfunctions.net/churn',
          provider: 'gcp-functions',
          metadata: { project: 'p1', region: 'us-central1' },
          created_at: 1730000000,
        },
        lambda: {
          url: 'https://x.lambda-url.us-east-1.on.aws/',
          provider: 'aws-lambda',
          metadata: { function: 'f', region: null },
          created_at: 1730000100,
        },
      }),
    );
    const imported = await kaggJson<{ imported: string[]; skipped: unknown[] }>(['endpoints', 'import', legacy], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(imported.json.imported, ['churn-model', 'lambda']);
    const shown = await kaggJson<{ endpoint: Record<string, unknown> }>(['endpoints', 'show', 'churn-model'], env);
    assert.equal(shown.json.endpoint.target, 'gcp');
    assert.equal(shown.json.endpoint.region, 'us-central1');
    assert.equal(shown.json.endpoint.createdAt, new Date(1730000000 * 1000).toISOString());
    const again = await kaggJson<{ imported: string[]; skipped: Array<{ name: string }> }>(
      ['endpoints', 'import', legacy],
      env,
    );
    assert.deepEqual(again.json.imported, []);
    assert.deepEqual(
      again.json.skipped.map((s) => s.name),
      ['churn-model', 'lambda'],
    );
    const bad = path.join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ x: { provider: 'modal' } }));
    const refused = await kagg(['endpoints', 'import', bad], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a kagg\.py endpoints file.*url/);
    const removed = await kaggJson<{ removed: string }>(['endpoints', 'remove', 'lambda'], env);
    assert.equal(removed.json.removed, 'lambda');
    assert.equal(
      (await kagg(['destroy', 'churn-model'], env)).code,
      1,
      'imported endpoints cannot be destroyed by kagg',
    );
    await kagg(['endpoints', 'remove', 'churn-model'], env);
  });
});
