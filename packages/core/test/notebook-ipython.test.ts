import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyCell,
  maskIPython,
  parsePipInstall,
  parseWritefileArgs,
  splitCellMagic,
  tokenizeShell,
} from '@kagg/core/notebook';

function kinds(source: string): string[] {
  return classifyCell(source).lines.map((line) => line.kind);
}

describe('classifyCell: IPython line rules', () => {
  it('tells line magics, shell, assignments and help apart', () => {
    const source = [
      'import os',
      '%matplotlib inline',
      '!ls -la',
      '!!ls',
      'files = !ls data',
      'home = %env HOME',
      'df.head?',
      'os.path??',
      '?os',
      '??os.path',
      'x = 1',
    ].join('\n');
    assert.deepEqual(kinds(source), [
      'python',
      'line-magic',
      'shell',
      'shell',
      'shell-assign',
      'magic-assign',
      'help',
      'help',
      'help',
      'help',
      'python',
    ]);
    const lines = classifyCell(source).lines;
    assert.equal(lines[1]!.magic, 'matplotlib');
    assert.equal(lines[1]!.args, 'inline');
    assert.equal(lines[2]!.command, 'ls -la');
    assert.equal(lines[3]!.command, 'ls');
    assert.equal(lines[4]!.target, 'files');
    assert.equal(lines[4]!.command, 'ls data');
    assert.equal(lines[5]!.target, 'home');
    assert.equal(lines[5]!.magic, 'env');
    assert.equal(lines[5]!.args, 'HOME');
  });

  it('numbers lines from 1 and keeps indentation', () => {
    const lines = classifyCell('if True:\n    %time x = 1\n\t!echo hi').lines;
    assert.deepEqual(
      lines.map((line) => [line.line, line.kind, line.indent]),
      [
        [1, 'python', ''],
        [2, 'line-magic', '    '],
        [3, 'shell', '\t'],
      ],
    );
    assert.equal(lines[1]!.magic, 'time');
    assert.equal(lines[1]!.args, 'x = 1');
  });

  it('accepts tuple targets for shell assignment', () => {
    const line = classifyCell('a, b = !echo 1 2').lines[0]!;
    assert.equal(line.kind, 'shell-assign');
    assert.equal(line.target, 'a, b');
  });

  it('never looks inside string literals', () => {
    const source = [
      'doc = """',
      '!pip install nothing',
      '%matplotlib inline',
      'what?',
      '"""',
      "s = '%d items?' % 3",
      "raw = r'''\\",
      '!still a string',
      "'''",
      'after = 1',
    ].join('\n');
    assert.deepEqual(kinds(source), Array(10).fill('python'));
  });

  it('treats a string that closes and reopens on one line correctly', () => {
    assert.deepEqual(kinds('x = """a""" + """\n!inside\n"""\n!outside'), ['python', 'python', 'python', 'shell']);
  });

  it('does not take a `?` inside a string or comment for help', () => {
    assert.deepEqual(kinds('print("why?")\nx = 1  # really?\ny = "?"'), ['python', 'python', 'python']);
  });

  it('treats lines inside open brackets and after a `\\` as Python', () => {
    assert.deepEqual(kinds('x = (1,\n  !2,\n  %3)\ny = 1 + \\\n  !4'), [
      'python',
      'python',
      'python',
      'python',
      'python',
    ]);
  });

  it('continues an IPython line ending with `\\` and joins it', () => {
    const lines = classifyCell('!pip install a \\\n    b \\\n    c\nx = 1').lines;
    assert.deepEqual(
      lines.map((line) => [line.kind, line.continuation ?? false]),
      [
        ['shell', false],
        ['shell', true],
        ['shell', true],
        ['python', false],
      ],
    );
    assert.equal(lines[0]!.command, 'pip install a b c');
    assert.equal(lines[1]!.command, undefined);
  });

  it('recognises a cell magic on the first line only', () => {
    const cell = classifyCell('%%writefile out.txt\nhello\n!not shell');
    assert.deepEqual(cell.cellMagic, { name: 'writefile', args: 'out.txt' });
    assert.deepEqual(kinds('%%writefile out.txt\nhello\n!not shell'), ['cell-magic', 'cell-magic', 'cell-magic']);
    const later = classifyCell('x = 1\n%%time\ny = 2');
    assert.equal(later.cellMagic, undefined);
    assert.equal(later.lines[1]!.kind, 'line-magic');
    assert.equal(later.lines[1]!.magic, '%time');
  });

  it('classifies the body of a Python-bodied cell magic as code, with cell line numbers', () => {
    const cell = classifyCell('%%capture\n!pip install x\nimport x');
    assert.deepEqual(cell.cellMagic, { name: 'capture', args: '' });
    assert.deepEqual(
      cell.lines.map((line) => [line.line, line.kind]),
      [
        [1, 'cell-magic'],
        [2, 'shell'],
        [3, 'python'],
      ],
    );
  });

  it('allows blank lines before a cell magic', () => {
    const cell = classifyCell('\n%%time\nx = 1');
    assert.equal(cell.cellMagic?.name, 'time');
    assert.deepEqual(kinds('\n%%time\nx = 1'), ['cell-magic', 'cell-magic', 'python']);
  });

  it('accepts CRLF line endings', () => {
    assert.deepEqual(kinds('x = 1\r\n!ls\r\ny = 2'), ['python', 'shell', 'python']);
  });
});

