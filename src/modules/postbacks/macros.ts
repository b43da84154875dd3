// Postback templates: the macro linter (run at save time) and the renderer (run for every attempt). Both are
// pure. A template is text with `{macro}` placeholders from a closed list; the linter names every problem
// with its position, and the renderer replaces every known macro, URL-encoding (or JSON-escaping) values.

export const MACROS = [
  'click_id',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'event',
  'txid',
  'amount',
  'currency',
  'payout',
  'partner_id',
  'link_code',
  'country',
  'timestamp',
] as const;
export type Macro = (typeof MACROS)[number];
export type MacroValues = Partial<Record<Macro, string | null | undefined>>;

const MACRO_SET: ReadonlySet<string> = new Set(MACROS);

export function isMacro(name: string): name is Macro {
  return MACRO_SET.has(name);
}

export type LintCode =
  | 'unknown_macro'
  | 'wrong_case'
  | 'empty_macro'
  | 'unbalanced_open'
  | 'unbalanced_close'
  | 'nested_braces'
  | 'encoded_macro'
  | 'invalid_url'
  | 'scheme'
  | 'credentials'
  | 'macro_in_host'
  | 'whitespace';

export interface LintProblem {
  code: LintCode;
  severity: 'error' | 'warning';
  /** 0-based offset of the problem in the template. */
  index: number;
  /** How many characters the problem covers. */
  length: number;
  message: string;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/** The known macro closest to a name (ignoring case, hyphens and spaces), or null when nothing is close. */
export function closestMacro(name: string): Macro | null {
  const n = name.toLowerCase().replace(/[-\s.]/g, '_');
  let best: Macro | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const m of MACROS) {
    const d = editDistance(n, m);
    if (d < bestD) {
      bestD = d;
      best = m;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

const LIST = MACROS.map((m) => `{${m}}`).join(' ');

function macroProblem(name: string, index: number, length: number): LintProblem | null {
  if (isMacro(name)) return null;
  if (name.trim() === '') {
    return {
      code: 'empty_macro',
      severity: 'error',
      index,
      length,
      message: `Empty macro "{${name}}" at position ${index}; the macros are ${LIST}.`,
    };
  }
  const lower = name.toLowerCase();
  if (isMacro(lower)) {
    return {
      code: 'wrong_case',
      severity: 'error',
      index,
      length,
      message: `"{${name}}" at position ${index} is in the wrong case: use {${lower}}.`,
    };
  }
  const near = closestMacro(name);
  return {
    code: 'unknown_macro',
    severity: 'error',
    index,
    length,
    message: `Unknown macro "{${name}}" at position ${index}${near ? `; did you mean {${near}}?` : `; the macros are ${LIST}.`}`,
  };
}

/** Checks brace structure and macro names. Works on any text (URL or body template). */
export function lintMacros(template: string): LintProblem[] {
  const problems: LintProblem[] = [];
  let open = -1;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{') {
      if (open >= 0) {
        problems.push({
          code: 'nested_braces',
          severity: 'error',
          index: i,
          length: 1,
          message: `"{" at position ${i} opens a macro inside the one opened at position ${open}; macros cannot be nested.`,
        });
        // Skip to the matching close of the outer macro so one mistake is reported once.
        let depth = 2;
        let j = i + 1;
        for (; j < template.length && depth > 0; j++) {
          if (template[j] === '{') depth += 1;
          else if (template[j] === '}') depth -= 1;
        }
        if (depth > 0) {
          problems.push({
            code: 'unbalanced_open',
            severity: 'error',
            index: open,
            length: template.length - open,
            message: `"{" at position ${open} is never closed with "}".`,
          });
        }
        i = j - 1;
        open = -1;
        continue;
      }
      open = i;
    } else if (ch === '}') {
      if (open < 0) {
        problems.push({
          code: 'unbalanced_close',
          severity: 'error',
          index: i,
          length: 1,
          message: `"}" at position ${i} closes nothing; write macros as {click_id}.`,
        });
        continue;
      }
      const p = macroProblem(template.slice(open + 1, i), open, i - open + 1);
      if (p) problems.push(p);
      open = -1;
    }
  }
  if (open >= 0) {
    problems.push({
      code: 'unbalanced_open',
      severity: 'error',
      index: open,
      length: template.length - open,
      message: `"{" at position ${open} is never closed with "}".`,
    });
  }
  // %7B...%7D is a brace that was URL-encoded: it is sent literally and never replaced.
  for (const m of template.matchAll(/%7b([A-Za-z0-9_]{1,40})%7d/gi)) {
    const name = m[1] as string;
    const near = isMacro(name.toLowerCase()) ? name.toLowerCase() : closestMacro(name);
    problems.push({
      code: 'encoded_macro',
      severity: 'warning',
      index: m.index,
      length: m[0].length,
      message: `"${m[0]}" at position ${m.index} looks like a URL-encoded macro; it is sent as written and never replaced${near ? `. Write {${near}}` : ''}.`,
    });
  }
  return problems;
}

/**
 * Lints a body template. Bodies are often JSON, whose own braces are not macros, so here a macro is a brace
 * pair around a word (`{txid}`, `{TxId}`, `{sub 1}`); each must be a known macro in the right case. Whether
 * the rest is valid JSON is checked after rendering.
 */
export function lintBodyMacros(template: string): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const m of template.matchAll(/\{([A-Za-z][A-Za-z0-9_. -]{0,39})\}/g)) {
    const p = macroProblem(m[1] as string, m.index, m[0].length);
    if (p) problems.push(p);
  }
  for (const p of lintMacros(template)) if (p.code === 'encoded_macro') problems.push(p);
  return sortProblems(problems);
}

