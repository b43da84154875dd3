// Clicks through the main journey in a real browser and saves screenshots, to look at the UI as a newcomer
// would: login → create partner → missing fields → upload a document → propose terms → approve them as
// another user → both on the timeline, plus the admin pages.
// Run against a running server: BASE=http://localhost:3100 ADMIN_EMAIL=… ADMIN_PASSWORD=… npx tsx web/scripts/screenshots.ts
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

const BASE = process.env.BASE ?? 'http://localhost:3100';
const ADMIN_EMAIL = process.env.ADMIN_EMAIL ?? 'admin@example.test';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin-password-123';
const OUT = process.env.OUT ?? '/tmp/pd-shots';
const LEAD_PASSWORD = 'team-lead-pass-8842';
mkdirSync(OUT, { recursive: true });

// A minimal valid PDF (the server checks the content matches the declared type).
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

let n = 0;
async function shot(page: Page, name: string) {
  n += 1;
  const file = path.join(OUT, `${String(n).padStart(2, '0')}-${name}.png`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: file, fullPage: true });
  console.log('shot', file);
}

async function login(page: Page, email: string, password: string) {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('PAGE ERROR', e.message));
  page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));

  // Login: wrong password first.
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-form').waitFor();
  await shot(page, 'login');
  await page.getByTestId('login-email').fill(ADMIN_EMAIL);
  await page.getByTestId('login-password').fill('wrong-password-123');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  await shot(page, 'login-wrong');

  await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.waitForURL('**/partners');
  await page.getByTestId('nav-partners').waitFor();
  await shot(page, 'partners-empty');

  // Create a partner; first with a bad email to see the inline error.
  await page.getByTestId('new-partner').first().click();
  await page.getByTestId('field-displayName').fill('Alpha Markets');
  await page.getByTestId('field-email').fill('not-an-email');
  await page.getByTestId('create-partner-submit').click();
  await page.getByTestId('form-error').waitFor();
  await shot(page, 'new-partner-error');
  await page.getByTestId('field-email').fill('ops@alpha-markets.example');
  await page.getByTestId('create-partner-submit').click();
  await page.waitForURL(/\/partners\/ptr_/);
  await page.getByTestId('mandatory-panel').waitFor();
  await shot(page, 'partner-profile');
  const partnerUrl = page.url();

  // Contacts
  await page.getByTestId('tab-contacts').click();
  await page.getByTestId('add-contact').click();
  await page.getByTestId('contact-name').fill('Maria Lopez');
  await page.getByTestId('contact-email').fill('maria@alpha-markets.example');
  await page.getByTestId('contact-submit').click();
  await page.getByTestId('contact-row').first().waitFor();
  await shot(page, 'contacts');

  // Upload a document
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('upload-document').click();
  await page.getByTestId('upload-type').click();
  await page.getByRole('option', { name: 'Identity' }).click();
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByTestId('upload-submit').click();
  await page.getByTestId('document-row').first().waitFor();
  await shot(page, 'documents');

  // Propose terms (CPA 250.00 USD, min FTD 100, 2.5 lots in 30 days)
  await page.getByTestId('tab-terms').click();
  await page.getByTestId('propose-terms').first().click();
  await page.getByTestId('terms-cpa-amount').fill('250.00');
  await page.getByTestId('terms-cpa-minlots').fill('2.5');
  await page.getByTestId('terms-note').fill('Standard CPA for a new affiliate');
  await shot(page, 'propose-terms');
  await page.getByTestId('propose-terms-submit').click();
  await page.getByTestId('terms-row').first().waitFor();
  await shot(page, 'terms-pending');

  // Create a team lead to approve (four eyes).
  await page.getByTestId('nav-users').click();
  await page.getByTestId('new-user').click();
  await page.getByTestId('user-name').fill('Tom Lead');
  await page.getByTestId('user-email').fill('tom.lead@example.test');
  await page.getByTestId('user-role-select').click();
  await page.getByRole('option', { name: 'Leadership' }).click();
  await page.getByTestId('user-password').fill(LEAD_PASSWORD);
  await page.getByTestId('user-submit').click();
  await page.getByText('Tom Lead').first().waitFor();
  await shot(page, 'users');

  for (const [id, name] of [
    ['roles', 'roles'],
    ['api-keys', 'api-keys'],
    ['mandatory-fields', 'mandatory-fields'],
    ['custom-fields', 'custom-fields'],
    ['audit', 'audit'],
  ] as const) {
    await page.getByTestId(`nav-${id}`).click();
    await page.waitForTimeout(500);
    await shot(page, name);
  }
  await page.getByTestId('audit-verify').click();
  await page.getByTestId('audit-verify-result').waitFor();
  await shot(page, 'audit-verified');

  // Sign out, sign in as the lead, approve from the inbox.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
  await login(page, 'tom.lead@example.test', LEAD_PASSWORD);
  await page.getByTestId('nav-approvals').waitFor();
  // A password set by an admin must be changed first.
  if (
    await page
      .getByTestId('change-password-form')
      .isVisible()
      .catch(() => false)
  ) {
    await shot(page, 'forced-password-change');
    await page.getByTestId('current-password').fill(LEAD_PASSWORD);
    await page.getByTestId('new-password').fill(`${LEAD_PASSWORD}-new`);
    await page.getByTestId('repeat-password').fill(`${LEAD_PASSWORD}-new`);
    await page.getByTestId('change-password-submit').click();
  }
  await page.getByTestId('nav-approvals').click();
  await page.getByTestId('approval-row').first().waitFor();
  await shot(page, 'approvals');
  await page
    .locator('[data-testid=approval-row][data-kind=terms_approval] [data-testid=approval-approve]')
    .first()
    .click();
  await page.getByTestId('reason-submit').click();
  await page.waitForTimeout(800);
  await shot(page, 'approvals-after');

  await page.goto(`${partnerUrl}/terms`);
  await page.getByTestId('terms-row').first().waitFor();
  await shot(page, 'terms-approved');
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('timeline-item').first().waitFor();
  await shot(page, 'timeline');
  await page.goto(`${BASE}/partners`);
  await page.getByTestId('partner-row').first().waitFor();
  await shot(page, 'partners-list');

  // Keyboard: `/` focuses search; `g a` opens approvals.
  await page.keyboard.press('/');
  await page.keyboard.type('alpha');
  await page.waitForTimeout(600);
  if (!page.url().includes('q=alpha')) throw new Error(`search did not reach the URL: ${page.url()}`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await page.waitForURL('**/approvals');

  // Back as admin: record the partner's acceptance; the version is then in force.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await login(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.getByTestId('nav-partners').waitFor();
  await page.goto(`${partnerUrl}/terms`);
  await page.getByTestId('terms-accept').click();
  await page.getByTestId('reason-input').fill('Signed agreement received by email');
  await page.getByTestId('reason-submit').click();
  await page.locator('[data-testid=terms-in-force] b').waitFor();
  await page.getByRole('button', { name: 'Details' }).first().click();
  await shot(page, 'terms-in-force');

  await browser.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