describe('maskIPython', () => {
  it('replaces IPython lines with pass at the same indent and keeps the line count', () => {
    const source = 'import os\n!pip install a \\\n  b\nif True:\n    %matplotlib inline\nx = 1\ny?';
    const masked = maskIPython(source);
    assert.equal(masked, 'import os\npass\n\nif True:\n    pass\nx = 1\npass');
    assert.equal(masked.split('\n').length, source.split('\n').length);
  });

  it('keeps the body of a Python-bodied cell magic and masks IPython inside it', () => {
    assert.equal(maskIPython('%%time\nimport json\n!pip install x'), '\nimport json\npass');
  });

  it('blanks the whole of any other cell magic', () => {
    assert.equal(maskIPython('%%bash\necho hi\nls'), '\n\n');
    assert.equal(maskIPython('%%writefile a.py\nimport json'), '\n');
  });

  it('leaves strings that look like magics alone', () => {
    const source = 'x = """\n%magic\n"""';
    assert.equal(maskIPython(source), source);
  });
});

describe('splitCellMagic and parseWritefileArgs', () => {
  it('splits magic, args and body', () => {
    assert.deepEqual(splitCellMagic('%%writefile -a "my file.py"\nline 1\nline 2'), {
      name: 'writefile',
      args: '-a "my file.py"',
      body: 'line 1\nline 2',
      magicLine: 1,
      bodyStartLine: 2,
    });
    assert.equal(splitCellMagic('x = 1'), undefined);
  });

  it('reads the path and the append flag', () => {
    assert.deepEqual(parseWritefileArgs('helper.py'), { path: 'helper.py', append: false });
    assert.deepEqual(parseWritefileArgs('-a log.txt'), { path: 'log.txt', append: true });
    assert.deepEqual(parseWritefileArgs("--append 'with space.txt'"), { path: 'with space.txt', append: true });
    assert.equal(parseWritefileArgs(''), undefined);
  });
});

describe('tokenizeShell', () => {
  it('handles quotes, escapes, operators and redirects', () => {
    assert.deepEqual(
      tokenizeShell(`echo 'a b' "c \\"d\\"" e\\ f && ls 2>&1 > out.txt; x|y # comment`).map((token) =>
        token.type === 'word'
          ? token.value
          : token.type === 'op'
            ? `op:${token.value}`
            : `r:${token.value}${token.target}`,
      ),
      ['echo', 'a b', 'c "d"', 'e f', 'op:&&', 'ls', 'r:>&1', 'r:>out.txt', 'op:;', 'x', 'op:|', 'y'],
    );
  });
});

