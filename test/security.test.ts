// Security walls for sign-in, sessions and CSRF: the properties OWASP ASVS asks of authentication and session
// management (cookie flags, rotation, timeouts, throttling, no user enumeration, password rules and hashing),
// and that a denied request is logged.
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createApiKey } from '../src/modules/access/index.ts';
import { setClockForTests } from '../src/platform/time.ts';
import { createTestApp, problemOf, systemCtx, TEST_PASSWORD, type TestApp } from './support/app.ts';
import { createTestDb } from './support/db.ts';

function setCookieHeader(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const session = all.find((c) => c.startsWith('pd_session='));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(raw)}`);
  return session;
}

function cookieOf(res: LightMyRequestResponse): string {
  return setCookieHeader(res).split(';')[0] as string;
}

async function login(
  t: TestApp,
  email: string,
  password: string,
  extra: { cookie?: string; ip?: string; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: extra.ip ?? '198.51.100.1',
    headers: { ...(extra.cookie ? { cookie: extra.cookie } : {}), ...(extra.headers ?? {}) },
  });
}

async function whoAmI(t: TestApp, cookie: string) {
  return t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
}

describe('security', () => {
  let t: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    proxied = await createTestApp({
      PARTNERDESK_TRUST_PROXY: 'true',
      PARTNERDESK_SESSION_ABSOLUTE_HOURS: '1',
    });
  });
  afterAll(async () => {
    setClockForTests(null);
    await t.close();
    await proxied.close();
  });

  describe('CSRF', () => {
    it('cookie writes need the session CSRF token; API keys need none; reads need none', async () => {
      const admin = await t.userSession('admin');
      const other = await t.userSession('admin');
      const payload = { name: 'csrf check', role: 'support' };
      const none = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie: admin.headers.cookie as string },
        payload,
      });
      expect(none.statusCode).toBe(403);
      expect(problemOf(none).code).toBe('csrf_failed');
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie: admin.headers.cookie as string, 'x-csrf-token': 'x'.repeat(43) },
        payload,
      });
      expect(problemOf(wrong).code).toBe('csrf_failed');
      const foreign = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: {
          cookie: admin.headers.cookie as string,
          'x-csrf-token': other.headers['x-csrf-token'] as string,
        },
        payload,
      });
      expect(problemOf(foreign).code).toBe('csrf_failed');
      expect(
        await t.store.db.selectFrom('api_keys').select('id').where('name', '=', 'csrf check').execute(),
      ).toEqual([]);

      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: admin.headers,
        payload,
      });
      expect(ok.statusCode).toBe(201);
      const viaKey = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: await t.keyFor('admin'),
        payload,
      });
      expect(viaKey.statusCode).toBe(201);
      const read = await t.app.inject({
        method: 'GET',
        url: '/api/v1/api-keys',
        headers: { cookie: admin.headers.cookie as string },
      });
      expect(read.statusCode).toBe(200);
    });
  });

  describe('session cookie', () => {
    it('is HttpOnly, SameSite=Lax, Path=/, carries a 256-bit token, and is not Secure over plain http', async () => {
      const user = await t.userSession('ops');
      const res = await login(t, user.email, user.password);
      const header = setCookieHeader(res);
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
      expect(header).toMatch(/;\s*Path=\/(;|$)/);
      expect(header).not.toMatch(/;\s*Secure/i);
      expect(cookieOf(res)).toMatch(/^pd_session=[A-Za-z0-9_-]{43}$/);
      // Without a trusted proxy, a client claiming https is not believed.
      const spoofed = await login(t, user.email, user.password, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(setCookieHeader(spoofed)).not.toMatch(/;\s*Secure/i);
    });

    it('is Secure when the request arrives over https through a trusted proxy', async () => {
      const user = await proxied.userSession('ops');
      const res = await login(proxied, user.email, user.password, {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.10' },
      });
      expect(res.statusCode).toBe(200);
      const header = setCookieHeader(res);
      expect(header).toMatch(/;\s*Secure/i);
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
    });

    it('is rotated at login: the cookie sent to a new login stops working', async () => {
      const user = await t.userSession('bdm');
      const first = await login(t, user.email, user.password);
      const oldCookie = cookieOf(first);
      expect((await whoAmI(t, oldCookie)).statusCode).toBe(200);
      const second = await login(t, user.email, user.password, { cookie: oldCookie });
      const newCookie = cookieOf(second);
      expect(newCookie).not.toBe(oldCookie);
      expect((await whoAmI(t, oldCookie)).statusCode).toBe(401);
      expect((await whoAmI(t, newCookie)).statusCode).toBe(200);
    });
  });

  describe('session lifetime', () => {
    it('ends after the idle timeout, and activity keeps it alive', async () => {
      const user = await t.userSession('finance');
      const base = Date.now();
      setClockForTests(() => base);
      try {
        const cookie = cookieOf(await login(t, user.email, user.password));
        const minutes = (m: number) => setClockForTests(() => base + m * 60_000);
        minutes(29);
        expect((await whoAmI(t, cookie)).statusCode).toBe(200);
        minutes(58); // 29 minutes after the last request
        expect((await whoAmI(t, cookie)).statusCode).toBe(200);
        minutes(58 + 31); // idle for 31 minutes (the default idle limit is 30)
        expect((await whoAmI(t, cookie)).statusCode).toBe(401);
        minutes(58 + 31.5);
        expect((await whoAmI(t, cookie)).statusCode).toBe(401);
      } finally {
        setClockForTests(null);
      }
    });

    it('ends at the absolute timeout even when active', async () => {
      const user = await proxied.userSession('finance');
      const base = Date.now();
      setClockForTests(() => base);
      try {
        const cookie = cookieOf(await login(proxied, user.email, user.password));
        for (const m of [20, 40, 59]) {
          setClockForTests(() => base + m * 60_000);
          expect((await whoAmI(proxied, cookie)).statusCode, `at ${m} minutes`).toBe(200);
        }
        setClockForTests(() => base + 61 * 60_000); // PARTNERDESK_SESSION_ABSOLUTE_HOURS=1
        expect((await whoAmI(proxied, cookie)).statusCode).toBe(401);
      } finally {
        setClockForTests(null);
      }
    });

    it("a disabled user's session ends immediately", async () => {
      const admin = await t.keyFor('admin');
      const user = await t.userSession('ops');
      const cookie = user.headers.cookie as string;
      expect((await whoAmI(t, cookie)).statusCode).toBe(200);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/users/${user.id}/disable`,
        headers: admin,
      });
      expect(res.statusCode).toBe(200);
      expect((await whoAmI(t, cookie)).statusCode).toBe(401);
      const write = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.headers });
      expect(write.statusCode).toBe(401);
    });
  });

  describe('sign-in throttling and enumeration', () => {
    it('throttles one IP trying many accounts, and a spoofed X-Forwarded-For does not help', async () => {
      const user = await t.userSession('support');
      const ip = '203.0.113.7';
      for (let i = 0; i < 30; i++) {
        const res = await login(t, `nobody${i}@rotating.test`, 'wrong password guess', {
          ip,
          headers: { 'x-forwarded-for': `10.0.${i}.1` },
        });
        expect(res.statusCode).toBe(401);
      }
      const blocked = await login(t, user.email, user.password, {
        ip,
        headers: { 'x-forwarded-for': '10.9.9.9' },
      });
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      const elsewhere = await login(t, user.email, user.password, { ip: '203.0.113.8' });
      expect(elsewhere.statusCode).toBe(200);
    });

    it('throttles one account tried from many IPs', async () => {
      const user = await t.userSession('support');
      for (let i = 0; i < 5; i++) {
        expect(
          (await login(t, user.email, `wrong guess number ${i}`, { ip: `198.18.0.${i + 1}` })).statusCode,
        ).toBe(401);
      }
      const right = await login(t, user.email, user.password, { ip: '198.18.1.1' });
      expect(right.statusCode).toBe(429);
      const other = await t.userSession('support');
      expect((await login(t, other.email, other.password, { ip: '198.18.0.1' })).statusCode).toBe(200);
    });

    it('answers an unknown user and a wrong password with identical problems (apart from requestId)', async () => {
      const user = await t.userSession('leadership');
      const wrong = await login(t, user.email, 'definitely not it', { ip: '192.0.2.200' });
      const unknown = await login(t, 'no.such.person@example.test', 'definitely not it', {
        ip: '192.0.2.201',
      });
      const disabledUser = await t.userSession('leadership');
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/users/${disabledUser.id}/disable`,
        headers: await t.keyFor('admin'),
      });
      const disabled = await login(t, disabledUser.email, disabledUser.password, { ip: '192.0.2.202' });
      const strip = (res: LightMyRequestResponse) => {
        const { requestId, ...rest } = res.json();
        expect(requestId).toMatch(/^req_/);
        return rest;
      };
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(disabled.statusCode).toBe(401);
      expect(strip(unknown)).toEqual(strip(wrong));
      expect(strip(disabled)).toEqual(strip(wrong));
      expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    });
  });

  describe('passwords', () => {
    it('accepts a 64-character password and rejects short or common ones with a field error', async () => {
      const admin = await t.keyFor('admin');
      const long = 'Correct-Horse-Battery-Staple-And-Then-Some-More-Words-To-Reach64';
      expect(long).toHaveLength(64);
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin,
        payload: { email: 'long.password@example.test', name: 'Long Password', role: 'ops', password: long },
      });
      expect(created.statusCode).toBe(201);
      expect((await login(t, 'long.password@example.test', long, { ip: '192.0.2.50' })).statusCode).toBe(200);
      expect(
        (await login(t, 'long.password@example.test', long.slice(0, 63), { ip: '192.0.2.51' })).statusCode,
      ).toBe(401);

      for (const [password, why] of [
        ['short-pw', /at least 12/],
        ['password1234', /common/],
        ['aaaaaaaaaaaaaaaa', /repeat/],
      ] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: admin,
          payload: { email: `weak.${password.length}@example.test`, name: 'Weak', role: 'ops', password },
        });
        expect(res.statusCode, password).toBe(422);
        const field = problemOf(res).errors?.find((e) => e.field === 'body.password');
        expect(field?.message, password).toMatch(why);
      }
    });

    it('stores argon2id hashes with m=19456, t=2, p=1', async () => {
      const user = await t.userSession('ops');
      const row = await t.store.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(
        /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
      );
      expect(row.password_hash).not.toContain(TEST_PASSWORD);
    });

    it('ignores fields a client may not set (mass assignment)', async () => {
      const admin = await t.keyFor('admin');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { ...admin, 'content-type': 'application/json' },
        payload: JSON.stringify({
          email: 'mass.assign@example.test',
          name: 'Mass Assign',
          role: 'support',
          password: TEST_PASSWORD,
          status: 'disabled',
          mustChangePassword: false,
          passwordHash: '$argon2id$fake',
          id: 'usr_01J00000000000000000000000',
        }),
      });
      expect(res.statusCode).toBe(201);
      // The server decides: an admin-created user always replaces the password at first sign-in.
      expect(res.json().user).toMatchObject({ role: 'support', status: 'active', mustChangePassword: true });
      expect(res.json().user.id).not.toBe('usr_01J00000000000000000000000');

      // Prototype pollution attempts are refused as a bad request, and nothing is created.
      for (const poison of ['"__proto__":{"role":"admin"}', '"constructor":{"prototype":{"role":"admin"}}']) {
        const bad = await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: { ...admin, 'content-type': 'application/json' },
          payload: `{"email":"proto.pollution@example.test","name":"Proto","role":"support","password":"${TEST_PASSWORD}",${poison}}`,
        });
        expect(bad.statusCode, poison).toBe(400);
        expect(problemOf(bad).code).toBe('bad_request');
      }
      expect(({} as Record<string, unknown>).role).toBeUndefined();
      const proto = await t.store.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'proto.pollution@example.test')
        .execute();
      expect(proto).toEqual([]);
    });
  });
});

describe('denied requests are logged', () => {
  it('writes a warn line with denied: true, the actor, the permission and the route', async () => {
    const tdb = await createTestDb();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const app = await buildApp(
      { store: tdb.store, config: tdb.config },
      { serveWeb: false, logger: { level: 'warn', stream } },
    );
    try {
      const { key, apiKey } = await createApiKey(tdb.store, systemCtx, { name: 'logged', role: 'support' });
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.statusCode).toBe(403);
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const denied = entries.find((e) => e.denied === true);
      expect(denied).toMatchObject({
        level: 40,
        actor: apiKey.id,
        role: 'support',
        permission: 'users.read',
        route: '/api/v1/users',
      });
      expect(lines.join('\n')).not.toContain(key);
      // An allowed request leaves no denial behind.
      const before = lines.length;
      const ok = await app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(lines.slice(before).some((l) => l.includes('"denied":true'))).toBe(false);
    } finally {
      await app.close();
      await tdb.cleanup();
    }
  });
});
