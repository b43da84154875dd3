// One company IB from intake to active in the browser, by four roles doing their part on screen: the BDM
// ticks and advances, Compliance approves due diligence, Finance verifies payout details, Support
// acknowledges the handover (which activates the partner). Paperwork the issue does not ask to click through
// (uploads, KYB data entry, terms) goes through the same API as those users, signed in with their own sessions.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, apiLogin, launchBrowser, type RunningServer, startServer } from './support.ts';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const PASSWORD = 'journey-password-7731';
const ROLES = ['bdm', 'ops', 'compliance', 'team_lead', 'finance', 'support'] as const;
type RoleName = (typeof ROLES)[number];
interface Who {
  email: string;
  cookie: string;
  csrf: string;
}

describe('onboarding in the browser: intake to active by four roles', () => {
  let server: RunningServer;
  let browser: Browser;
  const users = {} as Record<RoleName, Who>;
  let id = '';
  const pageErrors: string[] = [];

  async function api(who: Who, method: string, url: string, body?: unknown, expected = [200, 201]) {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        cookie: who.cookie,
        'x-csrf-token': who.csrf,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }
  async function upload(who: Who, type: string, name: string, extra: Record<string, string> = {}) {
    const form = new FormData();
    form.set('type', type);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    form.set('file', new Blob([PDF], { type: 'application/pdf' }), name);
    const res = await fetch(`${server.url}/api/v1/partners/${id}/documents`, {
      method: 'POST',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
      body: form,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }
  const tick = (who: Who, key: string, comment: string) =>
    api(who, 'POST', `/api/v1/partners/${id}/onboarding/items/${key}/tick`, { comment });
  async function finishTasks(who: Who, stage: string) {
    const tasks = await api(who, 'GET', `/api/v1/tasks?partnerId=${id}&stage=${stage}`);
    for (const task of tasks.data) await api(who, 'POST', `/api/v1/tasks/${task.id}/complete`, { note: 'Done.' });
  }
  const stage = async () => (await api(users.bdm, 'GET', `/api/v1/partners/${id}/onboarding`)).stage as string;

  async function pageAs(role: RoleName): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${role}: ${e.message}`));
    await page.goto(`${server.url}/`);
    await page.getByTestId('login-email').fill(users[role].email);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
    return page;
  }
  async function tickOnScreen(page: Page, key: string, comment: string) {
    const item = page.locator(`[data-testid=gate-item][data-item-key="${key}"]`);
    await item.getByTestId('item-tick').click();
    await page.getByTestId('tick-comment').fill(comment);
    await page.getByTestId('tick-submit').click();
    await page.locator(`[data-testid=gate-item][data-item-key="${key}"][data-state=met]`).waitFor();
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await apiLogin(server.url, ADMIN.email, ADMIN.password);
    const adminWho = { email: ADMIN.email, ...admin };
    for (const role of ROLES) {
      const email = `${role}.journey@e2e.test`;
      const first = `${PASSWORD}-first`;
      await api(adminWho, 'POST', '/api/v1/users', { email, name: `Journey ${role}`, role, password: first });
      // An admin-set password is replaced at first sign-in; these users do it through the API.
      const s = await apiLogin(server.url, email, first);
      const changed = await fetch(`${server.url}/api/v1/auth/password`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: first, newPassword: PASSWORD }),
      });
      expect(changed.status).toBe(200);
      users[role] = { email, ...(await apiLogin(server.url, email, PASSWORD)) };
    }
    await api(adminWho, 'PUT', '/api/v1/restricted-countries', {
      entries: [{ entity: 'CySEC', country: 'US', reason: 'Not licensed for US persons' }],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('takes a company IB from intake to active', async () => {
    const { bdm, ops, compliance, team_lead: lead, finance, support } = users;
    const partner = await api(bdm, 'POST', '/api/v1/partners', {
      displayName: 'Browser Journey Traders',
      legalName: 'Browser Journey Traders Ltd',
      kind: 'company',
      type: 'ib',
      country: 'CY',
      email: 'desk@browser-journey.example',
      phone: '+357 22 000000',
      languages: ['en'],
      websites: ['https://browser-journey.example'],
    });
    id = partner.id;
    await api(bdm, 'POST', `/api/v1/partners/${id}/contacts`, { name: 'Ana Primary', role: 'primary', isPrimary: true, email: 'ana@browser-journey.example' });
    await api(bdm, 'POST', `/api/v1/partners/${id}/contacts`, { name: 'Sig Natory', role: 'signatory' });
    const docs = [
      await upload(bdm, 'incorporation', 'incorporation.pdf'),
      await upload(bdm, 'ubo_declaration', 'ubo.pdf'),
      await upload(bdm, 'proof_of_address', 'address.pdf'),
    ];
    const uboId = await upload(bdm, 'identity', 'passport.pdf', { expiresOn: `${new Date().getUTCFullYear() + 4}-06-30` });
    const uboAddress = await upload(bdm, 'proof_of_address', 'bill.pdf');
    await tick(ops, 'duplicate_check', 'No duplicate in the CRM.');

    // BDM, on screen: the advance is refused with the unmet item named, then ticks it and advances.
    const bdmPage = await pageAs('bdm');
    await bdmPage.goto(`${server.url}/partners/${id}/onboarding`);
    await bdmPage.locator('[data-testid=onboarding-tab][data-stage=intake]').waitFor();
    await bdmPage.getByTestId('onboarding-advance').click();
    await bdmPage.getByTestId('advance-refused').waitFor();
    await expect(bdmPage.getByTestId('advance-refused').textContent()).resolves.toMatch(/qualification/i);
    await tickOnScreen(bdmPage, 'qualification_call', 'Call held: education business, 300 students.');
    await bdmPage.getByTestId('onboarding-advance').click();
    await bdmPage.locator('[data-testid=onboarding-tab][data-stage=due_diligence]').waitFor();
    expect(await stage()).toBe('due_diligence');

    // Compliance: documents reviewed and the KYB data entered (API), then the decision on screen.
    for (const doc of [...docs, uboId, uboAddress]) {
      await api(compliance, 'POST', `/api/v1/partners/${id}/documents/${doc}/review`, { decision: 'approve' });
    }
    const dd = `/api/v1/partners/${id}/due-diligence`;
    await api(compliance, 'POST', dd, { regulatedEntity: 'CySEC' });
    await api(compliance, 'PATCH', dd, {
      registration: { number: 'HE999001', country: 'CY', registry: 'Registrar of Companies', incorporatedOn: '2020-01-15' },
      marketingMethods: ['education'],
      targetCountries: ['CY'],
    });
    const withParty = await api(compliance, 'POST', `${dd}/parties`, {
      kind: 'person', name: 'Ana Primary', roles: ['director', 'shareholder', 'ubo'], country: 'CY',
      shareholdingBps: 10000, beneficialBps: 10000, identityDocumentId: uboId, addressDocumentId: uboAddress,
    });
    const today = new Date().toISOString().slice(0, 10);
    for (const partyId of [null, withParty.parties[0].id]) {
      await api(compliance, 'POST', `${dd}/screenings`, {
        ...(partyId ? { partyId } : {}), result: 'clear', listTypes: ['sanctions', 'pep'], provider: 'World-Check One', screenedOn: today,
      });
    }
    await api(compliance, 'POST', `${dd}/website-reviews`, { url: 'https://browser-journey.example', reviewedOn: today, outcome: 'pass' });
    const compliancePage = await pageAs('compliance');
    await compliancePage.goto(`${server.url}/partners/${id}/due-diligence`);
    await compliancePage.getByTestId('dd-decision-reason').fill('KYB complete; screening clear; targets allowed for CySEC.');
    await compliancePage.getByTestId('dd-decision-submit').click();
    await compliancePage.locator('[data-testid=dd-tab][data-status=approved]').waitFor();
    await tick(compliance, 'marketing_review', 'Education only; CY allowed.');
    await tick(compliance, 'ib_model_review', 'Refers clients only.');
    await finishTasks(compliance, 'due_diligence');
    await api(ops, 'POST', `/api/v1/partners/${id}/onboarding/advance`, { expectedStage: 'due_diligence' });

    // Tracking setup (Ops), then what activation readiness needs from the BDM, the Team Lead and Compliance.
    const agreement = await upload(bdm, 'agreement', 'agreement.pdf');
    const taxForm = await upload(bdm, 'tax_form', 'w8.pdf');
    await api(bdm, 'POST', `/api/v1/partners/${id}/contacts`, { name: 'Bill Ing', role: 'billing', email: 'billing@browser-journey.example' });
    await api(bdm, 'PATCH', `/api/v1/partners/${id}`, { tier: 'gold' });
    await tick(ops, 'links_configured', 'Referral code issued.');
    await finishTasks(ops, 'tracking_setup');
    await api(ops, 'POST', `/api/v1/partners/${id}/onboarding/advance`, { expectedStage: 'tracking_setup' });
    for (const doc of [agreement, taxForm]) {
      await api(compliance, 'POST', `/api/v1/partners/${id}/documents/${doc}/review`, { decision: 'approve' });
    }
    const terms = await api(bdm, 'POST', `/api/v1/partners/${id}/terms`, {
      plan: { model: 'rebate', rebates: [{ group: 'fx_majors', amountPerLotMinor: 1000 }] },
      currency: 'USD',
      effectiveFrom: today,
    });
    await api(lead, 'POST', `/api/v1/partners/${id}/terms/${terms.id}/approve`, { reason: 'Volume justifies it.' });
    await api(bdm, 'POST', `/api/v1/partners/${id}/terms/${terms.id}/accept`, { note: 'Signed copy received.' });
    await api(bdm, 'PUT', `/api/v1/partners/${id}/payout-details`, {
      method: 'bank_transfer', currency: 'EUR', accountHolder: 'Browser Journey Traders Ltd',
      details: { iban: 'CY17002001280000001200527600', swiftBic: 'BCYPCY2N', bankName: 'Bank of Cyprus', bankCountry: 'CY' },
    });

    // Finance, on screen: verifies the payout details the BDM entered, and ticks the payout schedule.
    const financePage = await pageAs('finance');
    await financePage.goto(`${server.url}/partners/${id}/payouts`);
    await financePage.getByTestId('payout-verify').click();
    await financePage.getByTestId('verify-submit').click();
    await financePage.getByTestId('payout-verified').waitFor();
    await financePage.goto(`${server.url}/partners/${id}/onboarding`);
    await tickOnScreen(financePage, 'payout_schedule', 'Monthly, on the 10th.');
    await finishTasks(finance, 'activation_readiness');
    await api(bdm, 'POST', `/api/v1/partners/${id}/onboarding/advance`, { expectedStage: 'activation_readiness' });
    expect(await stage()).toBe('handover');

    // Support, on screen: ticks the escalation contacts and acknowledges the handover: the partner is active.
    await finishTasks(support, 'handover');
    const supportPage = await pageAs('support');
    await supportPage.goto(`${server.url}/partners/${id}/onboarding`);
    await tickOnScreen(supportPage, 'escalation_contacts', 'Escalation contacts agreed.');
    await supportPage.getByTestId('handover-acknowledge').click();
    await supportPage.getByTestId('handover-submit').click();
    await supportPage.locator('[data-testid=onboarding-tab][data-stage=active]').waitFor();
    expect(await stage()).toBe('active');

    // The partner's timeline names all four on-screen roles.
    const timeline = await api(bdm, 'GET', `/api/v1/partners/${id}/timeline?limit=200`);
    const actors = new Set((timeline.data as { actor: { name: string } }[]).map((i) => i.actor.name));
    for (const role of ['bdm', 'compliance', 'finance', 'support']) expect(actors).toContain(`Journey ${role}`);
    expect(pageErrors).toEqual([]);
  });
});
