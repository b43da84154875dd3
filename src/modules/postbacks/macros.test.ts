// The macro linter and renderer: named cases for every rule, and properties over generated templates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closestMacro,
  editDistance,
  type LintCode,
  lintBodyMacros,
  lintMacros,
  lintUrlTemplate,
  MACROS,
  macrosIn,
  renderTemplate,
} from './macros.ts';

const codes = (t: string) => lintUrlTemplate(t).map((p) => p.code);
const errors = (t: string) => lintUrlTemplate(t).filter((p) => p.severity === 'error');

describe('lintUrlTemplate: named cases', () => {
  it('accepts a template with every macro', () => {
    const t = `https://tracker.example.com/pb?${MACROS.map((m) => `${m}={${m}}`).join('&')}`;
    expect(lintUrlTemplate(t)).toEqual([]);
  });

  it.each<[string, LintCode, number, string]>([
    ['https://t.example/pb?c={clickid}', 'unknown_macro', 23, 'did you mean {click_id}?'],
    ['https://t.example/pb?c={sub6}', 'unknown_macro', 23, 'did you mean {sub1}?'],
    ['https://t.example/pb?c={transaction}', 'unknown_macro', 23, 'the macros are {click_id}'],
    ['https://t.example/pb?c={Click_ID}', 'wrong_case', 23, 'use {click_id}'],
    ['https://t.example/pb?c={TXID}', 'wrong_case', 23, 'use {txid}'],
    ['https://t.example/pb?c={}', 'empty_macro', 23, 'Empty macro'],
    ['https://t.example/pb?c={click_id', 'unbalanced_open', 23, 'never closed'],
    ['https://t.example/pb?c=click_id}', 'unbalanced_close', 31, 'closes nothing'],
    ['https://t.example/pb?c={{click_id}}', 'nested_braces', 24, 'cannot be nested'],
    ['https://t.example/pb?c=%7Bclick_id%7D', 'encoded_macro', 23, 'Write {click_id}'],
    ['https://t.example/pb?c=%7bTXID%7d', 'encoded_macro', 23, 'Write {txid}'],
    ['ftp://t.example/pb', 'scheme', 0, 'ftp'],
    ['javascript:alert(1)', 'scheme', 0, 'javascript'],
    ['t.example/pb?c={click_id}', 'scheme', 0, 'https://'],
    ['https://user:pw@t.example/pb', 'credentials', 8, 'credentials'],
    ['https://{sub1}.t.example/pb', 'macro_in_host', 8, 'host'],
    ['https://t.example:{sub1}/pb', 'macro_in_host', 18, 'host'],
    ['https://t.example/p b', 'whitespace', 19, 'space'],
    ['https:t.example/pb', 'invalid_url', 6, 'https://host'],
  ])('%s → %s at %i', (template, code, index, text) => {
    const p = lintUrlTemplate(template).find((x) => x.code === code);
    expect(p, JSON.stringify(lintUrlTemplate(template))).toBeDefined();
    expect(p?.index).toBe(index);
    expect(p?.message).toContain(text);
  });

  it('warns (does not refuse) about URL-encoded macros', () => {
    const p = lintUrlTemplate('https://t.example/pb?c=%7Bclick_id%7D');
    expect(p.map((x) => x.severity)).toEqual(['warning']);
  });

  it('reports every problem of a template, in order', () => {
    expect(codes('https://t.example/pb?a={Click_ID}&b={foo}&c={sub1')).toEqual([
      'wrong_case',
      'unknown_macro',
      'unbalanced_open',
    ]);
  });

  it('reports one nested-brace mistake once', () => {
    expect(errors('https://t.example/?a={{txid}}&b={txid}').map((p) => p.code)).toEqual(['nested_braces']);
  });
});

describe('lintBodyMacros', () => {
  it('leaves JSON braces alone and checks the macros inside', () => {
    expect(lintBodyMacros('{"a":"{txid}","b":{"c":[{}]},"d":"{amount}"}')).toEqual([]);
    expect(lintBodyMacros('{"a":"{TxId}","b":"{amont}"}').map((p) => [p.code, p.index])).toEqual([
      ['wrong_case', 6],
      ['unknown_macro', 19],
    ]);
    expect(lintBodyMacros('a={click_id}&b=%7Btxid%7D').map((p) => p.code)).toEqual(['encoded_macro']);
  });

  it('accepts any JSON object of known macros', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), macroArb), { maxLength: 8 }),
        (pairs) => {
          const body = `{${pairs.map(([k, m]) => `"${k}":"{${m}}"`).join(',')}}`;
          expect(lintBodyMacros(body)).toEqual([]);
        },
      ),
    );
  });
});

