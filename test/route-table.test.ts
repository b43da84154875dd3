// The route table as a security wall. Every route the app registers (including routes added later by any
// module) must declare `config.access`, and the access guard must enforce it for every role: a role without
// the route's permission gets 403 (401 without credentials) and never a 2xx; a role with it never gets a
// permission denial. Routes are collected with an onRoute hook, so nothing here lists them by hand.
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createApiKey } from '../src/modules/access/index.ts';
import { permissionsFor } from '../src/platform/auth/grants.ts';
import { type Permission, ROLES, type Role } from '../src/platform/auth/permissions.ts';
import type { App } from '../src/platform/http/types.ts';
import { newId } from '../src/platform/ids.ts';
import { nowIso } from '../src/platform/time.ts';
import { systemCtx } from './support/app.ts';
import { createTestDb, type TestDb } from './support/db.ts';

interface RouteEntry {
  method: string;
  url: string;
  route: RouteOptions;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A concrete URL for a route pattern: every path parameter gets an id-shaped value that names nothing. */
function concreteUrl(pattern: string): string {
  return pattern
    .replace(/:(\w+)(\([^)]*\))?/g, (_m, name: string) =>
      name.toLowerCase().includes('role') ? 'no_such_role' : 'zzz_01J0000000000000000000000Z',
    )
    .replace(/\*$/, 'nothing-here');
}

function accessOf(r: RouteEntry): string | undefined {
  return (r.route.config as { access?: string } | undefined)?.access;
}

type Res = { statusCode: number; body: string };

/** The problem body, or null when there is none to read (HEAD answers carry no body). */
function problem(res: Res): { code?: string; detail?: string } | null {
  try {
    return JSON.parse(res.body) as { code?: string; detail?: string };
  } catch {
    return null;
  }
}

/** A 403 for lacking the route's permission (the guard and assertCan word it the same way). Bodyless 403s count. */
function isPermissionDenial(res: Res, permission: string): boolean {
  if (res.statusCode !== 403) return false;
  const p = problem(res);
  return p === null || (p.code === 'forbidden' && (p.detail ?? '').includes(`"${permission}" permission`));
}

