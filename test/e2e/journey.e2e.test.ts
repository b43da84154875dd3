// The foundation journey in a real browser against the real server: sign in, create a partner, see what is
// missing, upload a document, propose terms, approve them as another user, and find both on the timeline.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiLogin, launchBrowser, type RunningServer, startServer } from './support.ts';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const LEAD = { email: 'lena.lead@e2e.test', name: 'Lena Leadership', password: 'first-password-8842', next: 'lena-own-password-2026' };

describe('partner journey in the browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // An approver other than the proposer: Leadership may approve terms of any amount.
    const admin = await apiLogin(server.url, ADMIN.email, ADMIN.password);
    const res = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ email: LEAD.email, name: LEAD.name, role: 'leadership', password: LEAD.password }),
    });
    expect(res.status).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(email: string, password: string) {
    await page.goto(`${server.url}/`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
  }

  it('sign in → create partner → missing fields → upload → propose → approve as another user → timeline', async () => {
    await signIn(ADMIN.email, 'not-the-password-1');
    await expect(page.getByTestId('login-error').textContent()).resolves.toMatch(/wrong/i);
    await signIn(ADMIN.email, ADMIN.password);
    await page.waitForURL('**/partners');

    // Create a partner with only a name: the form names a bad email, then the partner page opens.
    await page.getByTestId('new-partner').first().click();
    await page.getByTestId('field-displayName').fill('Journey Markets');
    await page.getByTestId('field-email').fill('not-an-email');
    await page.getByTestId('create-partner-submit').click();
    await page.getByTestId('form-error').first().waitFor();
    await page.getByTestId('field-email').fill('desk@journey-markets.example');
    await page.getByTestId('create-partner-submit').click();
    await page.waitForURL(/\/partners\/ptr_/);
    const partnerUrl = page.url().replace(/\/(profile|contacts|documents|terms|timeline)$/, '');

    // The mandatory-field panel names what intake still needs (country, owner, primary contact).
    await page.getByTestId('mandatory-panel').waitFor();
    const missing = await page.getByTestId('missing-field').evaluateAll((els) => els.map((e) => e.getAttribute('data-field-name')));
    expect(missing).toEqual(expect.arrayContaining(['country', 'contact.primary']));
    expect(missing).not.toContain('email');

    // Upload an identity document.
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('upload-document').click();
    await page.getByTestId('upload-type').click();
    await page.getByRole('option', { name: 'Identity' }).click();
    await page.locator('input[type=file]').setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByTestId('upload-submit').click();
    await page.getByTestId('document-row').first().waitFor();
    expect(await page.getByTestId('document-row').count()).toBe(1);

    // Propose CPA terms.
    await page.getByTestId('tab-terms').click();
    await page.getByTestId('propose-terms').first().click();
    await page.getByTestId('terms-cpa-amount').fill('250.00');
    await page.getByTestId('terms-cpa-minlots').fill('2.5');
    await page.getByTestId('terms-note').fill('Standard CPA for a new affiliate');
    await page.getByTestId('propose-terms-submit').click();
    await page.getByTestId('terms-row').first().waitFor();
    await expect(page.getByTestId('terms-row').first().textContent()).resolves.toMatch(/pending/i);
    // The proposer cannot approve their own terms: no approve button for them.
    expect(await page.getByTestId('terms-approve').count()).toBe(0);

    // Sign out; Leadership signs in (first replacing the password the admin set) and approves in the inbox.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await signIn(LEAD.email, LEAD.password);
    await page.getByTestId('change-password-form').waitFor();
    await page.getByTestId('current-password').fill(LEAD.password);
    await page.getByTestId('new-password').fill(LEAD.next);
    await page.getByTestId('repeat-password').fill(LEAD.next);
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('nav-approvals').click();
    const row = page.locator('[data-testid=approval-row][data-kind=terms_approval]').first();
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Journey Markets');
    await row.getByTestId('approval-approve').click();
    await page.getByTestId('reason-submit').click();
    await row.waitFor({ state: 'detached' });

    // The timeline shows the upload and the approval, each with who did it.
    await page.goto(`${partnerUrl}/timeline`);
    await page.getByTestId('timeline-item').first().waitFor();
    const actions = await page.getByTestId('timeline-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['partner.created', 'document.uploaded', 'terms.proposed', 'terms.approved']));
    const approved = page.locator('[data-testid=timeline-item][data-action="terms.approved"]');
    await expect(approved.textContent()).resolves.toContain(LEAD.name);
    expect(pageErrors).toEqual([]);
  });
});
