// The landing-page judgement and the click-id search, on their own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clickIdInUrl, judgeLanding, visibleText } from './landing-check.ts';

const page = (title: string, body: string) =>
  `<html><head><title>${title}</title></head><body>${body}</body></html>`;
const GOOD = '<h1>Open an account</h1><p>Trade forex, indices and metals with a regulated broker.</p>';

describe('judgeLanding', () => {
  it('passes a real page and names its title', () => {
    const v = judgeLanding(200, 'text/html; charset=utf-8', page('Open an account | Broker', GOOD), null);
    expect(v).toMatchObject({ ok: true, problem: null, title: 'Open an account | Broker' });
  });
  it.each([
    [404, page('Not found', GOOD), /answered 404/],
    [503, page('Broker', GOOD), /answered 503/],
    [200, page('404 – Page not found', GOOD), /error page: its title says "404 – Page not found"/],
    [
      200,
      page('Broker', '<h1>Oops! Something went wrong</h1><p>Please try again later, we are on it.</p>'),
      /its main heading says "Oops! Something went wrong"/,
    ],
    [
      200,
      page('Broker', '<h1>This promotion has expired</h1><p>See our current offers on the home page.</p>'),
      /error page/,
    ],
    [200, '<html><head><title>Broker</title></head><body>   </body></html>', /empty page/],
  ])('fails status %i with %s', (status, html, problem) => {
    const v = judgeLanding(status, 'text/html', html, null);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(problem);
  });
  it('does not call a single-page app empty when it ships its script', () => {
    expect(
      judgeLanding(
        200,
        'text/html',
        '<html><head><title>App</title></head><body><div id="root"></div><script src="/a.js"></script></body></html>',
        null,
      ).ok,
    ).toBe(true);
  });
  it('checks the expected text, case-insensitively and in the visible text', () => {
    const html = page(
      'Broker',
      '<h1>Open an <b>Account</b></h1><p>Trade with us today and forever more.</p>',
    );
    expect(judgeLanding(200, 'text/html', html, 'open an account').ok).toBe(true);
    expect(judgeLanding(200, 'text/html', html, 'Zero spread').problem).toMatch(
      /does not show the expected text "Zero spread"/,
    );
  });
  it('strips scripts and styles from the visible text', () => {
    expect(visibleText('<style>.a{}</style><script>var x="<h1>";</script><p>Hello&nbsp;there</p>')).toBe(
      'Hello there',
    );
  });
});

describe('clickIdInUrl', () => {
  const id = 'c01JDX4Q8ZK3V7W2N9P5R6T0Y1AB3';
  it('finds the id in a query value, a path segment, a fragment and when encoded', () => {
    expect(clickIdInUrl(`https://b.example/?cid=${id}`, id)).toBe(true);
    expect(clickIdInUrl(`https://b.example/r/${id}/open`, id)).toBe(true);
    expect(clickIdInUrl(`https://b.example/#${id}`, id)).toBe(true);
    expect(
      clickIdInUrl(`https://b.example/?next=${encodeURIComponent(`https://c.example/?cid=${id}`)}`, id),
    ).toBe(true);
    expect(clickIdInUrl('https://b.example/?cid=', id)).toBe(false);
  });
  it('never finds an id that is not there (property)', () => {
    fc.assert(
      fc.property(fc.webUrl(), (url) => {
        fc.pre(!url.includes(id) && !decodeURIComponent(url.replace(/%(?![0-9a-f]{2})/gi, '')).includes(id));
        expect(clickIdInUrl(url, id)).toBe(false);
      }),
    );
  });
});
