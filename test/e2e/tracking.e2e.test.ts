// Tracking in the browser: the admin creates a tracking link on screen (the API's field error shown inline
// first), copies its URL, a visitor opens it over HTTP (302, no redirect followed) and the click shows on the
// link's stats; a partner postback is set up on screen with a macro in the wrong case (the server's linter
// names it under the field), fixed, and test-fired at a local receiver; an event carrying the click id is
// delivered to the partner; the click story found through the lookup box shows the click, the event and the
// postback attempt; a forged id says so.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../src/platform/net/testing/receiver.ts';
import { ADMIN, apiLogin, launchBrowser, type RunningServer, startServer } from './support.ts';

const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('tracking in the browser: link, click, stats, postback, click story', () => {
  let server: RunningServer;
  let receiver: Receiver;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let admin: { cookie: string; csrf: string };
  let partnerId = '';
  let trackingUrl = '';
  let clickId = '';
  const pageErrors: string[] = [];

  async function api(method: string, url: string, body?: unknown) {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }

  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'OK conversion recorded' }));
    // The receiver listens on 127.0.0.1: the operator allows private networks for this installation.
    server = await startServer({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true' });
    admin = await apiLogin(server.url, ADMIN.email, ADMIN.password);
    const partner = await api('POST', '/api/v1/partners', {
      displayName: 'Trackwell Media',
      type: 'affiliate',
      email: 'ops@trackwell.example',
    });
    partnerId = partner.id;

    browser = await launchBrowser();
    ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.getByTestId('login-email').fill(ADMIN.email);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  it('creates a link on screen, naming a bad placeholder inline first', async () => {
    await page.getByTestId('nav-links').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('new-link').first().click();
    await page.getByTestId('link-partner').fill('Trackwell');
    await page.getByRole('option', { name: 'Trackwell Media' }).click();
    await page.getByTestId('link-name').fill('Spring campaign');
    await page.getByTestId('link-landing-url').fill('https://landing.example/open?cid={Click_ID}');
    await page.getByTestId('link-submit').click();
    // The server's answer is shown under the landing URL field.
    const form = page.getByTestId('link-form');
    await expect
      .poll(async () => form.textContent())
      .toMatch(/\{Click_ID\} must be written in lower case: \{click_id\}/);

    // Fix it with the placeholder chips: {click_id} and {sub1} are inserted at the cursor.
    await page.getByTestId('link-landing-url').fill('https://landing.example/open?cid=');
    await page.getByTestId('token-click_id').click();
    await page.getByTestId('link-landing-url').press('End');
    await page.getByTestId('link-landing-url').pressSequentially('&s1=');
    await page.getByTestId('token-sub1').click();
    expect(await page.getByTestId('link-landing-url').inputValue()).toBe(
      'https://landing.example/open?cid={click_id}&s1={sub1}',
    );
    await page.getByTestId('link-submit').click();
    await form.waitFor({ state: 'detached' });

    const row = page.locator('[data-testid=link-row][data-name="Spring campaign"]');
    await row.waitFor();
    expect(await row.getByTestId('link-status').textContent()).toBe('Active');
    expect(await row.textContent()).toContain('Trackwell Media');
  });

  it('copies the tracking URL in one click; a visitor opening it is redirected with a click id', async () => {
    const row = page.locator('[data-testid=link-row][data-name="Spring campaign"]');
    const shown = ((await row.getByTestId('tracking-url').textContent()) ?? '').trim();
    await row.getByTestId('copy-tracking-url').click();
    await expect.poll(async () => row.getByTestId('copy-tracking-url').textContent()).toBe('Copied');
    // Runs in the page (the test's own type check has no DOM library).
    trackingUrl = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(trackingUrl).toBe(shown);
    expect(trackingUrl).toMatch(new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/c/[A-Za-z0-9_-]{3,64}$`));

    const res = await fetch(`${trackingUrl}?sub1=yt-video-7`, {
      redirect: 'manual',
      headers: { 'user-agent': FIREFOX_UA },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://landing.example/open');
    expect(location.searchParams.get('s1')).toBe('yt-video-7');
    clickId = location.searchParams.get('cid') ?? '';
    expect(clickId).toMatch(/^c[0-9A-HJKMNP-TV-Z]{29}$/);
  });

  it("shows the click on the link's stats, per day and per sub1", async () => {
    await page
      .locator('[data-testid=link-row][data-name="Spring campaign"]')
      .getByTestId('link-open')
      .click();
    await page.getByTestId('link-page').waitFor();
    expect(await page.getByTestId('link-title').textContent()).toBe('Spring campaign');
    // An active link offers its tracking test (tracking-qa.e2e.test.ts runs one).
    expect(await page.getByTestId('run-tracking-test').isEnabled()).toBe(true);
    await expect.poll(async () => page.getByTestId('link-total-clicks').textContent()).toBe('1');
    expect(await page.getByTestId('link-total-unique').textContent()).toBe('1');
    expect(await page.getByTestId('link-total-bots').textContent()).toBe('0');
    const sub = page.locator('[data-testid=sub1-row][data-sub1="yt-video-7"]');
    await sub.waitFor();
    expect(await sub.locator('td').nth(1).textContent()).toBe('1');
    await page.getByTestId('link-stats-chart').waitFor();
  });

  it('sets up a postback on screen: a macro in the wrong case is named, fixed, then a test is fired', async () => {
    await page.goto(`${server.url}/partners/${partnerId}/tracking`);
    await page.getByTestId('tracking-tab').waitFor();
    await page.locator('[data-testid=link-row][data-name="Spring campaign"]').waitFor();
    await page.getByTestId('new-postback').click();
    const url = page.getByTestId('postback-url');
    await url.fill(`${receiver.url}/pb?cid={Click_ID}&tx={txid}&ev={event}`);
    // The hint shows which known macros the template uses ({Click_ID} is not one of them).
    expect(await page.getByTestId('token-txid').getAttribute('data-used')).toBe('true');
    expect(await page.getByTestId('token-click_id').getAttribute('data-used')).toBe('false');
    await page.getByTestId('postback-submit').click();
    const problems = page.getByTestId('url-template-errors');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('"{Click_ID}" at position');
    expect(await problems.textContent()).toContain('use {click_id}');

    await url.fill(`${receiver.url}/pb?cid={click_id}&tx={txid}&ev={event}`);
    expect(await page.getByTestId('token-click_id').getAttribute('data-used')).toBe('true');
    await page.getByTestId('postback-submit').click();
    await page.getByTestId('postback-form').waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=postback-row][data-event=registration]');
    await row.waitFor();
    expect(await row.getByTestId('postback-status').textContent()).toBe('Active');
    expect(await row.getByTestId('postback-url-template').textContent()).toContain('cid={click_id}');

    await row.getByTestId('postback-test').click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-outcome')).toBe('success');
    expect(await page.getByTestId('test-status-code').textContent()).toBe('200');
    expect(await page.getByTestId('test-latency').textContent()).toMatch(/^\d[\d,]* ms$/);
    expect(await page.getByTestId('test-response').textContent()).toBe('OK conversion recorded');
    expect(await page.getByTestId('test-url').textContent()).toContain('/pb?cid=test-');
    expect(
      receiver.requests.some((r) => r.url.startsWith('/pb?cid=test-') && r.url.includes('ev=registration')),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await result.waitFor({ state: 'detached' });

    // The test is in the delivery log with its attempt.
    const delivery = page.locator('[data-testid=delivery][data-status=succeeded]').first();
    await delivery.waitFor();
    expect(await delivery.textContent()).toContain('Test');
  });

  it('an event with the click id is delivered to the partner; the click story shows all of it', async () => {
    const source = await api('POST', '/api/v1/event-sources', { name: 'Back office' });
    const qs = new URLSearchParams({
      token: source.token,
      event: 'registration',
      txid: 'reg-trackwell-1',
      click_id: clickId,
      client_id: 'MT5-424242',
    });
    const res = await fetch(`${server.url}/postback?${qs}`);
    const body = (await res.json()) as { attribution: string; partnerId: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ attribution: 'click', partnerId });
    // The delivery worker sends it to the partner's tracker with the real click id.
    await expect
      .poll(() => receiver.requests.some((r) => r.url.includes(`cid=${clickId}`)), { timeout: 20_000 })
      .toBe(true);

    await page.getByTestId('nav-links').click();
    await page.getByTestId('click-lookup').fill(clickId);
    await page.getByTestId('click-lookup-submit').click();
    await page.getByTestId('click-story').waitFor();
    expect(await page.getByTestId('click-id').textContent()).toContain(clickId);
    expect(await page.getByTestId('click-link-name').textContent()).toBe('Spring campaign');
    expect(await page.getByTestId('click-sub1').textContent()).toBe('yt-video-7');
    expect(await page.getByTestId('click-raw').textContent()).toBe('Stored');
    expect(await page.getByTestId('click-ua').textContent()).toBe(FIREFOX_UA);
    await page.getByTestId('timeline-click').waitFor();
    const event = page.locator('[data-testid=timeline-event][data-txid="reg-trackwell-1"]');
    await event.waitFor();
    expect(await event.textContent()).toContain('MT5-424242');
    expect(await event.getByTestId('attribution-badge').textContent()).toBe('Click');
    const attempt = event.locator('[data-testid=attempt-row][data-outcome=success]');
    await attempt.waitFor();
    expect(await attempt.getByTestId('attempt-url').textContent()).toContain(`cid=${clickId}`);
    expect(await attempt.getByTestId('attempt-status').textContent()).toBe('200');
  });

  it('a forged click id answers with a clear message', async () => {
    // One character of the signature changed: still well formed, no longer verifies.
    const i = 20;
    const forged = clickId.slice(0, i) + (clickId[i] === 'A' ? 'B' : 'A') + clickId.slice(i + 1);
    await page.getByTestId('click-lookup').fill(forged);
    await page.getByTestId('click-lookup-submit').click();
    const notFound = page.getByTestId('click-not-found');
    await notFound.waitFor();
    expect(await notFound.textContent()).toContain('was not issued by Partnerdesk');
    expect(pageErrors).toEqual([]);
  });
});
