// Builds a test corpus from a gitleaks checkout: the true- and false-positive strings of each rule in
// cmd/generate/config/rules/*.go. Those lists are Go code (literals, concatenation, append, loops, and
// calls that generate a random value from a regex), so each rule function's statements that build them
// are translated to JavaScript and run with small stand-ins for gitleaks' helpers. A statement that
// does not translate is counted and skipped, never guessed. The random values are seeded: the same
// checkout gives the same corpus.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// --- a seeded generator of strings matching a regex (RE2 syntax, the subset rule tests use) -------
let seed = 0x2545f491;
const rand = (n) => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
};

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const WORD = `${LOWER}${UPPER}${DIGITS}_`;
const ESCAPE_SETS = { d: DIGITS, w: WORD, s: ' ', D: 'x', W: '-', S: 'x' };

function parseRegex(source) {
  let i = 0;
  let icase = false;
  const peek = () => source[i];
  function escapeChar() {
    const c = source[i++];
    if (c === 'x') {
      if (source[i] === '{') {
        const end = source.indexOf('}', i);
        const hex = source.slice(i + 1, end);
        i = end + 1;
        return String.fromCodePoint(Number.parseInt(hex, 16));
      }
      const hex = source.slice(i, i + 2);
      i += 2;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    return { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' }[c] ?? c;
  }
  function parseClass() {
    let negate = false;
    if (peek() === '^') {
      negate = true;
      i++;
    }
    let chars = '';
    let first = true;
    while (i < source.length && (peek() !== ']' || first)) {
      first = false;
      if (source.startsWith('[:', i)) {
        const end = source.indexOf(':]', i);
        const name = source.slice(i + 2, end);
        chars +=
          {
            alnum: LOWER + UPPER + DIGITS,
            alpha: LOWER + UPPER,
            digit: DIGITS,
            lower: LOWER,
            upper: UPPER,
            xdigit: '0123456789abcdef',
            word: WORD,
            punct: '!#%&*+,-./:;=?@^_~',
          }[name] ?? 'a';
        i = end + 2;
        continue;
      }
      let c = source[i++];
      if (c === '\\') {
        const e = source[i];
        if (ESCAPE_SETS[e] !== undefined) {
          i++;
          chars += ESCAPE_SETS[e];
          continue;
        }
        c = escapeChar();
      }
      if (peek() === '-' && source[i + 1] !== ']' && i + 1 < source.length) {
        i++;
        let d = source[i++];
        if (d === '\\') d = escapeChar();
        for (let k = c.codePointAt(0); k <= d.codePointAt(0); k++) chars += String.fromCodePoint(k);
      } else chars += c;
    }
    i++; // ]
    if (negate) {
      const pool = (LOWER + UPPER + DIGITS).split('').filter((ch) => !chars.includes(ch));
      return { type: 'set', chars: pool.join('') || 'x' };
    }
    if (icase) chars = [...new Set((chars + chars.toUpperCase() + chars.toLowerCase()).split(''))].join('');
    return { type: 'set', chars };
  }
  function parseAtom() {
    const c = source[i++];
    if (c === '(') {
      if (source.startsWith('?:', i)) i += 2;
      else if (source.startsWith('?P<', i) || source.startsWith('?<', i)) i = source.indexOf('>', i) + 1;
      else if (source[i] === '?') {
        const end = source.slice(i).search(/[:)]/) + i;
        const flags = source.slice(i + 1, end);
        if (flags.includes('i') && !flags.startsWith('-')) icase = true;
        i = end + 1;
        if (source[end] === ')') return { type: 'lit', text: '' };
      }
      const node = parseAlt();
      i++; // )
      return node;
    }
    if (c === '[') return parseClass();
    if (c === '.') return { type: 'set', chars: LOWER + DIGITS };
    if (c === '^' || c === '$') return { type: 'lit', text: '' };
    if (c === '\\') {
      const e = source[i];
      if (ESCAPE_SETS[e] !== undefined) {
        i++;
        return { type: 'set', chars: ESCAPE_SETS[e] };
      }
      if (e === 'b' || e === 'B' || e === 'A' || e === 'z') {
        i++;
        return { type: 'lit', text: '' };
      }
      return { type: 'lit', text: escapeChar() };
    }
    return { type: 'lit', text: c };
  }
  function parseQuantified() {
    let atom = parseAtom();
    for (;;) {
      const c = peek();
      let min;
      let max;
      if (c === '*') [min, max] = [0, 2];
      else if (c === '+') [min, max] = [1, 3];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(?:,\d*)?\}/.test(source.slice(i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? min + 2 : Number(m[3]);
        i += m[0].length - 1;
      } else return atom;
      i++;
      if (peek() === '?') i++;
      atom = { type: 'rep', atom, min, max };
    }
  }
  function parseSeq() {
    const items = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') items.push(parseQuantified());
    return { type: 'seq', items };
  }
  function parseAlt() {
    const options = [parseSeq()];
    while (peek() === '|') {
      i++;
      options.push(parseSeq());
    }
    return { type: 'alt', options };
  }
  const lead = /^\(\?i\)/.exec(source);
  if (lead) {
    icase = true;
    i = lead[0].length;
  }
  return parseAlt();
}

function generate(node) {
  switch (node.type) {
    case 'lit':
      return node.text;
    case 'set':
      return node.chars[rand(node.chars.length)];
    case 'seq':
      return node.items.map(generate).join('');
    case 'alt':
      return generate(node.options[rand(node.options.length)]);
    case 'rep': {
      const count = node.min + rand(node.max - node.min + 1);
      let out = '';
      for (let k = 0; k < count; k++) out += generate(node.atom);
      return out;
    }
  }
  return '';
}

export const newSecret = (regex) => generate(parseRegex(regex));

// --- Go source to JavaScript, statement by statement ---------------------------------------------
function decodeGoString(body) {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v' }[e] ?? e;
  });
}

