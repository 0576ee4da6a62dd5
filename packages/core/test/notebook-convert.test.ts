import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Conversion } from '@kagg/core/notebook';
import { convertNotebook, literalType, parseParameters, readNotebook } from '@kagg/core/notebook';
import { tempDir } from '@kagg/testkit/temp';
import { thrown } from './helpers.ts';

interface CellSpec {
  source: string;
  tags?: string[];
  type?: 'code' | 'markdown' | 'raw';
  id?: string;
}

const ENTRY = 'def process_request(payload):\n    return payload';

function notebook(cells: Array<CellSpec | string>, metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: cells.map((spec, index) => {
      const cell = typeof spec === 'string' ? { source: spec } : spec;
      return {
        cell_type: cell.type ?? 'code',
        id: cell.id ?? `c${index}`,
        metadata: cell.tags ? { tags: cell.tags } : {},
        source: cell.source,
        ...((cell.type ?? 'code') === 'code' ? { outputs: [], execution_count: null } : {}),
      };
    }),
  });
}

function convert(cells: Array<CellSpec | string>, metadata?: Record<string, unknown>): Conversion {
  return convertNotebook(readNotebook(notebook(cells, metadata), 'test.ipynb'));
}

/** The code of a converted cell (between its marker and the next one). */
function cellCode(module: string, index: number): string {
  const lines = module.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`# %% [kagg cell ${index}`));
  assert.ok(start >= 0, `cell ${index} is in the module`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('# %% [kagg cell '));
  return (end < 0 ? rest.slice(0, -1) : rest.slice(0, end)).join('\n');
}

const work = tempDir('kagg-notebook-convert-');
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Parse the module with the real python3; throws with Python's message when it is not valid. */
function assertPythonParses(module: string): void {
  const file = join(work, `module-${counter++}.py`);
  writeFileSync(file, module);
  execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file], { stdio: 'pipe' });
}

describe('convertNotebook: module format', () => {
  it('writes a header, one marker per kept code cell with its notebook index, and a final newline', () => {
    const result = convert([
      { type: 'markdown', source: '# title' },
      'import math',
      { source: 'raise RuntimeError("no")', tags: ['skip-deploy'] },
      { source: 'x = 1', tags: ['parameters'] },
      { source: 'x = 5', tags: ['injected-parameters'] },
      { source: 'y = 2', tags: ['parameters'] },
      { type: 'raw', source: 'not python' },
      ENTRY,
    ]);
    assert.equal(
      result.module,
      [
        '# kagg notebook module generated from test.ipynb — do not edit',
        '# %% [kagg cell 1]',
        'import math',
        '# %% [kagg cell 3 parameters]',
        'x = 1',
        '# %% [kagg cell 5]',
        'y = 2',
        '# %% [kagg cell 7]',
        ENTRY,
        '',
      ].join('\n'),
    );
  });

  it('is deterministic: the same notebook gives the same bytes', () => {
    const cells = ['!pip install b a', '%pip install c', '%%writefile z.py\nZ = 1', '%%writefile a.py\nA = 1', ENTRY];
    const first = convert(cells);
    const second = convert(cells);
    assert.deepEqual(second, first);
    assert.deepEqual(
      first.files.map((file) => file.path),
      ['a.py', 'z.py'],
    );
  });

  it('keeps the line count of every cell, so errors map back to cell lines', () => {
    const source = '!pip install a\nimport os\n%matplotlib inline\nx = 1';
    const result = convert([source, ENTRY]);
    assert.equal(cellCode(result.module, 0).split('\n').length, 4);
    assert.equal(cellCode(result.module, 0).split('\n')[1], 'import os');
  });
});

