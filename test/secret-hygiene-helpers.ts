/**
 * The canary set and the scans shared by the secret-hygiene tests: every form a canary could leak in
 * (raw, base64, base64url, URL-encoded, a Basic header), checked in a command's streams and in every
 * file under a folder (zips read entry by entry).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { kagg, type RunResult } from './helpers.ts';

export const CANARY = {
  kaggleKey: 'c0ffee11canary5ecret0kaggle0key01',
  kaggleToken: 'KGAT_c0ffee22canary5ecret0kaggle0tok',
  oauthRefresh: 'c0ffee33canary-oauth-refresh/token+',
  aws: 'c0ffee44canary/AWS+secret0access0key0000',
  awsSession: 'c0ffee55canary/AWS+session0token',
  gcp: 'ya29.c0ffee66canary-gcp-token',
  gcpIdentity: 'eyJc0ffeeBBcanary.gcp.identity.token',
  azure: 'c0ffee77canary~azure.client.secret',
  azureToken: 'eyJc0ffee88canary.azure.token',
  env: 'c0ffee99canary/env+value=',
  notebook: 'ghp_C0ffeeAAcanaryN0tebookS3cret9XyZ1234',
};
/** Every form a leak could take: raw, base64 (and -url), URL-encoded, and the Basic header value. */
function formsOf(canaries: Record<string, string>): Array<{ source: string; form: string }> {
  return Object.entries(canaries).flatMap(([source, value]) =>
    [
      value,
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      encodeURIComponent(value),
      ...(source === 'kaggleKey' ? [Buffer.from(`alice:${value}`).toString('base64')] : []),
    ].map((form) => ({ source, form })),
  );
}
const FORMS = formsOf(CANARY);

/** The canaries (and `extra`: secrets a test learns as it runs, e.g. a key a target made) in `text`. */
export function leaks(text: string, extra: Record<string, string> = {}): string[] {
  return [...FORMS, ...formsOf(extra)]
    .filter(({ form }) => text.includes(form))
    .map(({ source, form }) => `${source} (${form})`);
}

export function assertClean(result: RunResult, what: string): void {
  for (const [stream, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    const found = leaks(text);
    assert.deepEqual(found, [], `kagg ${what}: ${stream} holds ${found.join(', ')}:\n${text.slice(0, 2000)}`);
  }
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return [];
    return s.isDirectory() ? allFiles(p) : s.isFile() ? [p] : [];
  });
}

/** The files under `dir` holding a canary (or one of `extra`), with the sources of the canaries (zips read entry by entry). */
export function leakyFiles(
  dir: string,
  skip: (file: string) => boolean = () => false,
  extra: Record<string, string> = {},
): Array<{ file: string; sources: string[] }> {
  return allFiles(dir)
    .filter((file) => !skip(file))
    .map((file) => {
      const text = file.endsWith('.zip') ? unzipText(file) : readFileSync(file, 'latin1');
      const sources = [...new Set(leaks(text, extra).map((found) => found.split(' ')[0]!))];
      return { file, sources };
    })
    .filter(({ sources }) => sources.length > 0);
}

/** Every entry of a zip, inflated, concatenated (python3's zipfile: no zip code of our own to trust). */
function unzipText(file: string): string {
  const script =
    'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): sys.stdout.buffer.write(n.encode() + b"\\n" + z.read(n) + b"\\n")';
  const out = spawnSync('python3', ['-c', script, file], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout;
}

/** The three ways every command is run: plain, with --json, with KAGG_DEBUG=1. */
export const WAYS = [
  { suffix: [], extra: {}, label: '' },
  { suffix: ['--json'], extra: {}, label: '' },
  { suffix: [], extra: { KAGG_DEBUG: '1' }, label: ' (KAGG_DEBUG=1)' },
] as const satisfies ReadonlyArray<{ suffix: readonly string[]; extra: Record<string, string>; label: string }>;

/** Runs `args` each of the three ways, in the environment `env(extra)` gives, each checked for canaries. */
export async function runAllWays(
  args: string[],
  env: (extra: Record<string, string>) => NodeJS.ProcessEnv,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const { suffix, extra, label } of WAYS) {
    const result = await kagg([...args, ...suffix], env(extra));
    assertClean(result, `${[...args, ...suffix].join(' ')}${label}`);
    results.push(result);
  }
  return results;
}
