import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, TEST_PASSWORD, type TestApp } from '../../../test/support/app.ts';
import { verifyAuditChain } from '../../platform/audit/verify.ts';
import { clearGrantsCache } from '../../platform/auth/grants.ts';
import { DEFAULT_GRANTS } from '../../platform/auth/permissions.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';

async function insertPartner(t: TestApp): Promise<string> {
  const id = newId('partner');
  const now = nowIso();
  await t.store.db
    .insertInto('partners')
    .values({
      id,
      display_name: 'Admin Test Partner',
      legal_name: null,
      kind: 'company',
      type: 'ib',
      stage: 'intake',
      parent_id: null,
      country: 'CY',
      languages: '[]',
      websites: '[]',
      traffic_sources: '[]',
      email: null,
      phone: null,
      owner_id: null,
      tier: null,
      referral_code: `ADM${id.slice(-8)}`,
      tags: '[]',
      custom_fields: '{}',
      search_text: 'admin test partner',
      archived_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}

describe('users administration', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['userSession']>>;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.userSession('admin');
  });
  afterAll(async () => t.close());

  it('creates a user with a given password and signs in with it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: {
        email: 'Ana.Ops@Example.test',
        name: 'Ana Operations',
        role: 'ops',
        password: 'a perfectly fine passphrase',
      },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({
      email: 'ana.ops@example.test',
      name: 'Ana Operations',
      role: 'ops',
      status: 'active',
      mustChangePassword: true, // the admin knows it, so the user replaces it at first sign-in
    });
    expect(body.oneTimePassword).toBeNull();
    const session = await t.sessionFor('ana.ops@example.test', 'a perfectly fine passphrase');
    expect(session.csrf.length).toBeGreaterThan(20);
  });

  it('generates a one-time password, returned once, that must be replaced before anything else', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: { email: 'otp.user@example.test', name: 'Otp User', role: 'ops' },
    });
    expect(res.statusCode).toBe(201);
    const { user, oneTimePassword } = res.json();
    expect(typeof oneTimePassword).toBe('string');
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(20);
    expect(user.mustChangePassword).toBe(true);
    // Not readable again.
    const again = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${user.id}`,
      headers: admin.headers,
    });
    expect(again.body).not.toContain(oneTimePassword);

    const s = await t.sessionFor('otp.user@example.test', oneTimePassword);
    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: s.headers });
    expect(blocked.statusCode).toBe(403);
    const who = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: s.headers });
    expect(who.json().permissions).toEqual([]);
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: s.headers,
      payload: { currentPassword: oneTimePassword, newPassword: 'my own chosen passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.mustChangePassword).toBe(false);
    const cookie = changed.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const now = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    expect(now.statusCode).toBe(200);
  });

  it('rejects bad input with field errors, duplicates with 409, and partner rules', async () => {
    const cases: [Record<string, unknown>, string, number][] = [
      [{ email: 'x@example.test', name: 'X', role: 'ops', password: 'short' }, 'body.password', 422],
      [{ email: 'not-an-email', name: 'X', role: 'ops', password: TEST_PASSWORD }, 'body.email', 422],
      [{ email: 'x@example.test', name: 'X', role: 'wizard', password: TEST_PASSWORD }, 'body.role', 422],
      [
        { email: 'x@example.test', name: 'X', role: 'partner', password: TEST_PASSWORD },
        'body.partnerId',
        422,
      ],
      [
        {
          email: 'x@example.test',
          name: 'X',
          role: 'ops',
          partnerId: 'ptr_01J00000000000000000000000',
          password: TEST_PASSWORD,
        },
        'body.partnerId',
        422,
      ],
      [
        {
          email: 'x@example.test',
          name: 'X',
          role: 'partner',
          partnerId: 'ptr_01J00000000000000000000000',
          password: TEST_PASSWORD,
        },
        'body.partnerId',
        422,
      ],
    ];
    for (const [payload, field, status] of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin.headers,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(problemOf(res).errors?.map((e) => e.field)).toContain(field);
    }
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: { email: admin.email, name: 'Dup', role: 'ops', password: TEST_PASSWORD },
    });
    expect(dup.statusCode).toBe(409);

    const partnerId = await insertPartner(t);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: {
        email: 'partner.user@example.test',
        name: 'Partner User',
        role: 'partner',
        partnerId,
        password: TEST_PASSWORD,
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().user.partnerId).toBe(partnerId);
  });

  it('lists users with filters, search and cursor paging', async () => {
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin.headers,
        payload: {
          email: `finance${i}@paging.test`,
          name: `Zoë Fïnance ${i}`,
          role: 'finance',
          password: TEST_PASSWORD,
        },
      });
    }
    const key = await t.keyFor('ops');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?role=finance&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.app.inject({ method: 'GET', url, headers: key });
      expect(page.statusCode).toBe(200);
      const body = page.json() as { data: { id: string; role: string }[]; nextCursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(2);
      for (const u of body.data) {
        expect(u.role).toBe('finance');
        seen.push(u.id);
      }
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(5);
    expect(new Set(seen).size).toBe(5);

    const search = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users?q=${encodeURIComponent('ZOË FÏN')}`,
      headers: key,
    });
    expect(search.json().data).toHaveLength(5);
    const byEmail = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users?q=finance3%40paging',
      headers: key,
    });
    expect(byEmail.json().data.map((u: { email: string }) => u.email)).toEqual(['finance3@paging.test']);
    const wildcard = await t.app.inject({ method: 'GET', url: '/api/v1/users?q=%25', headers: key });
    expect(wildcard.json().data).toEqual([]);

    const badRole = await t.app.inject({ method: 'GET', url: '/api/v1/users?role=wizard', headers: key });
    expect(badRole.statusCode).toBe(422);
    expect(problemOf(badRole).errors?.[0]?.field).toBe('query.role');
    const badCursor = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users?cursor=garbage',
      headers: key,
    });
    expect(badCursor.statusCode).toBe(422);
    expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
    const badLimit = await t.app.inject({ method: 'GET', url: '/api/v1/users?limit=500', headers: key });
    expect(problemOf(badLimit).errors?.[0]?.field).toBe('query.limit');
  });

  it('changes name and role, and a partner user becoming staff loses the partner link', async () => {
    const partnerId = await insertPartner(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: {
        email: 'mover@example.test',
        name: 'Mover',
        role: 'partner',
        partnerId,
        password: TEST_PASSWORD,
      },
    });
    const id = created.json().user.id as string;
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: admin.headers,
      payload: { name: 'Mover Two', role: 'support' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Mover Two', role: 'support', partnerId: null });
    const audit = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', id)
      .where('action', '=', 'user.updated')
      .execute();
    expect(audit).toHaveLength(1);
    const data = JSON.parse(audit[0]?.data ?? '{}');
    expect(data.before).toEqual({ name: 'Mover', role: 'partner', partnerId });
    expect(data.after).toEqual({ name: 'Mover Two', role: 'support', partnerId: null });

    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/usr_01J00000000000000000000000',
      headers: admin.headers,
      payload: { name: 'N' },
    });
    expect(missing.statusCode).toBe(404);
    const toPartner = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: admin.headers,
      payload: { role: 'partner' },
    });
    expect(problemOf(toPartner).errors?.[0]?.field).toBe('body.partnerId');
  });

  it('disabling ends the sessions at once; enabling lets the user back in', async () => {
    const victim = await t.userSession('bdm');
    const before = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: victim.headers,
    });
    expect(before.statusCode).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${victim.id}/disable`,
      headers: admin.headers,
      payload: { reason: 'left the company' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('disabled');
    const sessions = await t.store.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', victim.id)
      .execute();
    expect(sessions).toEqual([]);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: victim.headers });
    expect(after.statusCode).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: victim.email, password: victim.password },
    });
    expect(login.statusCode).toBe(401);

    const enabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${victim.id}/enable`,
      headers: admin.headers,
    });
    expect(enabled.json().status).toBe('active');
    await t.sessionFor(victim.email, victim.password);
    const actions = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', victim.id)
      .execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('keeps at least one active admin and forbids disabling yourself', async () => {
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${admin.id}/disable`,
      headers: admin.headers,
    });
    expect(self.statusCode).toBe(409);
    // Via an API key (no self), the only active admin can neither be disabled nor demoted.
    const adminKey = await t.keyFor('admin');
    const admins = await t.store.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('status', '=', 'active')
      .execute();
    expect(admins).toHaveLength(1);
    const disable = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${admin.id}/disable`,
      headers: adminKey,
    });
    expect(disable.statusCode).toBe(409);
    expect(problemOf(disable).detail).toMatch(/last active administrator/);
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.id}`,
      headers: adminKey,
      payload: { role: 'ops' },
    });
    expect(demote.statusCode).toBe(409);
    // With a second admin, the first can be demoted.
    const second = await t.userSession('admin');
    const ok = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${second.id}`,
      headers: admin.headers,
      payload: { role: 'leadership' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().role).toBe('leadership');
  });

  it('only an administrator may create or change administrators', async () => {
    // Give ops the users.manage permission, then try to escalate.
    const adminKey = await t.keyFor('admin');
    const grant = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/ops/permissions',
      headers: adminKey,
      payload: { permissions: [...DEFAULT_GRANTS.ops, 'users.manage'] },
    });
    expect(grant.statusCode).toBe(200);
    const ops = await t.keyFor('ops');
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: ops,
      payload: { email: 'sneaky@example.test', name: 'Sneaky', role: 'admin', password: TEST_PASSWORD },
    });
    expect(create.statusCode).toBe(403);
    const promote = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.id}`,
      headers: ops,
      payload: { name: 'Renamed' },
    });
    expect(promote.statusCode).toBe(403);
    const staff = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: ops,
      payload: {
        email: 'new.support@example.test',
        name: 'New Support',
        role: 'support',
        password: TEST_PASSWORD,
      },
    });
    expect(staff.statusCode).toBe(201);
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/ops/permissions',
      headers: adminKey,
      payload: { permissions: DEFAULT_GRANTS.ops },
    });
  });

  it('an administrator sets a password: sessions end, the user must choose a new one', async () => {
    const target = await t.userSession('support');
    const weak = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${target.id}/password`,
      headers: admin.headers,
      payload: { password: 'password1234' },
    });
    expect(weak.statusCode).toBe(422);
    expect(problemOf(weak).errors?.[0]?.field).toBe('body.password');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${target.id}/password`,
      headers: admin.headers,
      payload: { password: 'temporary admin chosen phrase' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().mustChangePassword).toBe(true);
    const old = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: target.headers });
    expect(old.statusCode).toBe(401);
    const oldPassword = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: target.email, password: target.password },
    });
    expect(oldPassword.statusCode).toBe(401);
    await t.sessionFor(target.email, 'temporary admin chosen phrase');
  });

  it('changing your own password checks the current one and ends your other sessions', async () => {
    const me = await t.userSession('compliance');
    const other = await t.sessionFor(me.email, me.password);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: me.headers,
      payload: { currentPassword: 'not my password at all', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.statusCode).toBe(422);
    expect(problemOf(wrong).errors?.[0]?.field).toBe('body.currentPassword');
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: me.headers,
      payload: { currentPassword: me.password, newPassword: 'short' },
    });
    expect(problemOf(weak).errors?.[0]?.field).toBe('body.newPassword');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: me.headers,
      payload: { currentPassword: me.password, newPassword: 'a brand new passphrase' },
    });
    expect(ok.statusCode).toBe(200);
    const newCookie = ok.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: newCookie } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: other.headers })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: me.headers })).statusCode,
    ).toBe(401);
    const viaKey = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: await t.keyFor('ops'),
      payload: { currentPassword: 'x', newPassword: 'a brand new passphrase' },
    });
    expect(viaKey.statusCode).toBe(400);
  });

  it('never writes a password or a hash into the audit log, and the chain verifies', async () => {
    const rows = await t.store.db.selectFrom('audit_log').select(['data', 'action']).execute();
    expect(rows.length).toBeGreaterThan(20);
    const all = rows.map((r) => r.data).join('\n');
    for (const secret of [
      TEST_PASSWORD,
      'a perfectly fine passphrase',
      'my own chosen passphrase',
      'temporary admin chosen phrase',
      'a brand new passphrase',
      '$argon2',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(rows.filter((r) => r.action === 'user.password_changed').length).toBeGreaterThanOrEqual(3);
    expect((await verifyAuditChain(t.store.db)).ok).toBe(true);
  });
});

describe('API keys administration', () => {
  let t: TestApp;
  let adminKey: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    adminKey = await t.keyFor('admin');
  });
  afterAll(async () => t.close());

  it('creates a key shown once, lists keys without secrets, and a revoked key stops working at once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: adminKey,
      payload: { name: 'Back office', role: 'finance' },
    });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^pdk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const auth = { authorization: `Bearer ${key}` };
    const works = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: auth });
    expect(works.statusCode).toBe(200);
    expect(works.json().user.role).toBe('finance');

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: adminKey });
    expect(list.statusCode).toBe(200);
    const row = list.json().data.find((k: { id: string }) => k.id === apiKey.id);
    expect(row).toMatchObject({
      name: 'Back office',
      role: 'finance',
      revokedAt: null,
      prefix: apiKey.prefix,
    });
    expect(row.lastUsedAt).not.toBeNull();
    const stored = await t.store.db
      .selectFrom('api_keys')
      .select('key_hash')
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain(stored.key_hash);
    expect(list.body).not.toMatch(/hash/i);

    const revoked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/api-keys/${apiKey.id}/revoke`,
      headers: adminKey,
      payload: { reason: 'rotated' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const dead = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: auth });
    expect(dead.statusCode).toBe(401);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/api-keys/${apiKey.id}/revoke`,
      headers: adminKey,
    });
    expect(again.statusCode).toBe(200);
    const revokedOnly = await t.app.inject({
      method: 'GET',
      url: '/api/v1/api-keys?status=revoked',
      headers: adminKey,
    });
    expect(revokedOnly.json().data.map((k: { id: string }) => k.id)).toEqual([apiKey.id]);
    const audits = await t.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', apiKey.id)
      .execute();
    expect(audits.map((a) => a.action)).toEqual(['apikey.created', 'apikey.revoked']);
  });

  it('validates key input and pages the list', async () => {
    const noPartner = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: adminKey,
      payload: { name: 'P', role: 'partner' },
    });
    expect(problemOf(noPartner).errors?.[0]?.field).toBe('body.partnerId');
    const badRole = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: adminKey,
      payload: { name: 'P', role: 'root' },
    });
    expect(problemOf(badRole).errors?.[0]?.field).toBe('body.role');
    const noName = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: adminKey,
      payload: { name: '  ', role: 'ops' },
    });
    expect(problemOf(noName).errors?.[0]?.field).toBe('body.name');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys/key_01J00000000000000000000000/revoke',
      headers: adminKey,
    });
    expect(missing.statusCode).toBe(404);
    for (let i = 0; i < 4; i++) await t.keyFor('support');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.app.inject({
        method: 'GET',
        url: `/api/v1/api-keys?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: adminKey,
      });
      const body = page.json() as { data: { id: string }[]; nextCursor: string | null };
      ids.push(...body.data.map((k) => k.id));
      cursor = body.nextCursor;
    } while (cursor);
    const total = await t.store.db.selectFrom('api_keys').select('id').execute();
    expect(ids.sort()).toEqual(total.map((k) => k.id).sort());
  });
});

