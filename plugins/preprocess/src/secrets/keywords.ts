/**
 * Which rules a text needs: with a few hundred rules, asking each rule whether one of its keywords
 * was found costs more than the scan itself, so the rules are indexed once by keyword and each text
 * runs only the rules its keywords name, plus those that have no keyword.
 */
/** The rules to run on a text, in table order: those without keywords and those a found keyword names. */
export function rulesToRun<Rule extends { keywords: string[] }>(
  rules: Rule[],
  byKeyword: Map<string, number[]>,
  always: number[],
  found: Set<string>,
): Rule[] {
  if (found.size === 0) return always.map((k) => rules[k]!);
  const picked = new Set(always);
  for (const keyword of found) for (const k of byKeyword.get(keyword) ?? []) picked.add(k);
  return [...picked].sort((a, b) => a - b).map((k) => rules[k]!);
}

/** For each lower-case keyword, the indexes of the rules it names; and the rules with no keyword. */
export function indexRules(rules: Array<{ keywords: string[] }>): {
  byKeyword: Map<string, number[]>;
  always: number[];
} {
  const byKeyword = new Map<string, number[]>();
  const always: number[] = [];
  rules.forEach((rule, k) => {
    if (rule.keywords.length === 0) always.push(k);
    for (const keyword of new Set(rule.keywords.map((word) => word.toLowerCase()))) {
      const list = byKeyword.get(keyword) ?? [];
      list.push(k);
      byKeyword.set(keyword, list);
    }
  });
  return { byKeyword, always };
}
