/**
 * The Lambda package: the bundle's files at the zip root, the adapter as `handler.py`
 * (handler `handler.handler`), and the requirements vendored as Linux wheels for the chosen Python
 * version and architecture — pip's platform-targeted download, binary wheels only, never a source
 * build. Sizes are checked before anything is uploaded.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipFiles, zipFiles } from '@kagg/core/bundle';
import { KaggError } from '@kagg/core/errors';
import { readRuntimeFile } from '@kagg/core/runtime';
import type { Artifact, BundleFile, FunctionBundle } from '@kagg/plugin-api';
import { type AwsLimits, type AwsSeam, limitsOf } from './clients.js';
import { type Architecture, type ResolvedAwsOptions, resolveAwsOptions } from './options.js';

export const HANDLER_FILE = 'handler.py';
export const HANDLER = 'handler.handler';
const ADAPTER = 'adapters/aws_handler.py';

/** manylinux platform tags a Lambda Python runtime (Amazon Linux 2023, glibc 2.34) can load. */
export function platformTags(architecture: Architecture): string[] {
  const arch = architecture === 'arm64' ? 'aarch64' : 'x86_64';
  const tags: string[] = [];
  for (let minor = 34; minor >= 17; minor--) tags.push(`manylinux_2_${minor}_${arch}`);
  tags.push(`manylinux2014_${arch}`);
  if (arch === 'x86_64') tags.push('manylinux2010_x86_64', 'manylinux1_x86_64');
  return tags;
}

/** The pip command that fetches wheels for Lambda (exported so docs and tests show the same). */
export function pipDownloadArgs(
  requirementsFile: string,
  dest: string,
  options: Pick<ResolvedAwsOptions, 'runtime' | 'architecture'>,
): string[] {
  const version = options.runtime.replace(/^python/, '');
  return [
    '-m',
    'pip',
    'download',
    '--only-binary=:all:',
    '--disable-pip-version-check',
    '--no-input',
    '--progress-bar',
    'off',
    '--implementation',
    'cp',
    '--python-version',
    version,
    ...platformTags(options.architecture).flatMap((tag) => ['--platform', tag]),
    '--dest',
    dest,
    '-r',
    requirementsFile,
  ];
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code === 'string') {
        reject(error);
        return;
      }
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Reads pip's complaint about a requirement it found no wheel for. */
export function missingWheel(pipOutput: string): string | undefined {
  const m =
    /No matching distribution found for ([^\s]+)/.exec(pipOutput) ??
    /Could not find a version that satisfies the requirement ([^\s]+)/.exec(pipOutput);
  return m?.[1];
}

