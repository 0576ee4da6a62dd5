/**
 * Vendoring requirements for Lambda, offline: the test builds its own wheels with `pip wheel` from
 * small local packages, serves them from a folder (PIP_NO_INDEX + PIP_FIND_LINKS), and checks that
 * the package holds them at the zip root, that the deployed function imports them, and that a
 * requirement without a Linux wheel is refused by name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { zipFiles } from '@kagg/core/bundle';
import { type AwsSeam, createAwsTarget, pipDownloadArgs, wheelFiles } from '@kagg/plugin-aws';
import { type AwsFake, bundleOf, recordingContext, startAwsFake } from '@kagg/testkit/aws-fake';
import { tempDir } from '@kagg/testkit/temp';

/** An interpreter that can build wheels (setuptools + wheel); fails the suite when there is none. */
function wheelBuilder(): string {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import setuptools, wheel'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  throw new Error('no python3 with setuptools and wheel to build the test wheels');
}

function writePackage(root: string, name: string, code: string, deps: string[] = []): string {
  const dir = path.join(root, 'src', name);
  mkdirSync(path.join(dir, name), { recursive: true });
  writeFileSync(path.join(dir, name, '__init__.py'), code);
  const requires = deps.length > 0 ? `    install_requires=${JSON.stringify(deps)},\n` : '';
  writeFileSync(
    path.join(dir, 'setup.py'),
    `from setuptools import setup\nsetup(\n    name=${JSON.stringify(name)},\n    version="1.0",\n    packages=[${JSON.stringify(name)}],\n${requires})\n`,
  );
  return dir;
}

