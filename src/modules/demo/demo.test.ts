import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { verifyAuditChain } from '../../platform/audit/verify.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import { prepareWorkspace } from '../workspace.ts';
import { demoPartners } from './demo-data.ts';
import { DEMO_PASSWORD, seedDemo } from './index.ts';

describe('demo data', () => {
  it('spreads 240 partners over every type and stage, with IB hierarchies three levels deep', () => {
    const specs = demoPartners(240, 3);
    expect(new Set(specs.map((s) => s.type))).toEqual(new Set(['ib', 'affiliate', 'white_label', 'network', 'influencer']));
    expect(new Set(specs.map((s) => s.stage)).size).toBe(9);
    const depth = (i: number): number => {
      const p = specs[i]?.parentIndex;
      return p === null || p === undefined ? 1 : 1 + depth(p);
    };
    expect(Math.max(...specs.map((s) => depth(s.index)))).toBeGreaterThanOrEqual(3);
    for (const s of specs) if (s.parentIndex !== null) expect(specs[s.parentIndex]?.type).toBe('ib');
    expect(demoPartners(240, 3)).toEqual(specs); // deterministic
  });
});

describe('seed --demo', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await prepareWorkspace(t.store, t.config);
    await seedDemo(t.store, t.config, { partners: 40 });
  }, 180_000);
  afterAll(async () => t.close());

  it('creates a user of every role who can sign in with the demo password', async () => {
    const users = await t.store.db.selectFrom('users').select(['email', 'role']).execute();
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
    const bdm = users.find((u) => u.role === 'bdm');
    const session = await t.sessionFor(bdm?.email as string, DEMO_PASSWORD);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/partners?limit=5', headers: session.headers });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.length).toBe(5);
  });

  it('leaves documents, terms and contacts through the real services, with an intact audit chain', async () => {
    const count = async (table: 'documents' | 'terms_versions' | 'contacts' | 'partners') =>
      Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('partners')).toBe(40);
    expect(await count('contacts')).toBeGreaterThan(30);
    expect(await count('documents')).toBeGreaterThan(20);
    expect(await count('terms_versions')).toBeGreaterThan(5);
    const chain = await verifyAuditChain(t.store.db);
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBeGreaterThan(100);
  });

  it('refuses to load into a workspace that already has partners', async () => {
    await expect(seedDemo(t.store, t.config, { partners: 10 })).rejects.toThrow(/already has partners/);
  });
});