describe('convertNotebook: pip installs', () => {
  it('removes every pip form and records sorted, de-duplicated requirements', () => {
    const result = convert([
      [
        '!pip install -q "tinyproj==1.0" zeta',
        '%pip install requests zeta',
        '!pip3 install Alpha',
        '!python -m pip install --upgrade beta',
        '!{sys.executable} -m pip install gamma',
        '%pip install --quiet "delta>=2"',
        'import json',
      ].join('\n'),
      ENTRY,
    ]);
    assert.deepEqual(result.requirements, ['Alpha', 'beta', 'delta>=2', 'gamma', 'requests', 'tinyproj==1.0', 'zeta']);
    assert.equal(cellCode(result.module, 0), '\n\n\n\n\n\nimport json');
  });

  it('leaves pass where a removed line was the body of a block', () => {
    const result = convert(['try:\n    !pip install x\nexcept Exception:\n    %pip install y', ENTRY]);
    assert.equal(cellCode(result.module, 0), 'try:\n    pass\nexcept Exception:\n    pass');
    assert.deepEqual(result.requirements, ['x', 'y']);
    assertPythonParses(result.module);
  });

  it('records an unquoted pin as unpinned with a warning naming the cell and line', () => {
    const result = convert(['x = 1\n!pip install pandas>=2', ENTRY]);
    assert.deepEqual(result.requirements, ['pandas']);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /^cell 0, line 2: .*redirect/);
  });

  it('joins continuation lines of a pip install', () => {
    const result = convert(['!pip install \\\n    a \\\n    b\nz = 1', ENTRY]);
    assert.deepEqual(result.requirements, ['a', 'b']);
    assert.equal(cellCode(result.module, 0), '\n\n\nz = 1');
  });

  it('runs the other commands chained to a pip install', () => {
    const result = convert(['!pip install a && echo done', ENTRY]);
    assert.deepEqual(result.requirements, ['a']);
    assert.equal(cellCode(result.module, 0), "__import__('subprocess').run('echo done', shell=True, check=True)");
  });

  it('drops pip commands other than install with a warning', () => {
    const result = convert(['!pip list\n%pip freeze', ENTRY]);
    assert.deepEqual(result.requirements, []);
    assert.equal(cellCode(result.module, 0), '\n');
    assert.equal(result.warnings.length, 2);
  });
});