/** Files of one wheel as they sit in site-packages (`*.data/purelib|platlib` moved to the root). */
export function wheelFiles(wheel: Uint8Array): BundleFile[] {
  const out: BundleFile[] = [];
  for (const entry of unzipFiles(wheel)) {
    const data = /^[^/]+\.data\/(purelib|platlib)\/(.+)$/.exec(entry.path);
    if (data) {
      out.push({ path: data[2] as string, data: entry.data, mode: entry.mode ?? 0o644 });
      continue;
    }
    if (/^[^/]+\.data\//.test(entry.path)) continue; // scripts, headers, data: not importable
    if (entry.path.includes('__pycache__/') || entry.path.endsWith('.pyc')) continue;
    out.push({ path: entry.path, data: entry.data, mode: entry.mode ?? 0o644 });
  }
  return out;
}

/**
 * Downloads Linux wheels for `requirements` and returns their files. Honours pip's own settings
 * (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX, pip.conf).
 */
export async function vendorRequirements(
  requirements: readonly string[],
  options: Pick<ResolvedAwsOptions, 'runtime' | 'architecture'>,
  seam: AwsSeam = {},
): Promise<{ files: BundleFile[]; wheels: string[] }> {
  if (requirements.length === 0) return { files: [], wheels: [] };
  const env: NodeJS.ProcessEnv = { ...(seam.env ?? process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const python = seam.python ?? env.KAGG_PYTHON ?? 'python3';
  const work = await mkdtemp(path.join(tmpdir(), 'kagg-aws-wheels-'));
  try {
    const reqFile = path.join(work, 'requirements.txt');
    await writeFile(reqFile, `${requirements.join('\n')}\n`);
    const dest = path.join(work, 'wheels');
    let result: { code: number; stdout: string; stderr: string };
    try {
      result = await run(python, pipDownloadArgs(reqFile, dest, options), env);
    } catch (error) {
      throw new KaggError(`could not run ${python} to fetch the requirements' wheels: ${(error as Error).message}`, {
        code: 'AWS_PYTHON_MISSING',
        action: 'install Python 3 with pip, or point KAGG_PYTHON at an interpreter that has it',
        cause: error,
      });
    }
    if (result.code !== 0) {
      const output = `${result.stdout}\n${result.stderr}`;
      if (/No module named pip/.test(output)) {
        throw new KaggError(`${python} has no pip: kagg needs it to fetch the requirements' Linux wheels`, {
          code: 'AWS_PIP_MISSING',
          action: `install pip for ${python} (e.g. \`${python} -m ensurepip\`), or point KAGG_PYTHON at another interpreter`,
        });
      }
      const pkg = missingWheel(output);
      const target = `${options.runtime} on ${options.architecture} (manylinux)`;
      if (pkg) {
        throw new KaggError(
          `no Linux wheel of "${pkg}" for ${target}: kagg installs binary wheels only and never builds from source`,
          {
            code: 'AWS_NO_WHEEL',
            action: `pin a version of ${pkg} that publishes manylinux wheels for ${options.runtime}, try --set architecture=${options.architecture === 'arm64' ? 'x86_64' : 'arm64'} or --set runtime=…, or drop the requirement`,
            details: { package: pkg, runtime: options.runtime, architecture: options.architecture },
          },
        );
      }
      const tail = output.trim().split('\n').slice(-8).join('\n');
      throw new KaggError(`pip could not fetch the requirements' wheels for ${target}:\n${tail}`, {
        code: 'AWS_VENDOR_FAILED',
      });
    }
    const wheels = (await readdir(dest)).filter((f) => f.endsWith('.whl')).sort();
    const files: BundleFile[] = [];
    for (const wheel of wheels) files.push(...wheelFiles(new Uint8Array(await readFile(path.join(dest, wheel)))));
    return { files, wheels };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Bytes per top-level entry (a package folder or a file), largest first. */
export function largestContributors(files: readonly BundleFile[], count = 5): Array<{ path: string; bytes: number }> {
  const sizes = new Map<string, number>();
  for (const f of files) {
    const top = f.path.split('/')[0] as string;
    sizes.set(top, (sizes.get(top) ?? 0) + f.data.byteLength);
  }
  return [...sizes.entries()]
    .map(([p, bytes]) => ({ path: p, bytes }))
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
    .slice(0, count);
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Refuses a package Lambda would refuse, before anything is uploaded. */
export function checkUnzippedSize(files: readonly BundleFile[], limits: AwsLimits): number {
  const total = files.reduce((n, f) => n + f.data.byteLength, 0);
  if (total > limits.unzippedBytes) {
    const top = largestContributors(files)
      .map((c) => `${c.path} ${megabytes(c.bytes)}`)
      .join(', ');
    throw new KaggError(
      `the Lambda package is ${megabytes(total)} unzipped, over Lambda's limit of ${megabytes(limits.unzippedBytes)} (${limits.unzippedBytes} bytes); largest: ${top}`,
      {
        code: 'AWS_PACKAGE_TOO_LARGE',
        action:
          'drop heavy requirements the endpoint does not need, move data files out of the bundle, or deploy to another target',
        details: { unzippedBytes: total, limit: limits.unzippedBytes, largest: largestContributors(files) },
      },
    );
  }
  return total;
}

export async function packageForLambda(
  bundle: FunctionBundle,
  rawOptions: unknown,
  seam: AwsSeam = {},
): Promise<Artifact> {
  const options = resolveAwsOptions(rawOptions as Record<string, unknown>);
  const files: BundleFile[] = [];
  const taken = new Map<string, string>();
  const add = (file: BundleFile, origin: string) => {
    const owner = taken.get(file.path);
    if (owner !== undefined) {
      throw new KaggError(
        `"${file.path}" comes from both ${owner} and ${origin}; the Lambda package can hold only one`,
        {
          code: 'AWS_FILE_CONFLICT',
          action: 'rename the bundled file or drop the requirement that ships it',
        },
      );
    }
    taken.set(file.path, origin);
    files.push(file);
  };
  for (const f of bundle.files) add(f, 'the notebook bundle');
  add({ path: HANDLER_FILE, data: await readRuntimeFile(ADAPTER), mode: 0o644 }, "kagg's Lambda adapter");
  const vendored = await vendorRequirements(bundle.requirements, options, seam);
  for (const f of vendored.files) add(f, `a vendored requirement (${vendored.wheels.join(', ')})`);
  const limits = limitsOf(seam);
  const unzippedBytes = checkUnzippedSize(files, limits);
  const zip = zipFiles(files);
  return {
    target: 'aws',
    bundle,
    files,
    zip,
    metadata: {
      handler: HANDLER,
      runtime: options.runtime,
      architecture: options.architecture,
      wheels: vendored.wheels,
      zipBytes: zip.byteLength,
      unzippedBytes,
      upload: zip.byteLength > limits.zipBytes ? 's3' : 'inline',
    },
  };
}