describe('parsePipInstall', () => {
  const forms = [
    'pip install numpy',
    'pip3 install numpy',
    'pip3.11 install numpy',
    'python -m pip install numpy',
    'python3 -m pip install numpy',
    '{sys.executable} -m pip install numpy',
    '/usr/bin/python3 -m pip install numpy',
    'pip -q install numpy',
  ];
  for (const form of forms) {
    it(`recognises \`${form}\``, () => {
      assert.deepEqual(parsePipInstall(form), { packages: ['numpy'], warnings: [], otherCommands: [] });
    });
  }

  it('is undefined for commands that do not install', () => {
    assert.equal(parsePipInstall('pip list'), undefined);
    assert.equal(parsePipInstall('pip uninstall -y numpy'), undefined);
    assert.equal(parsePipInstall('python script.py install'), undefined);
    assert.equal(parsePipInstall('ls -la'), undefined);
    assert.equal(parsePipInstall('echo pip install numpy'), undefined);
  });

  it('skips flag options and consumes the value of value options', () => {
    const result = parsePipInstall(
      'pip install -q -U --upgrade --quiet --no-deps --user --no-cache-dir -qU --target /tmp/t a --progress-bar off b',
    );
    assert.deepEqual(result?.packages, ['a', 'b']);
    assert.deepEqual(result?.warnings, []);
  });

  it('warns about index options and still finds the packages', () => {
    const result = parsePipInstall(
      'pip install -i https://example.test/simple a --extra-index-url=https://x.test b -f links c',
    );
    assert.deepEqual(result?.packages, ['a', 'b', 'c']);
    assert.equal(result?.warnings.length, 3);
    assert.match(result!.warnings[0]!, /-i https:\/\/example\.test\/simple/);
  });

  it('warns about requirement files and editable installs', () => {
    const result = parsePipInstall('pip install -r requirements.txt -e ./lib -rmore.txt x');
    assert.deepEqual(result?.packages, ['x']);
    assert.equal(result?.warnings.length, 3);
    assert.match(result!.warnings[0]!, /-r requirements\.txt/);
    assert.match(result!.warnings[1]!, /-e \.\/lib/);
    assert.match(result!.warnings[2]!, /-r more\.txt/);
  });

  it('keeps a quoted pin and drops an unquoted one (a shell redirect) with a warning', () => {
    const result = parsePipInstall(`pip install "pandas>=2.0" 'numpy<2' scipy>=1.10 torch<3 polars==1.0`);
    assert.deepEqual(result?.packages, ['pandas>=2.0', 'numpy<2', 'scipy', 'torch', 'polars==1.0']);
    assert.equal(result?.warnings.length, 2);
    assert.match(result!.warnings[0]!, /scipy>=1\.10.*redirect.*scipy is installed unpinned/);
    assert.match(result!.warnings[1]!, /torch<3/);
  });

  it('does not warn about an ordinary output redirect', () => {
    assert.deepEqual(parsePipInstall('pip install x > /dev/null 2>&1'), {
      packages: ['x'],
      warnings: [],
      otherCommands: [],
    });
  });

  it('keeps extras, URLs and escaped characters', () => {
    assert.deepEqual(parsePipInstall('pip install "ray[tune]" git+https://github.com/o/r.git foo\\>=1')?.packages, [
      'ray[tune]',
      'git+https://github.com/o/r.git',
      'foo>=1',
    ]);
  });

  it('splits chained commands and returns the ones that are not pip installs', () => {
    const result = parsePipInstall('pip install a && python -m pip install b; echo done');
    assert.deepEqual(result?.packages, ['a', 'b']);
    assert.deepEqual(result?.otherCommands, ['echo done']);
  });

  it('reads a command joined from continuation lines', () => {
    const line = classifyCell('!pip install -q \\\n  "a==1" \\\n  b').lines[0]!;
    assert.deepEqual(parsePipInstall(line.command!)?.packages, ['a==1', 'b']);
  });
});
