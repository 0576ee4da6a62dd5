/**
 * A real npm registry for install tests: Verdaccio on 127.0.0.1 (random port, no uplinks, storage in
 * a temp folder), seeded with this workspace's packages as `npm pack` makes them and with the
 * third-party packages they depend on, taken from the workspace's node_modules (there are no
 * uplinks, so every dependency has to be published to it).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.ts';

const { dependencyFolders } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'closure.mjs')).href)) as {
  dependencyFolders(workspaces: string[]): string[];
};

export const NPM_CLI = path.join(ROOT, 'node_modules', 'npm', 'bin', 'npm-cli.js');

/**
 * An environment for kagg whose npm runs only with the test's settings: `npm test` hands its own
 * configuration down as npm_config_* variables (the machine's cache among them, where npm would find
 * an earlier test's packages when the registry is down), so they are removed.
 */
export function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

export interface NpmRegistry {
  url: string;
  /** Every name@version published. */
  published: string[];
  close(): Promise<void>;
}

interface Manifest {
  name: string;
  version: string;
  [key: string]: unknown;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** A registry tarball of an installed package folder (its files under `package/`). */
export function tarballOf(dir: string, into: string): string {
  const pj = readManifest(dir);
  const file = path.join(into, `${pj.name.replace('/', '-')}-${pj.version}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', dir, '--exclude=./node_modules', '--transform', 's,^\\.,package,', '.']);
  return file;
}

/** `npm pack` of workspace folders, one npm run; returns the tarballs. */
export function packWorkspaces(folders: string[], into: string): string[] {
  mkdirSync(into, { recursive: true });
  const out = execFileSync(
    process.execPath,
    [
      NPM_CLI,
      'pack',
      ...folders.map((f) => `--workspace=${path.relative(ROOT, f)}`),
      `--pack-destination=${into}`,
      '--json',
      '--loglevel=error',
      '--ignore-scripts',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return (JSON.parse(out) as Array<{ filename: string }>).map((p) => path.join(into, p.filename));
}

/** `npm pack` of a folder outside the workspaces (a fixture plugin); returns the tarball. */
export function packFolder(folder: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const out = execFileSync(
    process.execPath,
    [NPM_CLI, 'pack', folder, `--pack-destination=${into}`, '--json', '--loglevel=error', '--ignore-scripts'],
    { cwd: into, encoding: 'utf8' },
  );
  return path.join(into, (JSON.parse(out) as Array<{ filename: string }>)[0].filename);
}

/** The package.json inside a tarball. */
function manifestInTarball(file: string): Manifest {
  return JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
}

/** What `npm publish` sends: the manifest, its dist, and the tarball as an attachment. */
async function publish(url: string, file: string): Promise<string> {
  const data = readFileSync(file);
  const pj = manifestInTarball(file);
  const base = `${pj.name.split('/').pop()}-${pj.version}.tgz`;
  const body = {
    _id: pj.name,
    name: pj.name,
    'dist-tags': { latest: pj.version },
    versions: {
      [pj.version]: {
        ...pj,
        _id: `${pj.name}@${pj.version}`,
        dist: {
          shasum: createHash('sha1').update(data).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
          tarball: `${url}/${pj.name}/-/${base}`,
        },
      },
    },
    _attachments: {
      [base]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length },
    },
  };
  const res = await fetch(`${url}/${pj.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`publishing ${pj.name}@${pj.version}: HTTP ${res.status} ${await res.text()}`);
  return `${pj.name}@${pj.version}`;
}

/**
 * Starts Verdaccio on 127.0.0.1 and publishes the given workspace folders (packed by `npm pack`),
 * every third-party package they depend on, and any other tarballs given.
 */
export async function startNpmRegistry(
  workDir: string,
  workspaces: string[],
  tarballs: string[] = [],
): Promise<NpmRegistry> {
  const storage = path.join(workDir, 'storage');
  mkdirSync(storage, { recursive: true });
  const { runServer } = (await import('verdaccio')) as unknown as {
    runServer(config: unknown): Promise<Server>;
  };
  const server = await runServer({
    self_path: workDir,
    storage,
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$all', unpublish: '$all' } },
    auth: { htpasswd: { file: path.join(workDir, 'htpasswd'), max_users: -1 } },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'fatal' },
    server: { keepAliveTimeout: 1 },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const all = [
    ...tarballs,
    ...packWorkspaces(workspaces, path.join(workDir, 'packed')),
    ...dependencyFolders(workspaces).map((dir) => {
      mkdirSync(path.join(workDir, 'deps'), { recursive: true });
      return tarballOf(dir, path.join(workDir, 'deps'));
    }),
  ];
  const published: string[] = [];
  for (const file of all) published.push(await publish(url, file));
  return {
    url,
    published,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