/** Go tokens: strings become JavaScript string literals, comments are dropped. */
function tokenize(source) {
  const tokens = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end;
    } else if (source.startsWith('/*', i)) i = source.indexOf('*/', i) + 2;
    else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      tokens.push({ t: 'str', v: JSON.stringify(source.slice(i + 1, end).replace(/\r/g, '')) });
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      tokens.push({ t: 'str', v: JSON.stringify(decodeGoString(source.slice(i + 1, j))) });
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (source[j] !== "'") j += source[j] === '\\' ? 2 : 1;
      tokens.push({ t: 'str', v: JSON.stringify(decodeGoString(source.slice(i + 1, j))) });
      i = j + 1;
    } else if (c === '\n') {
      tokens.push({ t: 'nl', v: '\n' });
      i++;
    } else if (/\s/.test(c)) i++;
    else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 200));
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9a-fA-FxX._]*/.exec(source.slice(i, i + 50));
      tokens.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else {
      const m = /^(?:\.\.\.|:=|\+\+|--|\+=|==|!=|<=|>=|&&|\|\||[^\s])/.exec(source.slice(i, i + 3));
      tokens.push({ t: 'op', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/** Splits a function body's tokens into top-level statements. */
function statements(tokens) {
  const out = [];
  let current = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.t === 'op' && '([{'.includes(token.v)) depth++;
    if (token.t === 'op' && ')]}'.includes(token.v)) depth--;
    if (token.t === 'nl') {
      const last = current[current.length - 1];
      if (
        depth === 0 &&
        current.length > 0 &&
        !(last.t === 'op' && ['+', ',', '(', '{', '&&', '||'].includes(last.v))
      ) {
        out.push(current);
        current = [];
      } else if (depth > 0) current.push(token); // a loop body's statements are split again later
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** JavaScript text of a Go expression or simple statement (the forms rule tests use). */
function translate(tokens) {
  let js = '';
  const closers = [];
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    const next = tokens[k + 1];
    if (token.t === 'str' || token.t === 'num') js += token.v;
    else if (token.t === 'id') {
      // []string{ / map[string]string{ / []byte(: composite literals and conversions
      if (token.v === 'map' && next?.v === '[') {
        let j = k;
        while (tokens[j].v !== '{') j++;
        js += '({';
        closers.push('})');
        k = j;
        continue;
      }
      js += token.v === 'nil' ? 'null' : token.v;
      js += ' ';
    } else if (token.v === '[' && next?.v === ']') {
      let j = k + 2;
      while (tokens[j] && (tokens[j].t === 'id' || tokens[j].v === '*' || tokens[j].v === '.')) j++;
      const type = tokens
        .slice(k + 2, j)
        .map((t) => t.v)
        .join('');
      if (tokens[j]?.v === '{') {
        js += '[';
        closers.push(']');
        k = j;
      } else if (tokens[j]?.v === '(') {
        js += type === 'byte' ? 'goBytes' : '';
        k = j - 1;
      } else js += '[]';
    } else if (token.v === '{') {
      js += '{';
      closers.push('}');
    } else if (token.v === '}') js += closers.pop() ?? '}';
    else if (token.v === '...') continue;
    else if (token.v === ':=') js += '=';
    else js += token.v;
  }
  return js;
}

const GO_HELPERS = String.raw`
const append = (list, ...items) => [...(list ?? []), ...items.flatMap((x) => (Array.isArray(x) ? x : x && typeof x === 'object' ? Object.values(x) : [x]))];
const sprintf = (format, ...args) => { let k = 0; return format.replace(/%[-+# 0]*\d*(?:\.\d+)?([svdqx%])/g, (m, verb) => verb === '%' ? '%' : verb === 'q' ? JSON.stringify(String(args[k++])) : String(args[k++])); };
const fmt = { Sprintf: sprintf };
const strings = { Repeat: (s, n) => s.repeat(n), ToUpper: (s) => s.toUpperCase(), ToLower: (s) => s.toLowerCase(), Join: (a, sep) => a.join(sep), ReplaceAll: (s, a, b) => s.split(a).join(b) };
const goBytes = (s) => s;
const base64 = { StdEncoding: { EncodeToString: (s) => Buffer.from(s).toString('base64') }, RawURLEncoding: { EncodeToString: (s) => Buffer.from(s).toString('base64url') }, URLEncoding: { EncodeToString: (s) => Buffer.from(s).toString('base64url') } };
const string = (s) => s;
const len = (x) => x.length;
`;

/** gitleaks' sample-writing helpers, from the checkout's utils/generate.go and patterns.go. */
function utilsFrom(checkout) {
  const generate = readFileSync(path.join(checkout, 'cmd/generate/config/utils/generate.go'), 'utf8');
  const start = generate.indexOf('samples := map[string]string{');
  const body = generate.slice(start + 'samples := '.length);
  const tokens = tokenize(body);
  let depth = 0;
  let end = 0;
  for (; end < tokens.length; end++) {
    if (tokens[end].v === '{') depth++;
    if (tokens[end].v === '}' && --depth === 0) break;
  }
  const templates = Object.values(
    new Function(`return ${translate(tokens.slice(0, end + 1).filter((t) => t.t !== 'nl'))}`)(),
  );
  const single =
    /GenerateSampleSecret\(identifier string, secret string\) string \{\s*return fmt\.Sprintf\("((?:[^"\\]|\\.)*)"/.exec(
      generate,
    );
  const singleTemplate = decodeGoString(single?.[1] ?? '%s_api_token = \\"%s\\"');
  const patterns = readFileSync(path.join(checkout, 'cmd/generate/config/utils/patterns.go'), 'utf8');
  const utils = {
    GenerateSampleSecrets: (id, secret) =>
      templates.map((t) => t.replaceAll('{i}', id).replaceAll('{I}', id.toUpperCase()).replaceAll('{s}', secret)),
    GenerateSampleSecret: (id, secret) => {
      let k = 0;
      return singleTemplate.replace(/%s/g, () => (k++ === 0 ? id : secret));
    },
  };
  for (const m of patterns.matchAll(
    /func (\w+)\((?:size string)?\) string \{\s*return (?:fmt\.Sprintf\(`([^`]*)`, size\)|`([^`]*)`)/g,
  )) {
    const [, name, withSize, fixed] = m;
    utils[name] = withSize === undefined ? () => fixed : (size) => withSize.replace('%s', size);
  }
  return utils;
}

/**
 * The corpus: for every rule function that calls `utils.Validate`, its id, true positives and false
 * positives. `skipped` counts statements that did not translate or run.
 */
export function buildCorpus(checkout) {
  seed = 0x2545f491;
  const utils = utilsFrom(checkout);
  const secrets = { NewSecret: newSecret };
  const dir = path.join(checkout, 'cmd/generate/config/rules');
  const rules = [];
  let skipped = 0;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
    .sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const fn of text.split(/\nfunc /).slice(1)) {
      if (!/utils\.Validate(?:WithPaths)?\(/.test(fn)) continue;
      const id = /RuleID:\s*"([^"]+)"/.exec(fn)?.[1];
      const validate = /utils\.Validate(?:WithPaths)?\(\s*\w+\s*,\s*(\w+)\s*,\s*(\w+)\s*\)/.exec(fn);
      if (!id || !validate) continue;
      const bodyStart = fn.indexOf('{\n');
      const body = tokenize(fn.slice(bodyStart + 1, fn.lastIndexOf('}')));
      let js = '';
      for (const statement of statements(body)) {
        const head = statement.map((t) => t.v).join(' ');
        if (/\bconfig\.|regexp\.|\bRegex\b|^return\b|^r \.|^r =|^r :=|^\/\//.test(head) && !/^for\b/.test(head))
          continue;
        let code;
        if (statement[0].v === 'for') {
          const brace = statement.findIndex((t) => t.v === '{');
          const header = statement.slice(1, brace);
          const range = header.findIndex((t) => t.v === 'range');
          if (range < 0) continue;
          const names = header.slice(0, range - 1).filter((t) => t.t === 'id');
          const value = names[names.length - 1]?.v ?? '_';
          const iterable = translate(header.slice(range + 1));
          const inner = statements(statement.slice(brace + 1, -1));
          const bodyJs = inner.map((s) => `${translate(s)};`).join('\n');
          const src = names.length === 2 ? `Object.entries(${iterable})` : `Object.values(${iterable})`;
          code =
            names.length === 2
              ? `for (const [${names[0].v === '_' ? '_k' : names[0].v}, ${value === '_' ? '_v' : value}] of ${src}) { ${bodyJs} }`
              : `for (const ${value} of ${src}) { ${bodyJs} }`;
        } else {
          const declared = statement[0].t === 'id' && statement[1]?.v === ':=' ? statement[0].v : undefined;
          const varDecl = statement[0].v === 'var' ? statement[1]?.v : undefined;
          if (varDecl) {
            const eq = statement.findIndex((t) => t.v === '=');
            code = eq < 0 ? `var ${varDecl} = [];` : `var ${varDecl} = ${translate(statement.slice(eq + 1))};`;
          } else code = `${declared ? 'var ' : ''}${translate(statement)};`;
        }
        js += `try { ${code} } catch (error) { __skipped++; }\n`;
      }
      const [, tpName, fpName] = validate;
      const program = `${GO_HELPERS}\nlet __skipped = 0;\n${js}\nreturn { tps: typeof ${tpName} === 'undefined' ? [] : ${tpName}, fps: ${fpName === 'nil' ? '[]' : `typeof ${fpName} === 'undefined' ? [] : ${fpName}`}, skipped: __skipped };`;
      try {
        const result = new Function('utils', 'secrets', program)(utils, secrets);
        const flat = (x) => (Array.isArray(x) ? x : x && typeof x === 'object' ? Object.values(x) : []);
        rules.push({
          id,
          file,
          tps: flat(result.tps).filter((s) => typeof s === 'string' && s.trim() !== ''),
          fps: flat(result.fps).filter((s) => typeof s === 'string' && s.trim() !== ''),
        });
        skipped += result.skipped;
      } catch {
        skipped++;
        rules.push({ id, file, tps: [], fps: [], failed: true });
      }
    }
  }
  return { rules, skipped };
}