describe('convertNotebook: line magics', () => {
  it('drops display-only line magics silently', () => {
    const magics = [
      '%matplotlib inline',
      '%config InlineBackend.figure_format = "retina"',
      '%load_ext autoreload',
      '%reload_ext autoreload',
      '%autoreload 2',
      '%pylab inline',
      '%precision 3',
      '%history -n',
      '%lsmagic',
    ];
    const result = convert([`${magics.join('\n')}\nx = 1`, ENTRY]);
    assert.equal(cellCode(result.module, 0), `${'\n'.repeat(magics.length)}x = 1`);
    assert.deepEqual(result.warnings, []);
  });

  it('drops interactive line magics with a warning naming each: %tensorboard, %debug, %pdb, %who', () => {
    const magics = ['%tensorboard --logdir logs', '%debug', '%pdb on', '%who', '%whos'];
    const result = convert([`${magics.join('\n')}\nx = 1`, ENTRY]);
    assert.equal(cellCode(result.module, 0), `${'\n'.repeat(magics.length)}x = 1`);
    assert.deepEqual(
      result.warnings,
      ['tensorboard', 'debug', 'pdb', 'who', 'whos'].map(
        (name, i) => `cell 0, line ${i + 1}: %${name} is for an interactive session; it was dropped from the function`,
      ),
    );
  });

  it('keeps the statement of %prun as %%prun keeps its body, options dropped', () => {
    const result = convert(['%prun -s cumulative -l 10 -q total = sum(range(10))\n%prun', ENTRY]);
    assert.equal(cellCode(result.module, 0), 'total = sum(range(10))\n');
  });

  it('treats %%file as what it aliases, %%writefile', () => {
    const result = convert(['%%file helper.py\nVALUE = 3\n', ENTRY]);
    assert.deepEqual(result.files, [{ path: 'helper.py', content: 'VALUE = 3\n' }]);
  });

  it('refuses a cell that is not valid Python before packaging, naming its cell and line', () => {
    const error = thrown(() => convert(['x = 1\nif x\n    y = 2', ENTRY]));
    assert.equal(error.code, 'NOTEBOOK_INVALID_PYTHON');
    assert.match(error.message, /cell 0 \(id [^)]+\), line 2: not valid Python: .*`if x`/);
    assert.match(error.action ?? '', /skip-deploy/);
  });

  it('refuses top-level await, which the runtime cannot run either', () => {
    const error = thrown(() => convert(['import asyncio\nawait asyncio.sleep(0)', ENTRY]));
    assert.equal(error.code, 'NOTEBOOK_INVALID_PYTHON');
    assert.match(error.message, /line 2/);
  });

  it('does not parse a cell tagged skip-deploy', () => {
    assert.doesNotThrow(() => convert([{ source: 'this is not python', tags: ['skip-deploy'] }, ENTRY]));
  });

  it('keeps the statement of %time and %timeit', () => {
    const result = convert(['%time x = sum(range(10))\n%timeit -n 10 -r 3 y = x * 2\nz = %time len([1])', ENTRY]);
    assert.equal(cellCode(result.module, 0), 'x = sum(range(10))\ny = x * 2\nz = len([1])');
  });

  it('turns %cd into os.chdir with a warning', () => {
    const result = convert(['%cd data\n%cd "my dir"\n%cd ~/x', ENTRY]);
    assert.equal(
      cellCode(result.module, 0),
      [
        "__import__('os').chdir('data')",
        "__import__('os').chdir('my dir')",
        "__import__('os').chdir(__import__('os').path.expanduser('~/x'))",
      ].join('\n'),
    );
    assert.equal(result.warnings.length, 3);
    assert.match(result.warnings[0]!, /^cell 0, line 1: .*os\.chdir/);
  });

  it('turns %env K=V into os.environ and drops %env display', () => {
    const result = convert(["%env MODE=fast\n%env LEVEL 3\n%env\n%env HOME\nhome = %env HOME\nq = 'it''s'", ENTRY]);
    assert.equal(
      cellCode(result.module, 0),
      [
        "__import__('os').environ['MODE'] = 'fast'",
        "__import__('os').environ['LEVEL'] = '3'",
        '',
        '',
        "home = __import__('os').environ['HOME']",
        "q = 'it''s'",
      ].join('\n'),
    );
  });

  it('drops help lines', () => {
    const result = convert(['import os\nos.path?\n??os\nif True:\n    os.getcwd??', ENTRY]);
    assert.equal(cellCode(result.module, 0), 'import os\n\n\nif True:\n    pass');
    assertPythonParses(result.module);
  });
});

describe('convertNotebook: shell lines', () => {
  it('turns !cmd into subprocess.run with a warning', () => {
    const result = convert(["!echo 'hi there' > out.txt", ENTRY]);
    assert.equal(
      cellCode(result.module, 0),
      "__import__('subprocess').run('echo \\'hi there\\' > out.txt', shell=True, check=True)",
    );
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /cell 0, line 1: shell command/);
    assertPythonParses(result.module);
  });

  it('turns x = !cmd into captured output lines', () => {
    const result = convert(['    \nfiles = !ls -1 data', ENTRY]);
    assert.equal(
      cellCode(result.module, 0).split('\n')[1],
      "files = __import__('subprocess').run('ls -1 data', shell=True, check=True, capture_output=True, text=True).stdout.splitlines()",
    );
  });

  it('runs the shell command and captures what it prints (real python3)', () => {
    const result = convert(['lines = !printf "a\\nb\\n"\n!printf x > made.txt', ENTRY]);
    const file = join(work, `run-${counter++}.py`);
    writeFileSync(file, `${result.module}\nprint(lines, open('made.txt').read())\n`);
    const output = execFileSync('python3', [file], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    assert.equal(output.trim(), "['a', 'b'] x");
  });

  for (const command of [
    'apt-get install -y libgomp1',
    'apt install x',
    'sudo pip install x',
    'DEBIAN_FRONTEND=x apt-get update',
  ]) {
    it(`refuses !${command} with the cell and line`, () => {
      const error = thrown(() => convert([ENTRY, { source: `import os\n!${command}`, id: 'sys' }]));
      assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_SYNTAX');
      assert.match(error.message, /test\.ipynb: cell 1 \(id sys\), line 2: .*system packages/);
      assert.ok(error.message.includes(command));
    });
  }
});