describe('roles and permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    clearGrantsCache();
    await t.close();
  });

  it('shows every role, permission description and the grant matrix to any signed-in actor', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/roles',
      headers: await t.keyFor('read_only'),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.roles.map((r: { role: string }) => r.role)).toContain('team_lead');
    expect(body.roles.find((r: { role: string }) => r.role === 'admin').editable).toBe(false);
    expect(body.permissions.find((p: { name: string }) => p.name === 'audit.erase').description).toMatch(
      /Erase/,
    );
    expect(body.grants.compliance).toEqual([...DEFAULT_GRANTS.compliance].sort());
    expect(body.grants.admin).toContain('audit.erase');
    expect(body.grants.compliance).not.toContain('audit.erase');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/roles' })).statusCode).toBe(401);
  });

  it('replaces a role grant list, takes effect at once, and audits before/after', async () => {
    const adminKey = await t.keyFor('admin');
    const support = await t.keyFor('support');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: support })).statusCode).toBe(
      403,
    );
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/support/permissions',
      headers: adminKey,
      payload: { permissions: ['partners.read', 'users.read', 'users.read'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      role: 'support',
      permissions: ['partners.read', 'users.read'],
      added: ['users.read'],
    });
    // Everything support had by default except partners.read is removed (users.read was added).
    expect(res.json().removed).toEqual(DEFAULT_GRANTS.support.filter((p) => p !== 'partners.read').sort());
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: support })).statusCode).toBe(
      200,
    );
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/partners', headers: support })).statusCode,
    ).not.toBe(403);

    const entry = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'role.permissions_changed')
      .where('entity_id', '=', 'support')
      .executeTakeFirstOrThrow();
    const data = JSON.parse(entry.data);
    expect(data.before.permissions).toEqual([...DEFAULT_GRANTS.support].sort());
    expect(data.after.permissions).toEqual(['partners.read', 'users.read']);
  });

  it('refuses to change admin (409), unknown permissions (422 naming them), unknown roles (404), non-holders (403)', async () => {
    const adminKey = await t.keyFor('admin');
    const lockAdmin = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/admin/permissions',
      headers: adminKey,
      payload: { permissions: [] },
    });
    expect(lockAdmin.statusCode).toBe(409);
    expect(problemOf(lockAdmin).detail).toMatch(/admin role always has every permission/);
    const unknown = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/ops/permissions',
      headers: adminKey,
      payload: { permissions: ['partners.read', 'partners.fly', 'moon.land'] },
    });
    expect(unknown.statusCode).toBe(422);
    const p = problemOf(unknown);
    expect(p.detail).toContain('"partners.fly"');
    expect(p.detail).toContain('"moon.land"');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.permissions.1', 'body.permissions.2']);
    const noRole = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/wizard/permissions',
      headers: adminKey,
      payload: { permissions: [] },
    });
    expect(noRole.statusCode).toBe(404);
    const notAllowed = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/roles/ops/permissions',
      headers: await t.keyFor('ops'),
      payload: { permissions: [] },
    });
    expect(notAllowed.statusCode).toBe(403);
    // Nothing changed for ops.
    const roles = (await t.app.inject({ method: 'GET', url: '/api/v1/roles', headers: adminKey })).json();
    expect(roles.grants.ops).toEqual([...DEFAULT_GRANTS.ops].sort());
  });
});