/** The URL a template stands for, with every macro as a harmless placeholder (for URL-level checks). */
function placeholderUrl(template: string): string {
  return template.replace(/\{[^{}]*\}/g, 'x');
}

/**
 * Lints a URL template: macros (lintMacros) plus the URL itself: http(s) only, no credentials, no macro in
 * the scheme, host or port (click data must never choose the destination), no whitespace.
 */
export function lintUrlTemplate(template: string): LintProblem[] {
  const problems = lintMacros(template);
  let wsAt = -1;
  for (let i = 0; i < template.length && wsAt < 0; i++) {
    const c = template.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || /\s/.test(template[i] as string)) wsAt = i;
  }
  const ws = wsAt < 0 ? null : { index: wsAt };
  if (ws) {
    problems.push({
      code: 'whitespace',
      severity: 'error',
      index: ws.index,
      length: 1,
      message: `The URL contains a space or control character at position ${ws.index}; encode it (%20) or remove it.`,
    });
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(template);
  if (!scheme) {
    problems.push({
      code: 'scheme',
      severity: 'error',
      index: 0,
      length: 0,
      message: 'The URL must start with https:// or http://.',
    });
    return sortProblems(problems);
  }
  const name = (scheme[1] as string).toLowerCase();
  if (name !== 'http' && name !== 'https') {
    problems.push({
      code: 'scheme',
      severity: 'error',
      index: 0,
      length: (scheme[1] as string).length,
      message: `The scheme "${scheme[1]}" is not allowed; use https:// (or http://).`,
    });
    return sortProblems(problems);
  }
  const afterScheme = (scheme[0] as string).length;
  if (template.slice(afterScheme, afterScheme + 2) !== '//') {
    problems.push({
      code: 'invalid_url',
      severity: 'error',
      index: afterScheme,
      length: 0,
      message: `Write the URL as ${name}://host/path.`,
    });
    return sortProblems(problems);
  }
  const authStart = afterScheme + 2;
  const rest = template.slice(authStart);
  const authLen = rest.search(/[/?#]/);
  const authority = authLen < 0 ? rest : rest.slice(0, authLen);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    problems.push({
      code: 'credentials',
      severity: 'error',
      index: authStart,
      length: at + 1,
      message:
        'The URL contains credentials (user:password@); put a token in the query string or use the signing secret instead.',
    });
  }
  const brace = authority.search(/[{}]/);
  if (brace >= 0) {
    problems.push({
      code: 'macro_in_host',
      severity: 'error',
      index: authStart + brace,
      length: authority.length - brace,
      message: 'Macros are not allowed in the host or port: the destination must not depend on click data.',
    });
  }
  if (!problems.some((p) => p.severity === 'error')) {
    try {
      const url = new URL(placeholderUrl(template));
      if (!url.hostname) throw new Error('no host');
    } catch {
      problems.push({
        code: 'invalid_url',
        severity: 'error',
        index: 0,
        length: template.length,
        message: 'This is not a valid URL.',
      });
    }
  }
  return sortProblems(problems);
}

function sortProblems(p: LintProblem[]): LintProblem[] {
  return p.sort((a, b) => a.index - b.index || a.code.localeCompare(b.code));
}

export type Encoding = 'url' | 'json' | 'form' | 'none';

export interface Rendered {
  text: string;
  /** Macros that appear in the template and had no value (rendered as empty strings). */
  empty: Macro[];
}

function encode(value: string, how: Encoding): string {
  if (how === 'url') return encodeURIComponent(value);
  if (how === 'form') return encodeURIComponent(value).replace(/%20/g, '+');
  if (how === 'json') return JSON.stringify(value).slice(1, -1);
  return value;
}

/**
 * Replaces every known macro with its value, encoded for where it goes: `url` (percent-encoding, the
 * default), `form` (application/x-www-form-urlencoded), `json` (escaped for a JSON string) or `none`.
 * A macro without a value becomes the empty string and is reported in `empty`.
 */
export function renderTemplate(template: string, values: MacroValues, how: Encoding = 'url'): Rendered {
  const empty = new Set<Macro>();
  const text = template.replace(/\{([a-z0-9_]+)\}/g, (whole, name: string) => {
    if (!isMacro(name)) return whole;
    const v = values[name];
    if (v === undefined || v === null || v === '') {
      empty.add(name);
      return '';
    }
    return encode(String(v), how);
  });
  return { text, empty: MACROS.filter((m) => empty.has(m)) };
}

/** Macros a template uses (known ones only), in first-use order. */
export function macrosIn(template: string): Macro[] {
  const seen: Macro[] = [];
  for (const m of template.matchAll(/\{([a-z0-9_]+)\}/g)) {
    const name = m[1] as string;
    if (isMacro(name) && !seen.includes(name)) seen.push(name);
  }
  return seen;
}
