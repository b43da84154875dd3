import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { clearGrantsCache, loadGrants, seedDefaultGrants } from './grants.ts';
import { DEFAULT_GRANTS, ROLES } from './permissions.ts';

describe('role grants across product versions', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.cleanup());

  it('seeds the defaults once, then grants only permissions the workspace has never seen', async () => {
    const db = t.store.db;
    clearGrantsCache();
    expect((await loadGrants(db)).get('ops')).toEqual(new Set(DEFAULT_GRANTS.ops));
    expect(await seedDefaultGrants(db)).toBe(false); // nothing new on a second start

    // An admin took partners.export away from ops; then a release adds tasks.read (simulated by the
    // workspace not knowing it yet, and no role having it).
    await db.deleteFrom('role_permissions').where('role', '=', 'ops').where('permission', '=', 'partners.export').execute();
    await db.deleteFrom('role_permissions').where('permission', '=', 'tasks.read').execute();
    const known = JSON.parse((await db.selectFrom('settings').select('value').where('key', '=', 'grants_known_permissions').executeTakeFirstOrThrow()).value) as string[];
    await db.updateTable('settings').set({ value: JSON.stringify(known.filter((p) => p !== 'tasks.read')) }).where('key', '=', 'grants_known_permissions').execute();

    expect(await seedDefaultGrants(db)).toBe(true);
    clearGrantsCache();
    const grants = await loadGrants(db);
    for (const role of ROLES) {
      expect(grants.get(role)?.has('tasks.read')).toBe(DEFAULT_GRANTS[role].includes('tasks.read') || role === 'admin');
    }
    expect(grants.get('ops')?.has('partners.export')).toBe(false); // the admin's choice stands
  });
});
