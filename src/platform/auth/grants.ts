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

const KNOWN_KEY = 'grants_known_permissions';

/**
 * Seeds the default grants on an empty workspace. On later starts, a permission that this version of the
 * product knows but the workspace has never seen (a module added it) is granted to its default roles; every
 * permission the workspace already knew keeps whatever grants its admins chose.
 */
export async function seedDefaultGrants(db: Kysely<DB>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('settings').select('value').where('key', '=', KNOWN_KEY).executeTakeFirst();
    const hasGrants = await trx.selectFrom('role_permissions').select('role').limit(1).executeTakeFirst();
    const seen = new Set<string>(known ? (JSON.parse(known.value) as string[]) : hasGrants ? PERMISSION_NAMES_AT_FIRST_RELEASE : []);
    const fresh = PERMISSION_NAMES.filter((p) => !seen.has(p));
    if (fresh.length === 0) return false;
    const rows = ROLES.flatMap((role) =>
      DEFAULT_GRANTS[role].filter((permission) => fresh.includes(permission)).map((permission) => ({ role, permission })),
    );
    if (rows.length > 0) {
      await trx
        .insertInto('role_permissions')
        .values(rows)
        .onConflict((oc) => oc.columns(['role', 'permission']).doNothing())
        .execute();
    }
    const value = JSON.stringify([...seen, ...fresh].sort());
    await trx
      .insertInto('settings')
      .values({ key: KNOWN_KEY, value, updated_at: nowIso() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: nowIso() }))
      .execute();
    clearGrantsCache();
    return true;
  });
}

/**
 * Workspaces seeded before the known-permissions list existed: these were the permissions of that first
 * release, so anything else is new to them.
 */
const PERMISSION_NAMES_AT_FIRST_RELEASE: string[] = [
  'partners.read', 'partners.create', 'partners.update', 'partners.update_any', 'partners.archive',
  'partners.import', 'partners.export', 'contacts.write', 'documents.read', 'documents.upload',
  'documents.review', 'terms.read', 'terms.propose', 'terms.approve', 'terms.record_acceptance',
  'approvals.read', 'timeline.read', 'users.read', 'users.manage', 'roles.manage', 'apikeys.manage',
  'policy.manage', 'audit.read', 'audit.erase',
];

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