describe('route table', () => {
  let t: TestDb;
  let app: App;
  const routes: RouteEntry[] = [];
  const keys = new Map<Role, Record<string, string>>();
  const grants = new Map<Role, Set<Permission>>();

  beforeAll(async () => {
    t = await createTestDb();
    app = await buildApp(
      { store: t.store, config: t.config },
      {
        serveWeb: false,
        onRoute: (route) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          for (const method of methods)
            routes.push({ method: String(method).toUpperCase(), url: route.url, route });
        },
      },
    );
    await app.ready();
    const partnerId = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id: partnerId,
        display_name: 'Route Table Partner',
        legal_name: null,
        kind: 'company',
        type: 'affiliate',
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
        referral_code: 'ROUTETABLE1',
        tags: '[]',
        custom_fields: '{}',
        search_text: 'route table partner',
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    for (const role of ROLES) {
      const { key } = await createApiKey(t.store, systemCtx, {
        name: `route table ${role}`,
        role,
        partnerId: role === 'partner' ? partnerId : null,
      });
      keys.set(role, { authorization: `Bearer ${key}` });
      grants.set(role, await permissionsFor(t.store.db, role));
    }
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  function call(r: RouteEntry, headers: Record<string, string>) {
    const url = concreteUrl(r.url);
    const body = WRITE_METHODS.has(r.method) ? { payload: {} } : {};
    return app.inject({ method: r.method as 'GET', url, headers, ...body });
  }

  it('a route whose body is optional also accepts a request without a body (null as well as absent)', () => {
    const bad: string[] = [];
    for (const r of routes) {
      const body = (r.route.schema as { body?: { safeParse?: (v: unknown) => { success: boolean } } } | undefined)
        ?.body;
      if (!body?.safeParse) continue;
      if (body.safeParse(undefined).success && !body.safeParse(null).success) bad.push(`${r.method} ${r.url}`);
    }
    expect(bad, 'use .nullish() for an optional body: Fastify hands a bodiless request over as null').toEqual([]);
  });

  it('collects the routes of every module', () => {
    const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of [
      'GET /healthz',
      'POST /api/v1/auth/login',
      'GET /api/v1/users',
      'POST /api/v1/api-keys',
      'GET /api/v1/audit',
    ]) {
      expect(urls).toContain(expected);
    }
  });

  it('every route declares an access rule', () => {
    const missing = routes.filter((r) => !accessOf(r)).map((r) => `${r.method} ${r.url}`);
    expect(missing, 'routes without config.access').toEqual([]);
  });

  it('every access rule is public, authenticated or a known permission', () => {
    const all = new Set<string>(['public', 'authenticated', ...(grants.get('admin') ?? [])]);
    const unknown = routes
      .filter((r) => !all.has(accessOf(r) ?? ''))
      .map((r) => `${r.method} ${r.url} → ${accessOf(r)}`);
    expect(unknown).toEqual([]);
  });

  /** Routes the guard leaves public because they check their own credential (the inbound postback's token). */
  const SELF_AUTHENTICATED = new Set(['/postback']);

  it('without credentials: public routes answer, every other route is 401', async () => {
    const failures: string[] = [];
    for (const r of routes) {
      const res = await call(r, {});
      const access = accessOf(r);
      if (access === 'public' && SELF_AUTHENTICATED.has(r.url)) {
        // Public to the guard, authenticated by the route itself (a per-source token): 401 without it.
        if (res.statusCode !== 401)
          failures.push(`${r.method} ${r.url}: expected 401 without its token, got ${res.statusCode}`);
      } else if (access === 'public') {
        if (res.statusCode === 401 || res.statusCode === 403)
          failures.push(`${r.method} ${r.url}: public but ${res.statusCode}`);
      } else if (res.statusCode !== 401) {
        failures.push(
          `${r.method} ${r.url} (${access}): expected 401 without credentials, got ${res.statusCode}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('every route × every role: denied exactly when the role lacks the permission', async () => {
    const failures: string[] = [];
    let checked = 0;
    let denied = 0;
    let allowed = 0;
    for (const r of routes) {
      const access = accessOf(r);
      if (!access || access === 'public') continue;
      for (const role of ROLES) {
        const res = await call(r, keys.get(role) ?? {});
        checked += 1;
        const where = `${r.method} ${r.url} as ${role} (${access})`;
        if (res.statusCode === 401) {
          failures.push(`${where}: 401 with a valid API key`);
          continue;
        }
        if (access === 'authenticated') {
          if (res.statusCode === 403 && (problem(res)?.detail ?? 'permission').includes('permission')) {
            failures.push(`${where}: permission denial on an authenticated route`);
          }
          continue;
        }
        const has = grants.get(role)?.has(access as Permission) ?? false;
        if (has) allowed += 1;
        else denied += 1;
        if (!has) {
          if (res.statusCode !== 403)
            failures.push(`${where}: role lacks the permission but got ${res.statusCode}`);
          else if (r.method !== 'HEAD' && !isPermissionDenial(res, access))
            failures.push(`${where}: 403 but not for the permission`);
        } else if (isPermissionDenial(res, access)) {
          failures.push(`${where}: role has the permission but was denied`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The walk really exercised both sides of the rule.
    expect(checked).toBeGreaterThan(ROLES.length * 10);
    expect(denied).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThan(0);
  }, 300_000);

  it('no route answers a dummy request with a 5xx', async () => {
    const failures: string[] = [];
    for (const r of routes) {
      const res = await call(r, keys.get('admin') ?? {});
      if (res.statusCode >= 500)
        failures.push(`${r.method} ${r.url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
