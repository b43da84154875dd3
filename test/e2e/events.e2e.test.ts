// Events in the browser: the admin creates an event source on screen and reads its one-time token, the back
// office sends an event with that token over HTTP, the event shows in the events list and opens its client; a
// malformed request lands in the event inbox and is marked resolved there.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, launchBrowser, type RunningServer, startServer } from './support.ts';

describe('events in the browser: source, token, postback, list', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let token = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
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
  });

  it('creates an event source on screen and shows its token once', async () => {
    await page.getByTestId('nav-event-sources').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('new-event-source').click();
    await page.getByTestId('event-source-name').fill('MT5 back office');
    await page.getByTestId('event-source-submit').click();
    const panel = page.getByTestId('event-source-secrets');
    await panel.waitFor();
    token = ((await page.getByTestId('event-source-token').textContent()) ?? '').trim();
    expect(token).toMatch(/^pds_[A-Za-z0-9_-]{20,}$/);
    // The ready URL carries the token; the list afterwards shows only its last 4 characters.
    expect(await page.getByTestId('postback-url').textContent()).toContain(`token=${token}`);
    await page.getByTestId('event-source-stored').click();
    await panel.waitFor({ state: 'detached' });
    const row = page.locator('[data-testid=event-source-row][data-name="MT5 back office"]');
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(token.slice(-4));
    expect(rowText).not.toContain(token);
    expect(rowText).toContain('never');
  });

  it('an event sent with the token appears in the events list and opens its client', async () => {
    const qs = new URLSearchParams({
      token,
      event: 'ftd',
      txid: 'dep-e2e-1',
      client_id: 'MT5-777001',
      amount: '250.00',
      currency: 'USD',
    });
    const res = await fetch(`${server.url}/postback?${qs}`);
    const body = (await res.json()) as { status: string; isFtd: boolean; attribution: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: 'accepted', isFtd: true, attribution: 'none' });

    await page.getByTestId('nav-events').click();
    const row = page.locator('[data-testid=event-row][data-txid="dep-e2e-1"]');
    await row.waitFor();
    // The list answers the client by id; its external id arrives with the client's own query.
    await expect.poll(async () => row.textContent()).toContain('MT5-777001');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('FTD');
    expect(text).toContain('USD 250.00');
    expect(text).toContain('MT5-777001');
    expect(text).toContain('MT5 back office');
    await expect(row.getByTestId('attribution-badge').textContent()).resolves.toMatch(/unattributed/i);
    await expect(row.getByTestId('ftd-badge').count()).resolves.toBe(1);

    await row.click();
    await page.getByTestId('client-page').waitFor();
    expect(await page.getByTestId('client-external-id').textContent()).toBe('MT5-777001');
    await page.locator('[data-testid=event-row][data-txid="dep-e2e-1"]').waitFor();

    // The source now has a last event.
    await page.getByTestId('nav-event-sources').click();
    const source = page.locator('[data-testid=event-source-row][data-name="MT5 back office"]');
    await source.waitFor();
    await expect.poll(async () => source.textContent()).not.toContain('never');
  });

  it('a malformed request is kept in the inbox and can be marked resolved', async () => {
    const res = await fetch(
      `${server.url}/postback?token=${encodeURIComponent(token)}&event=deposit&txid=bad-1&amount=12,5&currency=USD`,
    );
    expect(res.status).toBe(422);
    await page.getByTestId('nav-event-inbox').click();
    const item = page.getByTestId('inbox-item').first();
    await item.waitFor();
    expect(await item.textContent()).toContain('query.amount');
    expect(await item.getByTestId('inbox-raw').textContent()).toContain('token=[redacted]');
    await item.getByTestId('inbox-resolve').click();
    await page.getByTestId('reason-input').fill('Told the back office to send amounts as 12.50.');
    await page.getByTestId('reason-submit').click();
    await page.getByTestId('empty-state').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