describe('convertNotebook: cell magics', () => {
  for (const magic of ['%%time', '%%timeit', '%%capture', '%%capture --no-stderr out', '%%prun -s cumulative']) {
    it(`keeps the body of ${magic}`, () => {
      const result = convert([`${magic}\nimport json\nvalue = json.dumps([1])`, ENTRY]);
      assert.equal(cellCode(result.module, 0), '\nimport json\nvalue = json.dumps([1])');
      assertPythonParses(result.module);
    });
  }

  it('converts IPython lines inside a kept body (pip in %%capture)', () => {
    const result = convert(['%%capture\n!pip install -q quiet-pkg\n%matplotlib inline\nimport json', ENTRY]);
    assert.deepEqual(result.requirements, ['quiet-pkg']);
    assert.equal(cellCode(result.module, 0), '\n\n\nimport json');
  });

  it('keeps the setup statement of %%timeit', () => {
    const result = convert(['%%timeit -n 5 base = 10\ntotal = base + 1', ENTRY]);
    assert.equal(cellCode(result.module, 0), 'base = 10\ntotal = base + 1');
  });

  it('turns %%writefile into a bundled file and leaves it out of the module', () => {
    const result = convert([
      '%%writefile helper.py\ndef double(v):\n    return v * 2',
      '%%writefile data/notes.txt\nfirst',
      '%%writefile -a data/notes.txt\nsecond\n',
      '%%writefile /kaggle/working/conf.toml\nk = 1',
      '%%writefile ./sub/../b.txt\nb',
      ENTRY,
    ]);
    assert.deepEqual(result.files, [
      { path: 'b.txt', content: 'b\n' },
      { path: 'conf.toml', content: 'k = 1\n' },
      { path: 'data/notes.txt', content: 'first\nsecond\n' },
      { path: 'helper.py', content: 'def double(v):\n    return v * 2\n' },
    ]);
    assert.ok(!result.module.includes('[kagg cell 0]'));
    assert.ok(!result.module.includes('double'));
  });

  it('overwrites an earlier %%writefile of the same path without -a', () => {
    const result = convert(['%%writefile a.txt\none', '%%writefile a.txt\ntwo', ENTRY]);
    assert.deepEqual(result.files, [{ path: 'a.txt', content: 'two\n' }]);
  });

  for (const path of ['/etc/passwd', '../outside.py']) {
    it(`refuses %%writefile ${path}`, () => {
      const error = thrown(() => convert([ENTRY, `%%writefile ${path}\nx`]));
      assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_SYNTAX');
      assert.match(error.message, /cell 1 \(id c1\), line 1/);
    });
  }

  for (const magic of ['html', 'javascript', 'js', 'latex', 'markdown', 'svg']) {
    it(`drops a %%${magic} cell with a warning`, () => {
      const result = convert([`%%${magic}\n<b>hi</b>`, ENTRY]);
      assert.ok(!result.module.includes('[kagg cell 0]'));
      assert.equal(result.warnings.length, 1);
      assert.match(result.warnings[0]!, new RegExp(`^cell 0, line 1: %%${magic}`));
    });
  }

  it('turns %%bash into subprocess.run and records pip installs inside it', () => {
    const result = convert(['%%bash\npip install -q shellpkg\necho "it\'s" \\\n  done\nls', ENTRY]);
    assert.deepEqual(result.requirements, ['shellpkg']);
    assert.equal(
      cellCode(result.module, 0),
      `__import__('subprocess').run('echo "it\\'s"  done\\nls\\n', shell=True, check=True, executable='/bin/bash')\n\n\n\n`,
    );
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /%%bash/);
    assertPythonParses(result.module);
  });

  it('handles %%sh and %%script bash, and a shell cell that only installs', () => {
    const sh = convert(['%%sh\necho hi', ENTRY]);
    assert.equal(cellCode(sh.module, 0), "__import__('subprocess').run('echo hi\\n', shell=True, check=True)\n");
    const script = convert(['%%script bash\necho hi', ENTRY]);
    assert.match(cellCode(script.module, 0), /executable='\/bin\/bash'/);
    const onlyPip = convert(['%%bash\npip install a\npip install b', ENTRY]);
    assert.deepEqual(onlyPip.requirements, ['a', 'b']);
    assert.equal(cellCode(onlyPip.module, 0), '\n\n');
    assert.deepEqual(onlyPip.warnings, []);
  });

  it('refuses apt-get inside %%bash', () => {
    const error = thrown(() => convert([ENTRY, '%%bash\necho x\napt-get install -y git']));
    assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_SYNTAX');
    assert.match(error.message, /cell 1 \(id c1\), line 3/);
  });
});

