// Roles and their permissions: the grant matrix everyone may read, and the full replacement of one role's
// grants by an administrator. The admin role always holds every permission, so it cannot be edited.
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import { clearGrantsCache, loadGrants } from '../../platform/auth/grants.ts';
import {
  isPermission,
  isRole,
  PERMISSION_NAMES,
  PERMISSIONS,
  type Permission,
  ROLES,
  type Role,
} from '../../platform/auth/permissions.ts';
import { conflict, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';

export const LOCKED_ROLES: readonly Role[] = ['admin'];

export async function rolesOverview(store: Store) {
  clearGrantsCache(); // another instance may have changed the grants; read them fresh
  const grants = await loadGrants(store.db);
  const matrix: Record<string, string[]> = {};
  for (const role of ROLES) matrix[role] = [...(grants.get(role) ?? [])].sort();
  return {
    roles: ROLES.map((role) => ({
      role,
      editable: !LOCKED_ROLES.includes(role),
      permissions: matrix[role] ?? [],
    })),
    permissions: PERMISSION_NAMES.map((name) => ({ name, description: PERMISSIONS[name] })),
    grants: matrix,
  };
}

export async function setRolePermissions(
  store: Store,
  ctx: RequestContext,
  roleName: string,
  requested: string[],
): Promise<{ role: Role; permissions: Permission[]; added: Permission[]; removed: Permission[] }> {
  assertCan(ctx.actor, 'roles.manage');
  if (!isRole(roleName)) throw notFound(`Role "${roleName}"`);
  const role = roleName;
  if (LOCKED_ROLES.includes(role)) {
    throw conflict('The admin role always has every permission; its grants cannot be changed.');
  }
  const errors: FieldError[] = [];
  requested.forEach((p, i) => {
    if (!isPermission(p))
      errors.push({ field: `body.permissions.${i}`, message: `"${p}" is not a permission` });
  });
  if (errors.length > 0) {
    const names = requested.filter((p) => !isPermission(p));
    throw invalid(
      errors,
      `Unknown permission(s): ${names.map((n) => `"${n}"`).join(', ')}. See GET /api/v1/roles for the list.`,
    );
  }
  const next = [...new Set(requested as Permission[])].sort();
  const result = await writeTransaction(store, ctx, async (w) => {
    const rows = await w.trx
      .selectFrom('role_permissions')
      .select('permission')
      .where('role', '=', role)
      .execute();
    const before = rows
      .map((r) => r.permission)
      .filter(isPermission)
      .sort();
    const added = next.filter((p) => !before.includes(p));
    const removed = before.filter((p) => !next.includes(p));
    await w.trx.deleteFrom('role_permissions').where('role', '=', role).execute();
    if (next.length > 0)
      await w.trx
        .insertInto('role_permissions')
        .values(next.map((permission) => ({ role, permission })))
        .execute();
    w.audit({
      action: 'role.permissions_changed',
      entityType: 'role',
      entityId: role,
      before: { permissions: before },
      after: { permissions: next },
      meta: { added, removed },
    });
    return { role, permissions: next, added, removed };
  });
  // After commit: this instance sees the new grants at once (others within the cache's few seconds).
  clearGrantsCache();
  return result;
}
