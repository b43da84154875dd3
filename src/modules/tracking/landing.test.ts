import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLanding, fillLanding, lintLandingUrl, parseClickQuery } from './landing.ts';

const fill = (template: string, query: string, id = 'cID') =>
  fillLanding(compileLanding(template), id, parseClickQuery(query));

describe('landing URL templates', () => {
  it('accepts the known placeholders and plain URLs', () => {
    expect(lintLandingUrl('https://broker.example/open?cid={click_id}&s1={sub1}&s5={sub5}')).toEqual([]);
    expect(lintLandingUrl('http://broker.example/')).toEqual([]);
    expect(lintLandingUrl('https://broker.example/p#/reg?c={click_id}')).toEqual([]);
  });

  it('refuses unknown names, wrong case, unbalanced braces, other schemes and placeholders in the host', () => {
    const one = (t: string) => lintLandingUrl(t).join(' ');
    expect(one('https://b.example/?c={clickid}')).toMatch(/Unknown placeholder \{clickid\}/);
    expect(one('https://b.example/?c={CLICK_ID}')).toMatch(/lower case: \{click_id\}/);
    expect(one('https://b.example/?c={Sub1}')).toMatch(/lower case: \{sub1\}/);
    expect(one('https://b.example/?c={sub6}')).toMatch(/Unknown placeholder/);
    expect(one('https://b.example/?c={click_id')).toMatch(/never closed/);
    expect(one('https://b.example/?c=click_id}')).toMatch(/no "\{" before it/);
    expect(one('https://b.example/?c={{click_id}}')).toMatch(/Unbalanced/);
    expect(one('ftp://b.example/')).toMatch(/http:\/\/ or https:\/\//);
    expect(one('javascript:alert(1)')).toMatch(/http/);
    expect(one('not a url')).toMatch(/whitespace/);
    expect(one('https://{sub1}.example/')).toMatch(/host/);
    expect(one('https://user:pw@b.example/')).toMatch(/user name/);
    expect(one('https://b.example/ü')).toMatch(/non-ASCII/);
  });

  it('fills placeholders (URL-encoded) and consumes the sub-IDs it used', () => {
    expect(
      fill('https://b.example/r?cid={click_id}&a={sub1}&b={sub2}', 'sub1=x%20y&sub2=%26%3D&utm_source=fb'),
    ).toBe('https://b.example/r?cid=cID&a=x%20y&b=%26%3D&utm_source=fb');
  });

  it('appends click_id and unused sub-IDs when the template has no placeholder for them', () => {
    expect(fill('https://b.example/r', 'sub3=z&x=1')).toBe('https://b.example/r?click_id=cID&sub3=z&x=1');
    expect(fill('https://b.example/r?lang=en', '')).toBe('https://b.example/r?lang=en&click_id=cID');
    expect(fill('https://b.example/r?c={click_id}', 'sub1=a')).toBe('https://b.example/r?c=cID&sub1=a');
  });

  it('keeps the fragment last and fills placeholders in it', () => {
    expect(fill('https://b.example/app#/reg', 'q=1')).toBe('https://b.example/app?click_id=cID&q=1#/reg');
    expect(fill('https://b.example/app#/reg?c={click_id}', '')).toBe('https://b.example/app#/reg?c=cID');
  });

  it('never passes an incoming click_id through, and empty sub placeholders become empty', () => {
    expect(fill('https://b.example/?s={sub1}', 'click_id=evil&y=2')).toBe(
      'https://b.example/?s=&click_id=cID&y=2',
    );
  });

  it('truncates sub-IDs to 255 characters and re-encodes unsafe pass-through parameters', () => {
    const q = parseClickQuery(`sub1=${'a'.repeat(400)}&bad=%ZZ&x=<script>`);
    expect(q.subs[0]).toHaveLength(255);
    expect(q.passThrough).toEqual(['bad=%25ZZ', 'x=%3Cscript%3E']);
  });

  it('always produces an ASCII URL that parses, whatever the query', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (raw, v) => {
          for (const query of [raw, `sub1=${encodeURIComponent(v)}&${raw}`]) {
            const url = fill('https://b.example/p?a={sub1}#f', query);
            expect(url).toMatch(/^[\x21-\x7e]+$/);
            expect(() => new URL(url)).not.toThrow();
            expect(url.endsWith('#f')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
