import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KaggError } from '@kagg/core/errors';
import { LOCAL_SERVER, RUNTIME_FILES, RUNTIME_MODULE, readRuntimeFile, runtimeDir } from '@kagg/core/runtime';

describe('runtime files', () => {
  it('ships every runtime file in runtimeDir()', async () => {
    assert.ok(path.isAbsolute(runtimeDir()));
    assert.ok(RUNTIME_FILES.includes(RUNTIME_MODULE) && RUNTIME_FILES.includes(LOCAL_SERVER));
    for (const file of RUNTIME_FILES) {
      const full = path.join(runtimeDir(), file);
      assert.ok(existsSync(full), `${full} is missing: the build copies src/runtime/python to dist`);
      assert.deepEqual(Buffer.from(await readRuntimeFile(file)), readFileSync(full));
    }
  });

  it('refuses paths that leave the runtime folder, and names a missing file', async () => {
    for (const bad of ['../index.js', '/etc/passwd', '', 'adapters/../../index.js']) {
      await assert.rejects(readRuntimeFile(bad), (error: unknown) => {
        assert.ok(error instanceof KaggError);
        assert.equal(error.code, 'RUNTIME_FILE_PATH');
        return true;
      });
    }
    await assert.rejects(readRuntimeFile('adapters/nope.py'), (error: unknown) => {
      assert.ok(error instanceof KaggError);
      assert.equal(error.code, 'RUNTIME_FILE_MISSING');
      assert.match(error.message, /adapters\/nope\.py/);
      return true;
    });
  });

  it('is Python 3.9 syntax and imports only the standard library (the Azure adapter also azure.functions)', () => {
    const check = [
      'import ast, sys',
      'for path in sys.argv[1:]:',
      '    tree = ast.parse(open(path).read(), path, feature_version=(3, 9))',
      '    for node in ast.walk(tree):',
      '        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []',
      '        if isinstance(node, ast.ImportFrom) and node.level == 0: names = [node.module]',
      '        for name in names:',
      '            top = name.split(".")[0]',
      '            platform = name == "azure.functions" and path.endswith("azure_function_app.py")',
      '            if top not in sys.stdlib_module_names and top not in ("__future__", "kagg_runtime", "kagg_local_server") and not platform:',
      '                raise SystemExit(f"{path} imports {name}")',
      'print("ok")',
    ].join('\n');
    const files = RUNTIME_FILES.map((f) => path.join(runtimeDir(), f));
    assert.equal(execFileSync('python3', ['-c', check, ...files], { encoding: 'utf8', timeout: 60_000 }).trim(), 'ok');
  });
});
