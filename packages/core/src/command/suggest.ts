/**
 * "Did you mean": the closest known command to what was typed. oclif joins the words of an unknown
 * command with its arguments (`deplyo:nb.ipynb`), so the longest run of leading words that is close
 * to a command (or is a topic plus a close subcommand) is what the user meant as the command.
 */

/** Edit distance with adjacent transpositions (`deplyo` is one edit from `deploy`). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

export interface CommandSuggestion {
  /** The words the user typed as the command, space-separated. */
  typed: string;
  /** The closest command, space-separated; undefined when none is close. */
  suggestion: string | undefined;
}

/** `id` is oclif's `:`-joined id of the unknown command; `known` the ids (and aliases) that exist. */
export function suggestCommand(id: string, known: readonly string[]): CommandSuggestion {
  const words = id.split(':');
  const commands = known.map((k) => k.split(':'));
  const maxDepth = Math.max(1, ...commands.map((c) => c.length));
  let best: { typed: string[]; command: string[]; cost: number } | undefined;
  for (let depth = Math.min(maxDepth, words.length); depth >= 1; depth--) {
    const typed = words.slice(0, depth);
    for (const command of commands) {
      if (command.length !== depth) continue;
      const cost = command.reduce((sum, word, i) => sum + distance(typed[i]!.toLowerCase(), word), 0);
      const allowed = Math.max(1, Math.floor(command.join(' ').length / 3));
      if (cost <= allowed && (!best || cost < best.cost)) best = { typed, command, cost };
    }
    if (best) break;
  }
  const topicTyped = words.length > 1 && commands.some((c) => c.length > 1 && c[0] === words[0]);
  const typed = best ? best.typed : words.slice(0, topicTyped ? 2 : 1);
  return { typed: typed.join(' '), suggestion: best?.command.join(' ') };
}