describe('convertNotebook: unsupported syntax', () => {
  const cases: Array<[string, string, number, string]> = [
    ['an unknown line magic', 'x = 1\n\n%foo bar', 3, '%foo bar'],
    ['an indented unknown line magic', 'if x:\n    %run other.py', 2, '%run other.py'],
    ['an unknown cell magic', '%%sql\nSELECT 1', 1, '%%sql'],
    ['a cell magic that is not on the first line', 'x = 1\n%%time', 2, '%%time'],
    ['explicit get_ipython()', 'ip = 1\nget_ipython().run_line_magic("x", "")', 2, 'get_ipython()'],
    ['get_ipython() inside a %%time body', '%%time\nget_ipython()', 2, 'get_ipython()'],
    ['an unknown magic assignment', 'x = %who_ls', 1, '%who_ls'],
  ];
  for (const [what, source, line, text] of cases) {
    it(`refuses ${what}, naming source, cell, id, line and text`, () => {
      const error = thrown(() => convert([{ type: 'markdown', source: 'm' }, ENTRY, { source, id: 'bad-cell' }]));
      assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_SYNTAX');
      assert.equal(error.exitCode, 1);
      assert.ok(error.message.startsWith('test.ipynb: cell 2 (id bad-cell), line '), error.message);
      assert.match(error.message, new RegExp(`line ${line}:`));
      assert.ok(error.message.includes(text), error.message);
    });
  }

  it('does not mind get_ipython inside strings and comments', () => {
    const result = convert([
      'msg = "call get_ipython() in IPython"  # get_ipython()\nx = """\nget_ipython()\n"""',
      ENTRY,
    ]);
    assert.equal(result.entry, 'process_request');
  });

  it('ignores IPython syntax in cells tagged skip-deploy', () => {
    const result = convert([{ source: '%foo\n!apt-get install x', tags: ['skip-deploy'] }, ENTRY]);
    assert.equal(result.entry, 'process_request');
  });

  it('refuses a notebook in another language', () => {
    const error = thrown(() => convert([ENTRY], { kernelspec: { language: 'R', name: 'ir' } }));
    assert.equal(error.code, 'NOTEBOOK_UNSUPPORTED_LANGUAGE');
    assert.match(error.message, /R notebook/);
  });
});

describe('convertNotebook: entry point', () => {
  it('prefers process_request over a parameters cell', () => {
    const result = convert([
      { source: 'a = 1', tags: ['parameters'] },
      'async def process_request(payload):\n    return 1',
    ]);
    assert.equal(result.entry, 'process_request');
  });

  it('uses the parameters cell when there is no process_request', () => {
    const result = convert([{ source: 'a = 1', tags: ['parameters'] }, 'result = a + 1']);
    assert.equal(result.entry, 'parameters');
    assert.deepEqual(result.parameters, [{ name: 'a', type: 'int', default: '1' }]);
  });

  for (const source of [
    'process_request = lambda payload: payload',
    'from handlers import process_request',
    'from handlers import (other, process_request)',
  ]) {
    it(`accepts a top-level \`${source}\` as process_request`, () => {
      assert.equal(convert([source]).entry, 'process_request');
    });
  }

  it('does not count process_request compared, aliased away, or imported under another name', () => {
    for (const source of ['process_request == 1', 'from handlers import process_request as other']) {
      assert.equal(thrown(() => convert([source])).code, 'NOTEBOOK_NO_ENTRY_POINT');
    }
  });

  it('does not count process_request in a string, a nested def, or a skipped cell', () => {
    const cells = [
      'doc = """\ndef process_request(payload):\n"""',
      'class K:\n    def process_request(self, payload):\n        return 1',
      { source: ENTRY, tags: ['skip-deploy'] },
    ];
    const error = thrown(() => convert(cells));
    assert.equal(error.code, 'NOTEBOOK_NO_ENTRY_POINT');
  });

  it('explains both ways when there is no entry point', () => {
    const error = thrown(() => convert(['x = 1']));
    assert.equal(error.code, 'NOTEBOOK_NO_ENTRY_POINT');
    assert.equal(error.exitCode, 1);
    assert.match(error.message, /test\.ipynb/);
    assert.match(error.message, /def process_request\(payload\):/);
    assert.match(error.message, /parameters/);
    assert.match(error.message, /result = /);
  });
});