describe('vendoring requirements as Linux wheels (offline)', () => {
  let work: string;
  let wheels: string;
  let fake: AwsFake;
  let seam: AwsSeam;

  before(async () => {
    work = tempDir('kagg-aws-vendor-');
    wheels = path.join(work, 'wheels');
    const python = wheelBuilder();
    const env = {
      ...process.env,
      PIP_CONFIG_FILE: '/dev/null',
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: wheels,
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    };
    const build = (dir: string) => {
      const r = spawnSync(python, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '-w', wheels, dir], {
        encoding: 'utf8',
        env,
        timeout: 100_000,
      });
      assert.equal(r.status, 0, r.stderr);
    };
    build(writePackage(work, 'tinydep', 'def shout(text):\n    return text.upper() + "!"\n'));
    build(
      writePackage(
        work,
        'tinyfmt',
        'from tinydep import shout\n\ndef banner(text):\n    return "** " + shout(text) + " **"\n',
        ['tinydep'],
      ),
    );
    // A package published for macOS only: pip must find no Linux wheel for it.
    build(writePackage(work, 'onlymac', 'X = 1\n'));
    const mac = readdirSync(wheels).find((f) => f.startsWith('onlymac-')) as string;
    renameSync(path.join(wheels, mac), path.join(wheels, 'onlymac-1.0-cp312-cp312-macosx_11_0_arm64.whl'));

    // A native-looking package: one manylinux_2_28 x86_64 wheel for CPython 3.12.
    build(writePackage(work, 'fastlib', 'def twice(x):\n    return 2 * x\n'));
    const fast = readdirSync(wheels).find((f) => f.startsWith('fastlib-')) as string;
    renameSync(path.join(wheels, fast), path.join(wheels, 'fastlib-1.0-cp312-cp312-manylinux_2_28_x86_64.whl'));
    // At the edge of Lambda's glibc 2.34: a manylinux_2_34 wheel loads there, a manylinux_2_35 one does not.
    for (const [name, tag] of [
      ['edgelib', 'manylinux_2_34_x86_64'],
      ['newerlib', 'manylinux_2_35_x86_64'],
    ] as const) {
      build(writePackage(work, name, 'X = 1\n'));
      const built = readdirSync(wheels).find((f) => f.startsWith(`${name}-`)) as string;
      renameSync(path.join(wheels, built), path.join(wheels, `${name}-1.0-cp312-cp312-${tag}.whl`));
    }

    fake = await startAwsFake();
    seam = {
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
      endpoint: fake.url,
      pollMs: 5,
      maxAttempts: 1,
      healthMs: 30_000,
      env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels },
    };
  });
  after(async () => {
    await fake?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('pip is asked for binary wheels of the Lambda Python version and architecture only', () => {
    const x86 = pipDownloadArgs('/r.txt', '/d', { runtime: 'python3.12', architecture: 'x86_64' }).join(' ');
    assert.match(x86, /--only-binary=:all:/);
    assert.match(x86, /--python-version 3\.12/);
    assert.match(x86, /--implementation cp/);
    assert.match(x86, /--platform manylinux2014_x86_64/);
    assert.match(x86, /--platform manylinux_2_28_x86_64/);
    assert.doesNotMatch(x86, /aarch64/);
    const arm = pipDownloadArgs('/r.txt', '/d', { runtime: 'python3.13', architecture: 'arm64' }).join(' ');
    assert.match(arm, /--python-version 3\.13/);
    assert.match(arm, /--platform manylinux2014_aarch64/);
    assert.doesNotMatch(arm, /x86_64/);
  });

  test('requirements and their dependencies land at the zip root; the deployed function imports them', async () => {
    const target = createAwsTarget(seam);
    const bundle = await bundleOf(
      'banner',
      [
        {
          source:
            'import tinyfmt\n\ndef process_request(payload):\n    return {"banner": tinyfmt.banner(payload["text"])}\n',
        },
      ],
      { requirements: ['tinyfmt==1.0'] },
    );
    const options = { region: 'eu-west-1', architecture: 'arm64' as const };
    const artifact = await target.package(bundle, options);
    const paths = artifact.files.map((f) => f.path);
    for (const p of [
      'handler.py',
      'notebook.py',
      'kagg_runtime.py',
      'tinyfmt/__init__.py',
      'tinydep/__init__.py',
      'tinyfmt-1.0.dist-info/METADATA',
    ]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
    assert.deepEqual(artifact.metadata.wheels, ['tinydep-1.0-py3-none-any.whl', 'tinyfmt-1.0-py3-none-any.whl']);
    // Deterministic: packaging again gives the same bytes (so a redeploy is a no-op).
    assert.deepEqual((await target.package(bundle, options)).zip, artifact.zip);

    const deployment = await target.deploy(artifact, recordingContext('banner', options));
    assert.deepEqual(JSON.parse(fake.calls('CreateFunction').at(-1)?.body.toString() ?? '{}').Architectures, ['arm64']);
    const res = await fetch(deployment.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hello"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { banner: `** ${'hello'.toUpperCase()}! **` });
  });

  test('a requirement with no Linux wheel is refused, naming the package', async () => {
    const target = createAwsTarget(seam);
    const bundle = await bundleOf('mac', [{ source: 'def process_request(payload):\n    return 1\n' }], {
      requirements: ['onlymac==1.0'],
    });
    const mark = fake.requests.length;
    await assert.rejects(
      target.package(bundle, { region: 'us-east-1' }),
      (error: Error & { code?: string; action?: string }) => {
        assert.equal(error.code, 'AWS_NO_WHEEL');
        assert.match(error.message, /no Linux wheel of "onlymac==1\.0" for python3\.12 on x86_64/);
        assert.match(error.message, /never builds from source/);
        assert.match(error.action ?? '', /onlymac/);
        return true;
      },
    );
    assert.equal(fake.requests.length, mark);
  });

  test('a manylinux wheel is taken for its architecture and Python version, refused for another', async () => {
    const target = createAwsTarget(seam);
    const bundle = await bundleOf(
      'fast',
      [{ source: 'import fastlib\ndef process_request(payload):\n    return fastlib.twice(payload["x"])\n' }],
      {
        requirements: ['fastlib==1.0'],
      },
    );
    const x86 = await target.package(bundle, { region: 'us-east-1', architecture: 'x86_64', runtime: 'python3.12' });
    assert.deepEqual(x86.metadata.wheels, ['fastlib-1.0-cp312-cp312-manylinux_2_28_x86_64.whl']);
    assert.ok(x86.files.some((f) => f.path === 'fastlib/__init__.py'));
    await assert.rejects(
      target.package(bundle, { region: 'us-east-1', architecture: 'arm64' }),
      /no Linux wheel of "fastlib==1\.0" for python3\.12 on arm64/,
    );
    await assert.rejects(
      target.package(bundle, { region: 'us-east-1', runtime: 'python3.13' }),
      /no Linux wheel of "fastlib==1\.0" for python3\.13 on x86_64/,
    );
  });

  test('every wheel glibc 2.34 loads is accepted: manylinux_2_34 is taken, manylinux_2_35 refused', async () => {
    const target = createAwsTarget(seam);
    const options = { region: 'us-east-1', architecture: 'x86_64', runtime: 'python3.12' } as const;
    const source = [{ source: 'def process_request(payload):\n    return 1\n' }];
    const edge = await target.package(await bundleOf('edge', source, { requirements: ['edgelib==1.0'] }), options);
    assert.deepEqual(edge.metadata.wheels, ['edgelib-1.0-cp312-cp312-manylinux_2_34_x86_64.whl']);
    assert.ok(edge.files.some((f) => f.path === 'edgelib/__init__.py'));
    await assert.rejects(
      target.package(await bundleOf('newer', source, { requirements: ['newerlib==1.0'] }), options),
      /no Linux wheel of "newerlib==1\.0" for python3\.12 on x86_64/,
    );
  });

  test('a wheel’s .data/purelib and platlib go to the root; scripts and headers are left out', () => {
    const enc = new TextEncoder();
    const wheel = zipFiles([
      { path: 'pkg/__init__.py', data: enc.encode('A = 1\n') },
      { path: 'pkg-1.0.dist-info/METADATA', data: enc.encode('Name: pkg\n') },
      { path: 'pkg-1.0.data/purelib/extra_mod.py', data: enc.encode('B = 2\n') },
      { path: 'pkg-1.0.data/platlib/native/_fast.py', data: enc.encode('C = 3\n') },
      { path: 'pkg-1.0.data/scripts/pkg-cli', data: enc.encode('#!/bin/sh\n'), mode: 0o755 },
      { path: 'pkg-1.0.data/headers/pkg.h', data: enc.encode('/* */\n') },
      { path: 'pkg/__pycache__/x.cpython-312.pyc', data: new Uint8Array([1, 2]) },
    ]);
    assert.deepEqual(
      wheelFiles(wheel)
        .map((f) => f.path)
        .sort(),
      ['extra_mod.py', 'native/_fast.py', 'pkg-1.0.dist-info/METADATA', 'pkg/__init__.py'],
    );
  });
});
