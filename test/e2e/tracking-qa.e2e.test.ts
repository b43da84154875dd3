// Tracking QA in the browser, against a local "broker landing page" and a local "partner tracker" (receivers on
// 127.0.0.1, private networks allowed for this installation): the admin runs a test from the Tracking QA page and
// watches the steps fill in live, opens the setup record and reads the evidence (click id, redirect hops, the
// postbacks answered 200), prints it without the navigation; the landing page then answers 200 with a "Page not
// found" title, a second run from the record fails the landing step and says why, while the later steps are
// still checked. The tests list, the monitor the first pass created and the checks tab follow; finally a
// partner's CSV is reconciled on screen — a bad file first, its cells named — and the rows land in their bands.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, type Receiver, startReceiver } from '../../src/platform/net/testing/receiver.ts';
import { ADMIN, apiLogin, launchBrowser, type RunningServer, startServer } from './support.ts';

const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const PAGE = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;
const GOOD = PAGE(
  'Open an account | Broker',
  '<h1>Open your trading account</h1><p>Trade FX and CFDs with tight spreads.</p>',
);
const SOFT_404 = PAGE(
  'Page not found – Broker',
  '<h1>Sorry</h1><p>This page is gone, try the home page.</p>',
);

// Screenshots for a human to look at, only when asked: PD_E2E_SHOTS=/tmp/shots-qa.
const SHOTS = process.env.PD_E2E_SHOTS;

