import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bundleHash, mergeRequirements, unzipFiles, zipFiles } from '@kagg/core/bundle';
import { tempDir } from '@kagg/testkit/temp';

const enc = new TextEncoder();

describe('deterministic zip writer', () => {
  const files = [
    { path: 'notebook.py', data: enc.encode('print("hi")\n'.repeat(50)) },
    { path: 'data/model.bin', data: new Uint8Array([0, 1, 2, 3, 255]), mode: 0o600 },
    { path: 'run.sh', data: enc.encode('#!/bin/sh\necho ok\n'), mode: 0o755 },
  ];

  it('gives the same bytes for the same files in any order', () => {
    assert.deepEqual(zipFiles(files), zipFiles([...files].reverse()));
  });

  it('round-trips content and modes, with entry dates after 1980', () => {
    const entries = unzipFiles(zipFiles(files));
    assert.deepEqual(
      entries.map((e) => e.path),
      ['data/model.bin', 'notebook.py', 'run.sh'],
    );
    for (const e of entries) {
      const original = files.find((f) => f.path === e.path)!;
      assert.deepEqual(e.data, original.data);
      assert.equal(e.mode, original.mode ?? 0o644);
      assert.ok(e.date.getUTCFullYear() > 1980);
    }
  });

  it('is readable by Python zipfile, with real dates and the executable bit', () => {
    const dir = tempDir('kagg-zip-');
    const file = path.join(dir, 'a.zip');
    writeFileSync(file, zipFiles(files));
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps([[i.filename,i.date_time[0],i.external_attr>>16 & 0o777, z.read(i).hex()] for i in z.infolist()]))',
        file,
      ],
      { timeout: 60_000 },
    );
    const rows = JSON.parse(String(out)) as Array<[string, number, number, string]>;
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['data/model.bin', 'notebook.py', 'run.sh'],
    );
    assert.ok(rows.every((r) => r[1] === 2020));
    assert.equal(rows[2]![2], 0o755);
    assert.equal(rows[0]![3], '00010203ff');
  });

  it('refuses paths that escape the archive', () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
      assert.throws(() => zipFiles([{ path: bad, data: new Uint8Array() }]), /refusing to put the path/);
    }
  });

  it('hashes content, paths and requirements', () => {
    const h = bundleHash(files, ['requests']);
    assert.equal(h, bundleHash([...files].reverse(), ['requests']));
    assert.notEqual(h, bundleHash(files, ['requests==2.0']));
    assert.notEqual(h, bundleHash([{ ...files[0]!, path: 'other.py' }, ...files.slice(1)], ['requests']));
  });
});

describe('requirements merging', () => {
  it('normalises names, prefers pins, sorts, and reports conflicting pins', () => {
    const { requirements, conflicts } = mergeRequirements(
      ['Requests', 'scikit_learn==1.5.0'],
      ['requests>=2.31', 'numpy', 'scikit-learn==1.4.0'],
    );
    assert.deepEqual(requirements, ['numpy', 'requests>=2.31', 'scikit_learn==1.5.0']);
    assert.equal(conflicts.length, 1);
    assert.match(conflicts[0]!, /scikit-learn/);
  });
});
