// got and its ~55 modules bundled into one CommonJS file, packages/core/dist/http/got.cjs, which the
// HTTP client imports at its first request. Why, measured in docs/benchmarks.md ("The HTTP client on
// got"): got is ESM, and an ESM `import 'node:http'` reads every export of node:http, whose lazy
// WebSocket getter loads undici (~40 ms of CPU); a CommonJS `require('node:http')` reads none. One
// file also spares resolving and reading ~55 modules. scripts/got-globals.mjs holds the stand-ins for
// the globals got reads (why there). esbuild-wasm: no native binary, no install script.
// Rebuilt only when got, this script or the stand-ins changed.
import { existsSync, statSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function bundleGot(root) {
  const out = path.join(root, 'packages/core/dist/http/got.cjs');
  const core = path.join(root, 'packages/core');
  const globals = path.join(here, 'got-globals.mjs');
  const inputs = [
    fileURLToPath(import.meta.url),
    globals,
    findPackageJSON('got', pathToFileURL(path.join(core, 'package.json'))),
  ];
  if (existsSync(out) && inputs.every((f) => statSync(f).mtimeMs <= statSync(out).mtimeMs)) return;
  const { build } = await import('esbuild-wasm');
  await build({
    stdin: {
      contents: "export { default as got, HTTPError, RequestError, TimeoutError } from 'got';",
      resolveDir: core,
      sourcefile: 'got-entry.js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    inject: [globals],
    define: { 'Intl.ListFormat': 'LazyListFormat' },
    outfile: out,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleGot(path.resolve(here, '..'));
