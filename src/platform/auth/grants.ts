// Which permissions each role has, as stored in role_permissions (seeded from DEFAULT_GRANTS on first start).
// Cached for a couple of seconds per instance; a change made on this instance clears the cache at once.
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.ts';
import { nowIso } from '../time.ts';
import { DEFAULT_GRANTS, PERMISSION_NAMES, type Permission, ROLES, type Role, isPermission } from './permissions.ts';

const TTL_MS = 2000;
let cache: { at: number; grants: Map<Role, Set<Permission>> } | null = null;

export function clearGrantsCache(): void {
  cache = null;
}

export async function seedDefaultGrants(db: Kysely<DB>): Promise<boolean> {
  const any = await db.selectFrom('role_permissions').select('role').limit(1).executeTakeFirst();
  if (any) return false;
  const rows = ROLES.flatMap((role) => DEFAULT_GRANTS[role].map((permission) => ({ role, permission })));
  await db.insertInto('role_permissions').values(rows).execute();
  await db
    .insertInto('settings')
    .values({ key: 'grants_seeded_at', value: JSON.stringify(nowIso()), updated_at: nowIso() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  clearGrantsCache();
  return true;
}

export async function loadGrants(db: Kysely<DB>): Promise<Map<Role, Set<Permission>>> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache.grants;
  const rows = await db.selectFrom('role_permissions').select(['role', 'permission']).execute();
  const grants = new Map<Role, Set<Permission>>(ROLES.map((r) => [r, new Set<Permission>()]));
  for (const row of rows) {
    if (isPermission(row.permission)) grants.get(row.role as Role)?.add(row.permission);
  }
  // The admin role always holds every permission, whatever the table says.
  grants.set('admin', new Set(PERMISSION_NAMES));
  cache = { at: Date.now(), grants };
  return grants;
}

export async function permissionsFor(db: Kysely<DB>, role: Role): Promise<Set<Permission>> {
  return (await loadGrants(db)).get(role) ?? new Set();
}