describe('parameters', () => {
  it('reads names, literal types and default text', () => {
    const cell = [
      '# Parameters',
      'count = 3',
      'neg = -2',
      'hexa = 0xFF',
      'ratio = 0.25',
      'big = 1e6',
      'name = "world"  # who to greet',
      "raw = r'a\\b'",
      'joined = ("a"',
      '          "b")',
      'flag = True',
      'nothing = None',
      'items = [1, 2,',
      '         3]',
      'mapping = {"a": 1}',
      'empty = {}',
      'aset = {1, 2}',
      'computed = count * 2',
      'typed: float = 1.0',
      'annotated: int = count',
      'import os',
      'if True:',
      '    hidden = 1',
      'a, b = 1, 2',
      'count += 1',
      'later = "x"',
      'later = 5',
    ].join('\n');
    assert.deepEqual(
      parseParameters(cell).map((p) => [p.name, p.type, p.default]),
      [
        ['count', 'int', '3'],
        ['neg', 'int', '-2'],
        ['hexa', 'int', '0xFF'],
        ['ratio', 'float', '0.25'],
        ['big', 'float', '1e6'],
        ['name', 'str', '"world"'],
        ['raw', 'str', "r'a\\b'"],
        ['joined', 'str', '("a"\n          "b")'],
        ['flag', 'bool', 'True'],
        ['nothing', 'NoneType', 'None'],
        ['items', 'list', '[1, 2,\n         3]'],
        ['mapping', 'dict', '{"a": 1}'],
        ['empty', 'dict', '{}'],
        ['aset', 'any', '{1, 2}'],
        ['computed', 'any', 'count * 2'],
        ['typed', 'float', '1.0'],
        ['annotated', 'int', 'count'],
        ['later', 'int', '5'],
      ],
    );
  });

  it('types literals', () => {
    assert.equal(literalType('"a" "b"'), 'str');
    assert.equal(literalType("f'{x}'"), 'str');
    assert.equal(literalType('[x for x in y]'), 'list');
    assert.equal(literalType('[1] + [2]'), 'any');
    assert.equal(literalType('1_000'), 'int');
    assert.equal(literalType('.5'), 'float');
    assert.equal(literalType('1j'), 'any');
    assert.equal(literalType('(3)'), 'int');
    assert.equal(literalType('(1, 2)'), 'any');
    assert.equal(literalType('"]"'), 'str');
    assert.equal(literalType('["a", "}"]'), 'list');
  });
});

describe('convertNotebook: a kitchen-sink notebook compiles with python3', () => {
  it('produces valid Python for every rule at once', () => {
    const result = convert([
      '!pip install a\n%matplotlib inline\nimport os\nif os:\n    !echo hi\n    %time x = 1\nfor i in []:\n    os.path?',
      '%%time\n!pip install b\nfor j in []:\n    %pip install c',
      '%%bash\necho "quote \'single\' \\\\ back"',
      '%cd /tmp\n%env A=1\nout = !echo $HOME\nv = %env A\n%timeit -n1 y = [1]',
      '%%writefile x.py\nX = 1',
      '%%html\n<b>x</b>',
      ENTRY,
    ]);
    assertPythonParses(result.module);
  });
});
