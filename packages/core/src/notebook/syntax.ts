/**
 * Every converted cell is parsed by python3 before it is packaged, so a cell that is not valid Python
 * is refused here, naming its cell and line, instead of failing at start-up on the target. python3's
 * own `compile` is the judge, as in the runtime (so top-level await, `return` outside a function and
 * the like are caught too); no JavaScript Python grammar agrees with it on every version's edge cases.
 */
import { spawnSync } from 'node:child_process';
import { KaggError } from '../errors/index.js';

export interface ConvertedCell {
  index: number;
  id: string;
  text: string;
}

interface SyntaxProblem {
  cell: number;
  line: number;
  message: string;
}

const SCRIPT = `
import json, sys, warnings
warnings.simplefilter("ignore")
for cell in json.load(sys.stdin):
    try:
        compile(cell["text"], "cell", "exec", dont_inherit=True)
    except SyntaxError as e:
        print(json.dumps({"cell": cell["index"], "line": e.lineno or 1, "message": e.msg}))
        break
`;

/**
 * Throws NOTEBOOK_INVALID_PYTHON for the first cell python3 cannot parse. Returns a warning instead
 * when python3 cannot be run here (the target will still parse the cells at start-up).
 */
export function checkCellsParse(source: string, cells: ConvertedCell[]): string | undefined {
  if (cells.length === 0) return undefined;
  const run = spawnSync('python3', ['-c', SCRIPT], {
    input: JSON.stringify(cells.map(({ index, text }) => ({ index, text }))),
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 1 << 20,
  });
  if (run.error || run.status !== 0) {
    return 'python3 could not be run here, so the cells were not checked for Python syntax before packaging';
  }
  const out = run.stdout.trim();
  if (out === '') return undefined;
  const problem = JSON.parse(out) as SyntaxProblem;
  const cell = cells.find((c) => c.index === problem.cell)!;
  const text = cell.text.split('\n')[problem.line - 1]?.trim() ?? '';
  throw new KaggError(
    `${source}: cell ${cell.index} (id ${cell.id}), line ${problem.line}: not valid Python: ${problem.message}${text ? `: \`${text}\`` : ''}`,
    {
      code: 'NOTEBOOK_INVALID_PYTHON',
      action: 'fix the line in the notebook, or tag the cell `skip-deploy` to leave it out of the function',
      details: { source, cell: cell.index, cellId: cell.id, line: problem.line },
    },
  );
}