describe('tracking QA in the browser: run, watch, evidence, failure, monitors, reconciliation', () => {
  let server: RunningServer;
  let web: Receiver;
  let tracker: Receiver;
  let browser: Browser;
  let page: Page;
  let admin: { cookie: string; csrf: string };
  let partnerId = '';
  let link: { id: string; code: string; trackingUrl: string };
  let landing: Answer = { status: 200, body: GOOD, headers: { 'content-type': 'text/html' } };
  let trackerAnswer: (url: string) => Answer = () => ({ status: 200, body: 'OK conversion recorded' });
  let firstRecordUrl = '';
  const realClickIds: string[] = [];
  let realClicksAt = 0; // when the last of them was answered
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
  async function shot(name: string, fullPage = true) {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
  }
  const live = () => page.getByTestId('qa-live');
  const step = (scope: ReturnType<Page['getByTestId']>, key: string) =>
    scope.locator(`[data-testid=qa-step][data-key=${key}]`);

  beforeAll(async () => {
    web = await startReceiver((req) => {
      const path = req.url.split('?')[0];
      const qs = req.url.split('?')[1] ?? '';
      // The broker's campaign URL redirects once to the account page, keeping the query string.
      if (path === '/go') return { status: 302, headers: { location: `/open-account?${qs}` } };
      if (path === '/open-account') return landing;
      return { status: 404, body: PAGE('404 Not Found', '<h1>Not found</h1>') };
    });
    tracker = await startReceiver((req) => trackerAnswer(req.url));
    server = await startServer({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true' });
    admin = await apiLogin(server.url, ADMIN.email, ADMIN.password);
    const partner = await api('POST', '/api/v1/partners', {
      displayName: 'Northwind Media',
      type: 'affiliate',
      email: 'ops@northwind.example',
    });
    partnerId = partner.id;
    link = await api('POST', '/api/v1/links', {
      partnerId,
      name: 'Spring campaign',
      landingUrl: `${web.url}/go?cid={click_id}&s1={sub1}`,
    });
    await api('POST', `/api/v1/partners/${partnerId}/postbacks`, {
      eventType: 'registration',
      urlTemplate: `${tracker.url}/pb?clickid={click_id}&tx={txid}&e={event}&s2={sub2}`,
    });
    await api('POST', `/api/v1/partners/${partnerId}/postbacks`, {
      eventType: 'ftd',
      urlTemplate: `${tracker.url}/pb?clickid={click_id}&tx={txid}&e={event}&amount={amount}&cur={currency}`,
    });

    browser = await launchBrowser();
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
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
    await web?.close();
    await tracker?.close();
  });

  it('runs a test from the Tracking QA page and shows the steps filling in, then every step passed', async () => {
    // A slow landing page keeps the run visibly in progress for a while.
    landing = { status: 200, body: GOOD, headers: { 'content-type': 'text/html' }, delayMs: 1500 };
    await page.getByTestId('nav-tracking-qa').click();
    await page.getByTestId('qa-tabs').waitFor();
    await page.getByTestId('empty-state').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('No tracking test yet');

    await page.getByTestId('run-tracking-test').click();
    await page.getByTestId('qa-run-partner').fill('Northwind');
    await page.getByRole('option', { name: 'Northwind Media' }).click();
    await page.getByTestId('qa-run-link').click();
    await page.getByRole('option', { name: `${link.code} — Spring campaign` }).click();
    // The dialog shows which landing page will be tested.
    await expect
      .poll(async () => page.getByTestId('qa-run-link-info').textContent())
      .toContain(`${web.url}/go?cid={click_id}`);
    await page.getByTestId('qa-run-expect').fill('Open your trading account');
    await page.getByTestId('qa-run-sub1').fill('e2e-s1');
    await shot('00-run-form', false);
    await page.getByTestId('qa-run-submit').click();

    // Watch the steps while the test runs: at some point the click has passed while the postbacks still wait.
    await live().waitFor();
    const seen = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const statuses = await page
        .locator('[data-testid=qa-live] [data-testid=qa-step]')
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('data-key')}=${e.getAttribute('data-status')}`),
        );
      seen.add(statuses.join(' '));
      if ((await live().getAttribute('data-status')) !== 'running') break;
      if (seen.size === 2) await shot('01-run-in-progress', false);
      await page.waitForTimeout(100);
    }
    expect(await live().getAttribute('data-status')).toBe('passed');
    const progress = [...seen];
    expect(
      progress.some((s) => s.includes('click=passed') && /postbacks=(pending|running)/.test(s)),
      progress.join('\n'),
    ).toBe(true);
    for (const key of ['click', 'redirects', 'landing', 'events', 'attribution', 'postbacks'])
      expect(await step(live(), key).getAttribute('data-status'), key).toBe('passed');
    expect(await page.getByTestId('qa-live-summary').textContent()).toContain('Every step passed');
    await shot('02-run-passed', false);
  });

  it('opens the setup record with the evidence: click id, hops, landing page, postbacks answered 200', async () => {
    landing = { status: 200, body: GOOD, headers: { 'content-type': 'text/html' } };
    await page.getByTestId('qa-open-record').click();
    const record = page.getByTestId('qa-record');
    await record.waitFor();
    firstRecordUrl = page.url();
    expect(firstRecordUrl).toMatch(/\/tracking-tests\/[a-z]+_[0-9A-Z]+$/);
    expect(await record.getAttribute('data-status')).toBe('passed');
    expect(await page.getByTestId('qa-record-partner').textContent()).toBe('Northwind Media');
    expect(await page.getByTestId('qa-record-by').textContent()).not.toBe('');

    // What was configured: the landing URL template and both postbacks.
    expect(await page.getByTestId('qa-setup-landing').textContent()).toBe(
      `${web.url}/go?cid={click_id}&s1={sub1}`,
    );
    await expect(page.getByTestId('qa-setup-postback').count()).resolves.toBe(2);

    // The click: a 302, a click id that links to its story.
    const click = step(record, 'click');
    expect(await click.getAttribute('data-status')).toBe('passed');
    expect(await click.getByTestId('qa-click-status').textContent()).toBe('302');
    const clickId = ((await click.getByTestId('qa-click-id').textContent()) ?? '').trim();
    expect(clickId).toMatch(/^c[0-9A-Z]{29}$/);
    expect(await click.getByTestId('click-link').getAttribute('href')).toBe(`/clicks/${clickId}`);
    expect(await click.getByTestId('qa-click-url').textContent()).toContain('sub1=e2e-s1');

    // Two hops (the campaign redirect, then the account page), the click id kept in both.
    const hops = step(record, 'redirects').getByTestId('qa-hop');
    await expect(hops.count()).resolves.toBe(2);
    expect(await hops.evaluateAll((els) => els.map((e) => e.getAttribute('data-click-id')))).toEqual([
      'yes',
      'yes',
    ]);
    expect(await hops.nth(1).textContent()).toContain(`cid=${clickId}`);

    const land = step(record, 'landing');
    expect(await land.getByTestId('qa-landing-status').textContent()).toBe('200');
    expect(await land.getByTestId('qa-landing-title').textContent()).toBe('Open an account | Broker');

    // Test events attributed by the click, then both postbacks delivered and answered 200.
    const events = step(record, 'events').getByTestId('qa-event-row');
    expect(await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual([
      'registration',
      'deposit',
    ]);
    expect(await events.first().getAttribute('data-attribution')).toBe('click');
    const deliveries = step(record, 'postbacks').getByTestId('qa-delivery');
    await expect(deliveries.count()).resolves.toBe(2);
    expect(await deliveries.evaluateAll((els) => els.map((e) => e.getAttribute('data-status-code')))).toEqual(
      ['200', '200'],
    );
    const sent = await deliveries.getByTestId('qa-delivery-url').allTextContents();
    expect(sent.every((u) => u.includes(`clickid=${clickId}`) && !/[{}]/.test(u))).toBe(true);
    expect(await deliveries.first().getByTestId('qa-delivery-response').textContent()).toBe(
      'OK conversion recorded',
    );
    // The partner's tracker really got them.
    expect(tracker.requests.filter((r) => r.url.includes(`clickid=${clickId}`))).toHaveLength(2);
    await shot('03-record-passed');

    // Printed, the record is the page alone: no navigation, no buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.mantine-AppShell-navbar').isVisible()).toBe(false);
    expect(await page.getByTestId('qa-print').isVisible()).toBe(false);
    expect(await page.getByTestId('qa-step-summary').first().isVisible()).toBe(true);
    await shot('04-record-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('a landing page that answers 200 but says "Page not found" fails the landing step, and says why', async () => {
    landing = { status: 200, body: SOFT_404, headers: { 'content-type': 'text/html' } };
    await page.getByTestId('run-tracking-test').click(); // "Run again" on the record
    await page.getByTestId('qa-run-form').waitFor();
    await page.getByTestId('qa-run-submit').click();
    await expect.poll(async () => live().getAttribute('data-status'), { timeout: 60_000 }).toBe('failed');
    const failedLanding = step(live(), 'landing');
    expect(await failedLanding.getAttribute('data-status')).toBe('failed');
    expect(await failedLanding.getByTestId('qa-step-summary').textContent()).toMatch(
      /answered 200 but is an error page: its title says "Page not found/,
    );
    // A broken landing page does not stop the rest of the chain from being checked.
    expect(await step(live(), 'postbacks').getAttribute('data-status')).toBe('passed');
    await shot('05-run-failed', false);

    await page.getByTestId('qa-open-record').click();
    await expect.poll(() => page.url()).not.toBe(firstRecordUrl);
    const record = page.getByTestId('qa-record');
    await expect.poll(async () => record.getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('qa-record-summary').textContent()).toContain('Broken at: Landing page');
    const land = step(record, 'landing');
    expect(await land.getAttribute('data-status')).toBe('failed');
    expect(await land.getByTestId('qa-landing-status').textContent()).toBe('200');
    expect(await land.getByTestId('qa-landing-title').textContent()).toBe('Page not found – Broker');
    await shot('06-record-failed');
  });

  it('lists both tests, filters them, and shows the monitor the first pass created', async () => {
    await page.getByTestId('nav-tracking-qa').click();
    const rows = page.getByTestId('qa-test-row');
    await expect.poll(async () => rows.count()).toBe(2);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual([
      'failed',
      'passed',
    ]);
    expect(await rows.first().textContent()).toContain('at Landing page');
    await page.getByTestId('qa-tests-status').click();
    await page.getByRole('option', { name: 'Passed' }).click();
    await expect.poll(async () => rows.count()).toBe(1);
    expect(page.url()).toContain('status=passed');
    await shot('07-tests-list', false);
    await rows.first().click();
    await expect.poll(() => page.url()).toBe(firstRecordUrl);

    await page.goto(`${server.url}/tracking-qa?tab=monitors`);
    const monitor = page.locator(`[data-testid=qa-monitor-row][data-link-id="${link.id}"]`);
    await monitor.waitFor();
    expect(await monitor.getAttribute('data-enabled')).toBe('true');
    expect(await monitor.getByTestId('qa-monitor-interval').inputValue()).toBe('Daily');
    // The monitor shows the link's latest finished test: the second run, whose landing page was broken.
    expect(await monitor.getByTestId('qa-test-status').getAttribute('data-status')).toBe('failed');
    // The partner is still in intake: the monitor says it waits for the activation instead of "in 24 hours".
    expect(await monitor.getByTestId('qa-monitor-waiting').textContent()).toContain('partner is intake');
    await shot('08-monitors', false);
    await monitor.getByRole('switch').click({ force: true });
    await expect.poll(async () => monitor.getAttribute('data-enabled')).toBe('false');
    const stored = await api('GET', `/api/v1/tracking-monitors?partnerId=${partnerId}`);
    expect(stored.data[0]).toMatchObject({ linkId: link.id, enabled: false });
  });

  it('reconciles a partner CSV: names bad cells first, then colours each row by band', async () => {
    // Real clicks (test clicks never count): 20 on yt-video-7, 20 on newsletter, 5 on banner, 2 on tiktok.
    const clicks: [string, number][] = [
      ['yt-video-7', 20],
      ['newsletter', 20],
      ['banner', 5],
      ['tiktok', 2],
    ];
    for (const [sub1, n] of clicks)
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${link.trackingUrl}?sub1=${sub1}`, {
          redirect: 'manual',
          headers: { 'user-agent': FIREFOX_UA },
        });
        expect(res.status).toBe(302);
        const cid = new URL(res.headers.get('location') ?? '').searchParams.get('cid');
        if (sub1 === 'tiktok' && cid) realClickIds.push(cid);
      }
    realClicksAt = Date.now();
    const today = new Date().toISOString().slice(0, 10);
    await expect
      .poll(
        async () =>
          (await api('GET', `/api/v1/stats?partnerId=${partnerId}&from=${today}&to=${today}`)).totals,
      )
      .toMatchObject({ clicks: 47 });

    await page.getByTestId('qa-tab-reconcile').click();
    await page.getByTestId('qa-reconcile-partner').fill('Northwind');
    await page.getByRole('option', { name: 'Northwind Media' }).click();
    await page.getByTestId('reconciliation-panel').waitFor();
    expect(await page.getByTestId('reconcile-sample').getAttribute('href')).toContain(
      encodeURIComponent('date,sub_id,clicks,registrations,ftds'),
    );

    const file = page.locator('input[data-testid=reconcile-file]');
    await file.setInputFiles({
      name: 'northwind-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `date,sub_id,clicks\n${today},yt-video-7,20\n2025-13-01,newsletter,21\n${today},banner,5.5\n`,
      ),
    });
    const error = page.getByTestId('reconcile-error');
    await error.waitFor();
    const items = await error.getByTestId('reconcile-error-item').allTextContents();
    expect(items).toEqual([
      'Row 2 (line 3 of the file), column date: "2025-13-01" is not a date as YYYY-MM-DD',
      'Row 3 (line 4 of the file), column clicks: "5.5" is not a whole number',
    ]);
    await shot('10-reconcile-error', false);

    await file.setInputFiles({
      name: 'northwind-export.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `date,sub_id,clicks,registrations\n${today},yt-video-7,20,0\n${today},newsletter,21,0\n${today},banner,6,0\n`,
      ),
    });
    const result = page.getByTestId('reconciliation-result');
    await result.waitFor();
    await expect(error.count()).resolves.toBe(0);
    const band = (sub: string) =>
      result.locator(`[data-testid=reconcile-row][data-sub="${sub}"]`).getAttribute('data-band');
    expect(await band('yt-video-7')).toBe('normal'); // 20 vs 20
    expect(await band('newsletter')).toBe('watch'); // 20 vs 21: 4.76%
    expect(await band('banner')).toBe('investigate'); // 5 vs 6: 16.67%
    expect(await band('tiktok')).toBe('investigate'); // 2 vs nothing
    const tiktok = result.locator('[data-testid=reconcile-row][data-sub="tiktok"]');
    expect(await tiktok.getAttribute('data-in-file')).toBe('false');
    expect(await tiktok.getByTestId('reconcile-not-in-file').textContent()).toBe('Not in your file');
    // Totals: 47 clicks on both sides, even though the rows disagree.
    const total = result.locator('[data-testid=reconcile-total][data-metric=clicks]');
    expect(await total.getAttribute('data-band')).toBe('normal');
    expect(await total.textContent()).toContain('47');
    const counts = await result.getByTestId('reconcile-counts').getByTestId('band-badge').allTextContents();
    expect(counts).toEqual(['Normal: 1', 'Watch: 1', 'Investigate: 2']);
    await shot('11-reconcile-result');

    // It is kept: the list shows it, and opening it again shows the same result.
    const past = page.getByTestId('reconciliation-row');
    await expect.poll(async () => past.count()).toBe(1);
    expect(await past.first().getAttribute('data-band')).toBe('investigate');
    await page.reload();
    await page.getByTestId('reconciliation-row').first().click();
    await page.getByTestId('reconciliation-result').waitFor();
    expect(await band('newsletter')).toBe('watch');
  });

  it('attribution checks show orphans, duplicate txids and a failing postback, and why clicks have no country', async () => {
    const source = await api('POST', '/api/v1/event-sources', { name: 'MT5 back office' });
    const send = async (q: Record<string, string>) => {
      const res = await fetch(`${server.url}/postback?${new URLSearchParams({ token: source.token, ...q })}`);
      expect(res.status, await res.text()).toBe(200);
    };
    const [good] = realClickIds;
    if (!good) throw new Error('no real click id kept');
    // The default programme wants at least 1 s between a click and its event ('too_fast' otherwise); on a fast
    // machine this test can start sooner than that after the clicks above.
    const young = realClicksAt + 1200 - Date.now();
    if (young > 0) await new Promise((r) => setTimeout(r, young));
    // The partner's tracker rejects the registration of txid dup-7.
    trackerAnswer = (url) =>
      url.includes('tx=dup-7') ? { status: 500, body: 'internal error' } : { status: 200, body: 'OK' };
    const forged = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    await send({ event: 'registration', txid: 'orph-1', client_id: 'MT5-9001', click_id: forged });
    await send({ event: 'registration', txid: 'dup-7', client_id: 'MT5-9002', click_id: good });
    await send({ event: 'kyc_approved', txid: 'dup-7', client_id: 'MT5-9002' });

    // All partners: an orphan with a forged click id belongs to nobody, so a partner's view cannot show it.
    await page.goto(`${server.url}/tracking-qa?tab=checks`);
    await page.getByTestId('qa-checks').waitFor();
    // The postback is delivered in the background: refresh until its failure shows.
    const rate = page.locator('[data-testid=qa-postback-rate]');
    await expect
      .poll(
        async () => {
          await page.getByTestId('qa-checks-refresh').click();
          await page.waitForTimeout(300);
          return rate
            .first()
            .getAttribute('data-rate', { timeout: 1000 })
            .catch(() => null);
        },
        { timeout: 30_000 },
      )
      .toBe('10000');
    expect(await rate.first().textContent()).toContain('100.00%');
    expect(await page.getByTestId('qa-count-orphans-n').textContent()).toBe('1');
    await page.locator('[data-testid=qa-orphan-reason][data-reason=forged_click_id]').waitFor();
    const dup = page.locator('[data-testid=qa-duplicate][data-txid=dup-7]');
    expect(await dup.textContent()).toContain('KYC approved');
    // Without a GeoIP database the page says why clicks have no country, and how to give them one.
    expect(await page.getByTestId('qa-geo-missing').textContent()).toContain('PARTNERDESK_GEOIP_CSV');
    await shot('09-checks');
  });

  it("runs a test from the partner's Tracking tab, where the reconciliation panel lives too", async () => {
    landing = { status: 200, body: GOOD, headers: { 'content-type': 'text/html' } };
    await page.goto(`${server.url}/partners/${partnerId}/tracking`);
    await page.getByTestId('tracking-tab').waitFor();
    await page.getByTestId('reconciliation-panel').waitFor();
    await page.getByTestId('tracking-tab').getByTestId('run-tracking-test').first().click();
    await page.getByTestId('qa-run-form').waitFor();
    await page.getByTestId('qa-run-submit').click();
    await live().waitFor();
    await expect.poll(async () => live().getAttribute('data-status'), { timeout: 60_000 }).toBe('passed');
    await shot('13-partner-tab-run', false);
    await page.keyboard.press('Escape');
  });

  it('refuses to test a paused link and says what to do, in the dialog', async () => {
    await api('POST', `/api/v1/links/${link.id}/pause`, {});
    await page.goto(firstRecordUrl);
    await page.getByTestId('qa-record').waitFor();
    await page.getByTestId('run-tracking-test').click();
    await page.getByTestId('qa-run-submit').click();
    const problem = page.getByTestId('form-error');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/is paused: activate it before testing it/);
    await expect(live().count()).resolves.toBe(0);
    await shot('12-run-refused', false);
    expect(pageErrors).toEqual([]);
  });
});
