// @kagg/testkit's conformance suite deploys fixture notebooks; it ships them as the FunctionBundles
// kagg's pipeline makes of them (dist/bundles/<name>.json, files in base64), written here at build
// time from packages/testkit/fixtures/<name>.ipynb, so the published kit needs nothing of @kagg/core.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function writeTestkitBundles(root) {
  const core = (name) => import(pathToFileURL(path.join(root, 'packages', 'core', 'dist', name, 'index.js')).href);
  const [{ createBundle }, { convertNotebook, readNotebook }] = await Promise.all([core('bundle'), core('notebook')]);
  const testkit = path.join(root, 'packages', 'testkit');
  const out = path.join(testkit, 'dist', 'bundles');
  mkdirSync(out, { recursive: true });
  for (const fixture of ['adder', 'echo']) {
    const source = `${fixture}.ipynb`;
    const text = readFileSync(path.join(testkit, 'fixtures', source), 'utf8');
    const {
      name: _name,
      files,
      ...bundle
    } = await createBundle({
      name: fixture,
      source,
      conversion: convertNotebook(readNotebook(text, source)),
    });
    const saved = {
      ...bundle,
      files: files.map(({ data, ...f }) => ({ ...f, base64: Buffer.from(data).toString('base64') })),
    };
    writeFileSync(path.join(out, `${fixture}.json`), `${JSON.stringify(saved, null, 1)}\n`);
  }
}
