// Landing URL templates: validation at save time and filling at click time (pure functions).
//
// A landing URL is http(s) and may contain the placeholders {click_id} and {sub1}..{sub5} — exactly these
// names, in lower case, with balanced braces. At click time:
//   - {click_id} is replaced by the click id; when the template has no {click_id}, `click_id=<id>` is appended.
//   - {subN} is replaced by the URL-encoded subN query value ('' when absent). The subN parameter is then
//     consumed: it is not passed through again. A subN the template has no placeholder for is appended as
//     `subN=<value>` when present, so sub-IDs always reach the landing page.
//   - every other query parameter passes through unchanged, except an incoming `click_id`, which is dropped:
//     the landing page must only ever see the id we minted.
// Appended parameters go before any #fragment.

export const PLACEHOLDERS = ['click_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER_SET: ReadonlySet<string> = new Set(PLACEHOLDERS);

/** Problems with a landing URL template (empty list = valid). */
export function lintLandingUrl(template: string): string[] {
  const problems: string[] = [];
  if (template.length > 2048) problems.push('The landing URL is longer than 2048 characters.');
  if (/\s/.test(template)) problems.push('The landing URL contains whitespace; encode it (%20).');
  else if (/[^\x21-\x7e]/.test(template))
    problems.push('The landing URL contains non-ASCII or control characters; percent-encode them.');
  // Braces: every { closes with } before another {, and every } has its {.
  let open = -1;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '{') {
      if (open >= 0) {
        problems.push(
          `Unbalanced braces: "{" at position ${open + 1} is not closed before the "{" at position ${i + 1}.`,
        );
        return problems;
      }
      open = i;
    } else if (ch === '}') {
      if (open < 0) {
        problems.push(`Unbalanced braces: "}" at position ${i + 1} has no "{" before it.`);
        return problems;
      }
      const name = template.slice(open + 1, i);
      if (!PLACEHOLDER_SET.has(name)) {
        const lower = name.toLowerCase();
        problems.push(
          PLACEHOLDER_SET.has(lower)
            ? `Placeholder {${name}} must be written in lower case: {${lower}}.`
            : `Unknown placeholder {${name}}; use only {click_id} and {sub1}..{sub5}.`,
        );
      }
      open = -1;
    }
  }
  if (open >= 0) problems.push(`Unbalanced braces: "{" at position ${open + 1} is never closed.`);
  if (problems.length > 0) return problems;
  // The URL with placeholders replaced by a sample value must be an absolute http(s) URL with a host.
  let url: URL;
  try {
    url = new URL(template.replace(/\{[a-z0-9_]+\}/g, 'x'));
  } catch {
    problems.push('The landing URL is not a valid absolute URL (https://example.com/path).');
    return problems;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    problems.push('The landing URL must start with http:// or https://.');
  else if (!url.hostname) problems.push('The landing URL has no host.');
  if (url.username || url.password)
    problems.push('The landing URL must not contain a user name or password.');
  if (/^[a-z]+:\/\/[^/?#]*\{/i.test(template))
    problems.push('Placeholders cannot be used in the host part of the landing URL.');
  return problems;
}

/** A template split once into literal parts and placeholders, so filling it is a join. */

export interface Compiled {
  /** Literal/placeholder parts of the URL without its fragment. */
  parts: string[];
  kinds: (Placeholder | null)[];
  has: Record<Placeholder, boolean>;
  hasQuery: boolean;
  fragment: string; // '' or '#...'
}

export function compileLanding(template: string): Compiled {
  const hash = template.indexOf('#');
  const base = hash >= 0 ? template.slice(0, hash) : template;
  const fragment = hash >= 0 ? template.slice(hash) : '';
  const parts: string[] = [];
  const kinds: (Placeholder | null)[] = [];
  const has: Record<Placeholder, boolean> = {
    click_id: false,
    sub1: false,
    sub2: false,
    sub3: false,
    sub4: false,
    sub5: false,
  };
  const re = /\{(click_id|sub[1-5])\}/g;
  let last = 0;
  for (let m = re.exec(base); m; m = re.exec(base)) {
    if (m.index > last) {
      parts.push(base.slice(last, m.index));
      kinds.push(null);
    }
    parts.push('');
    kinds.push(m[1] as Placeholder);
    has[m[1] as Placeholder] = true;
    last = m.index + m[0].length;
  }
  if (last < base.length) {
    parts.push(base.slice(last));
    kinds.push(null);
  }
  // Placeholders inside the fragment are filled too (single-page landings read them there).
  for (const m of fragment.matchAll(/\{(click_id|sub[1-5])\}/g)) has[m[1] as Placeholder] = true;
  return { parts, kinds, has, hasQuery: base.includes('?'), fragment };
}

const SUB_KEYS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

/** The parsed incoming query: sub-IDs (decoded, truncated) and the other parameters as safe raw segments. */
export interface ClickQuery {
  subs: [string | null, string | null, string | null, string | null, string | null];
  passThrough: string[]; // "key=value" segments, percent-encoded
}

const SAFE_SEGMENT = /^[A-Za-z0-9\-._~%!$'()*+,;=:@/?]*$/;
const MAX_SUB = 255;

function safeDecode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function isWellEncoded(s: string): boolean {
  if (!SAFE_SEGMENT.test(s)) return false;
  // Every % must start a valid escape.
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
  }
  return true;
}

/** Parses the raw query string of a click (everything after "?"). */
export function parseClickQuery(raw: string): ClickQuery {
  const subs: ClickQuery['subs'] = [null, null, null, null, null];
  const passThrough: string[] = [];
  if (raw.length === 0) return { subs, passThrough };
  const segments = raw.split('&');
  for (let i = 0; i < segments.length && i < 100; i++) {
    const seg = segments[i] as string;
    if (seg.length === 0) continue;
    const eq = seg.indexOf('=');
    const rawKey = eq >= 0 ? seg.slice(0, eq) : seg;
    const key = rawKey.length <= 9 ? safeDecode(rawKey) : rawKey;
    if (key.length === 4 && key.startsWith('sub')) {
      const n = key.charCodeAt(3) - 49; // '1' → 0
      if (n >= 0 && n < 5) {
        if (subs[n] === null) {
          const v = eq >= 0 ? safeDecode(seg.slice(eq + 1)) : '';
          subs[n] = v.length > MAX_SUB ? v.slice(0, MAX_SUB) : v;
        }
        continue;
      }
    }
    if (key === 'click_id') continue;
    if (isWellEncoded(seg)) passThrough.push(seg);
    else {
      const value = eq >= 0 ? seg.slice(eq + 1) : null;
      passThrough.push(
        value === null
          ? encodeURIComponent(safeDecode(rawKey))
          : `${encodeURIComponent(safeDecode(rawKey))}=${encodeURIComponent(safeDecode(value))}`,
      );
    }
  }
  return { subs, passThrough };
}

function placeholderValue(p: Placeholder, clickId: string, subs: ClickQuery['subs']): string {
  if (p === 'click_id') return clickId;
  const v = subs[p.charCodeAt(3) - 49];
  return v ? encodeURIComponent(v) : '';
}

/** The Location of a click: the template filled, unused sub-IDs and other parameters appended. */
export function fillLanding(c: Compiled, clickId: string, q: ClickQuery): string {
  let url = '';
  for (let i = 0; i < c.parts.length; i++) {
    const k = c.kinds[i];
    url += k === null ? (c.parts[i] as string) : placeholderValue(k as Placeholder, clickId, q.subs);
  }
  let sep = c.hasQuery ? (url.endsWith('?') || url.endsWith('&') ? '' : '&') : '?';
  if (!c.has.click_id) {
    url += `${sep}click_id=${clickId}`;
    sep = '&';
  }
  for (let n = 0; n < 5; n++) {
    const v = q.subs[n];
    if (v !== null && v !== undefined && !c.has[SUB_KEYS[n] as Placeholder]) {
      url += `${sep}${SUB_KEYS[n]}=${encodeURIComponent(v)}`;
      sep = '&';
    }
  }
  for (const seg of q.passThrough) {
    url += sep + seg;
    sep = '&';
  }
  if (c.fragment) {
    let frag = c.fragment;
    if (frag.includes('{'))
      frag = frag.replace(/\{(click_id|sub[1-5])\}/g, (_m, p: Placeholder) =>
        placeholderValue(p, clickId, q.subs),
      );
    url += frag;
  }
  return url;
}
