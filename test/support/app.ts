// Starts the real application against a fresh test database and gives tests signed-in actors of any role:
// API keys (Bearer) for most tests, and cookie sessions where the cookie path itself is under test.
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createApiKey, createUser } from '../../src/modules/access/index.ts';
import { systemActor } from '../../src/platform/auth/actor.ts';
import { PERMISSION_NAMES, type Role } from '../../src/platform/auth/permissions.ts';
import type { App } from '../../src/platform/http/types.ts';
import { type TestDb, createTestDb } from './db.ts';

export interface TestApp extends TestDb {
  app: App;
  /** Headers of a fresh API key with the role (and partner, for partner keys). */
  keyFor(role: Role, partnerId?: string | null): Promise<Record<string, string>>;
  /** A new user with the role, signed in: cookie + CSRF headers (object-level rules see this user's id). */
  userSession(role: Role, opts?: { partnerId?: string | null; email?: string }): Promise<{ id: string; email: string; password: string; headers: Record<string, string> }>;
  /** Signs in with email and password; returns cookie + CSRF headers for writes. */
  sessionFor(email: string, password: string): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }>;
  close(): Promise<void>;
}

export const systemCtx = { actor: systemActor(PERMISSION_NAMES, 'test'), requestId: null };
export const TEST_PASSWORD = 'correct horse battery staple';

let counter = 0;

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const tdb = await createTestDb(env);
  const app = await buildApp({ store: tdb.store, config: tdb.config }, { serveWeb: false });
  await app.ready();
  const t: TestApp = {
    ...tdb,
    app,
    async keyFor(role, partnerId = null) {
      const { key } = await createApiKey(tdb.store, systemCtx, { name: `test ${role}`, role, partnerId });
      return { authorization: `Bearer ${key}` };
    },
    async userSession(role, opts = {}) {
      counter += 1;
      const email = opts.email ?? `${role}.${counter}.${Date.now()}@example.test`;
      const user = await createUser(tdb.store, systemCtx, {
        email,
        name: `Test ${role} ${counter}`,
        role,
        password: TEST_PASSWORD,
        partnerId: opts.partnerId ?? null,
      });
      const session = await t.sessionFor(email, TEST_PASSWORD);
      return { id: user.id, email, password: TEST_PASSWORD, headers: session.headers };
    },
    async sessionFor(email, password) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const csrf = res.json().csrfToken as string;
      return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
    },
    async close() {
      await app.close();
      await tdb.cleanup();
    },
  };
  return t;
}

export function problemOf(res: LightMyRequestResponse): { code: string; errors?: { field: string; message: string }[]; detail: string } {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers['content-type']} ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }
  return res.json();
}
