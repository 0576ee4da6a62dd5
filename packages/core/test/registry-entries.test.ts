/**
 * The registry's promises about its entries, through its API: an endpoint keeps its creation time
 * across redeploys; an entry filed under another name than its own is corruption, reported and
 * backed up, never rewritten; the file is private to its owner.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EndpointRegistry, type RegistryFile } from '@kagg/core/registry';
import { tempDir } from '@kagg/testkit/temp';

const LONG_AGO = '2020-01-02T03:04:05.000Z';

function entry(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    target: 'local',
    url: `http://127.0.0.1:9/${name}`,
    auth: 'public' as const,
    bundleHash: 'sha256:abc',
    providerIds: { pid: 1 },
    ...extra,
  };
}

function registryIn(dir: string, content?: RegistryFile): EndpointRegistry {
  const file = path.join(dir, 'endpoints.json');
  if (content) writeFileSync(file, JSON.stringify(content));
  return new EndpointRegistry(file);
}

describe('registry entries', () => {
  it('keeps the creation time of an endpoint that is deployed again', async () => {
    const registry = registryIn(tempDir('kagg-registry-'), {
      version: 1,
      endpoints: { model: { ...entry('model'), createdAt: LONG_AGO, updatedAt: LONG_AGO } },
    });
    const redeployed = await registry.upsert(entry('model', { bundleHash: 'sha256:def' }));
    assert.equal(redeployed.createdAt, LONG_AGO);
    assert.notEqual(redeployed.updatedAt, LONG_AGO);
    const stored = await registry.require('model');
    assert.equal(stored.createdAt, LONG_AGO);
    assert.equal(stored.bundleHash, 'sha256:def');
  });

  it('reports an entry filed under another name as corruption, and leaves the file as it was', async () => {
    const dir = tempDir('kagg-registry-');
    const registry = registryIn(dir, {
      version: 1,
      endpoints: { alpha: { ...entry('beta'), createdAt: LONG_AGO, updatedAt: LONG_AGO } },
    });
    const before = readFileSync(registry.file, 'utf8');
    await assert.rejects(
      registry.list(),
      (e: Error & { code?: string }) =>
        e.code === 'REGISTRY_CORRUPT' && /\/endpoints\/alpha\/name: is "beta", not "alpha"/.test(e.message),
    );
    await assert.rejects(registry.upsert(entry('gamma')), { code: 'REGISTRY_CORRUPT' });
    assert.equal(readFileSync(registry.file, 'utf8'), before, 'never rewritten');
    assert.ok(
      readdirSync(dir).some((n) => n.startsWith('endpoints.json.corrupt-')),
      'backed up',
    );
  });

  it('writes the registry readable by its owner only', async () => {
    const registry = registryIn(tempDir('kagg-registry-'));
    await registry.upsert(entry('model'));
    assert.equal(statSync(registry.file).mode & 0o777, 0o600);
  });
});