describe('closestMacro', () => {
  it('suggests the nearest macro or nothing', () => {
    expect(closestMacro('clickid')).toBe('click_id');
    expect(closestMacro('click-id')).toBe('click_id');
    expect(closestMacro('subid1')).toBe('sub1');
    expect(closestMacro('amnt')).toBe('amount');
    expect(closestMacro('partnerid')).toBe('partner_id');
    expect(closestMacro('zzzzzzzzzzzz')).toBeNull();
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

const macroArb = fc.constantFrom(...MACROS);
const literalArb = fc.stringMatching(/^[A-Za-z0-9._~=&/-]{0,12}$/);
/** Paths and queries made of literal text and known macros. */
const goodTemplateArb = fc
  .array(fc.tuple(literalArb, fc.option(macroArb, { nil: undefined })), { maxLength: 8 })
  .map(
    (parts) =>
      `https://tracker.example.com/pb?${parts.map(([lit, m]) => `${lit}${m ? `{${m}}` : ''}`).join('')}`,
  );

describe('lint properties', () => {
  it('never throws and gives positions inside the template, on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), (t) => {
        for (const p of [...lintUrlTemplate(t), ...lintMacros(t)]) {
          expect(p.index).toBeGreaterThanOrEqual(0);
          expect(p.index).toBeLessThanOrEqual(t.length);
          expect(p.index + p.length).toBeLessThanOrEqual(t.length);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every template built from literals and known macros', () => {
    fc.assert(
      fc.property(goodTemplateArb, (t) => {
        expect(lintUrlTemplate(t)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses an unknown macro inserted anywhere and names it at its position', () => {
    const unknownArb = fc
      .stringMatching(/^[a-z][a-z0-9_]{0,15}$/)
      .filter((n) => !(MACROS as readonly string[]).includes(n));
    fc.assert(
      fc.property(goodTemplateArb, unknownArb, fc.nat(), (t, name, at) => {
        // Insert at a position in the query that is not inside a macro.
        const qs = t.indexOf('?') + 1;
        const spots = [...Array(t.length - qs + 1).keys()]
          .map((i) => i + qs)
          .filter((i) => t.lastIndexOf('{', i - 1) <= t.lastIndexOf('}', i - 1));
        const pos = spots[at % spots.length] as number;
        const bad = `${t.slice(0, pos)}{${name}}${t.slice(pos)}`;
        const problems = errors(bad);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatchObject({ code: 'unknown_macro', index: pos, length: name.length + 2 });
        expect(problems[0]?.message).toContain(`{${name}}`);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a known macro in any other case with "use {macro}"', () => {
    const wrongCaseArb = macroArb.chain((m) =>
      fc
        .array(fc.boolean(), { minLength: m.length, maxLength: m.length })
        .map((flips) => [...m].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join(''))
        .filter((v) => v !== m)
        .map((v) => [m, v] as const),
    );
    fc.assert(
      fc.property(wrongCaseArb, ([m, v]) => {
        const problems = errors(`https://t.example/pb?x={${v}}`);
        expect(problems).toHaveLength(1);
        expect(problems[0]?.code).toBe('wrong_case');
        expect(problems[0]?.message).toContain(`use {${m}}`);
      }),
    );
  });

  it('refuses a stray brace added anywhere after the host', () => {
    fc.assert(
      fc.property(goodTemplateArb, fc.constantFrom('{', '}'), fc.nat(), (t, brace, at) => {
        const start = 'https://tracker.example.com/'.length;
        const pos = start + (at % (t.length - start + 1));
        const bad = `${t.slice(0, pos)}${brace}${t.slice(pos)}`;
        const found = errors(bad).map((p) => p.code);
        expect(
          found.some((c) =>
            ['unbalanced_open', 'unbalanced_close', 'nested_braces', 'unknown_macro', 'empty_macro'].includes(
              c,
            ),
          ),
        ).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('renderTemplate', () => {
  it('replaces every macro, URL-encoding values, and reports the empty ones', () => {
    const r = renderTemplate('https://t.example/pb?c={click_id}&s={sub1}&a={amount}&x={sub2}', {
      click_id: 'a b&c=d/é',
      sub1: '{click_id}',
      amount: '10.50',
    });
    expect(r.text).toBe('https://t.example/pb?c=a%20b%26c%3Dd%2F%C3%A9&s=%7Bclick_id%7D&a=10.50&x=');
    expect(r.empty).toEqual(['sub2']);
  });

  it('JSON-escapes for JSON bodies and form-encodes for forms', () => {
    expect(renderTemplate('{"c":"{click_id}"}', { click_id: 'a"b\\c\n' }, 'json').text).toBe(
      '{"c":"a\\"b\\\\c\\n"}',
    );
    expect(renderTemplate('c={click_id}', { click_id: 'a b+c' }, 'form').text).toBe('c=a+b%2Bc');
  });

  it('round-trips any values through the query string and leaves no macro behind', () => {
    const valuesArb = fc.record(
      Object.fromEntries(MACROS.map((m) => [m, fc.string({ maxLength: 30, unit: 'grapheme' })])) as Record<
        (typeof MACROS)[number],
        fc.Arbitrary<string>
      >,
    );
    const template = `https://t.example/pb?${MACROS.map((m) => `${m}={${m}}`).join('&')}`;
    fc.assert(
      fc.property(valuesArb, (values) => {
        const r = renderTemplate(template, values);
        const params = new URL(r.text).searchParams;
        for (const m of MACROS) expect(params.get(m)).toBe(values[m]);
        expect(macrosIn(r.text)).toEqual([]);
        expect(r.empty).toEqual(MACROS.filter((m) => values[m] === ''));
      }),
      { numRuns: 300 },
    );
  });

  it('renders JSON bodies that parse back to the values', () => {
    const body = `{${MACROS.map((m) => `"${m}":"{${m}}"`).join(',')}}`;
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'grapheme' }), fc.string({ maxLength: 40 }), (a, b) => {
        const parsed = JSON.parse(renderTemplate(body, { click_id: a, txid: b }, 'json').text);
        expect(parsed.click_id).toBe(a);
        expect(parsed.txid).toBe(b);
        expect(parsed.sub1).toBe('');
      }),
      { numRuns: 300 },
    );
  });
});
