import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, TEST_PASSWORD, type TestApp } from '../../../test/support/app.ts';

describe('sign-in and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('signs in, reports the session, and ends it at logout', async () => {
    const user = await t.userSession('ops');
    const who = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: user.headers });
    expect(who.statusCode).toBe(200);
    expect(who.json().user.email).toBe(user.email);
    expect(who.json().permissions).toContain('partners.read');

    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: user.headers.cookie as string },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(problemOf(noCsrf).code).toBe('csrf_failed');

    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.headers });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: user.headers });
    expect(after.statusCode).toBe(401);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const user = await t.userSession('bdm');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'not the password at all' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.test', password: TEST_PASSWORD },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(problemOf(wrong).detail).toBe(problemOf(unknown).detail);
  });

  it('throttles an account after repeated failures', async () => {
    const user = await t.userSession('finance');
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: `wrong-${i}-password` },
      });
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('rejects unknown API keys and answers 401 without credentials', async () => {
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/session',
      headers: { authorization: 'Bearer pdk_nope' },
    });
    expect(bad.statusCode).toBe(401);
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session' });
    expect(none.statusCode).toBe(401);
    expect(problemOf(none).code).toBe('unauthenticated');
  });

  it('answers health and a problem for unknown API paths', async () => {
    const h = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.json()).toEqual({ status: 'ok', database: t.store.dialect });
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).code).toBe('not_found');
  });
});
