// The audit chain against direct tampering in the database: a few hundred entries written through the real
// services, then altered, removed, reordered and erased, each inside a transaction that is rolled back so
// the scenarios stay independent.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, TEST_PASSWORD } from '../../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { createApiKey, createUser, setRolePermissions } from '../../modules/access/index.ts';
import { erasePersonalData } from '../../modules/audit/index.ts';
import { clearGrantsCache } from '../auth/grants.ts';
import { DEFAULT_GRANTS, ROLES, type Role } from '../auth/permissions.ts';
import type { DB } from '../db/index.ts';
import { REDACTED_DATA, type VerifyResult, verifyAuditChain } from './verify.ts';

class Rollback extends Error {}
const STAFF = ROLES.filter((r) => r !== 'admin' && r !== 'partner');

/** Runs the tampering, verifies inside the same transaction, then rolls everything back. */
async function verifyAfter(
  t: TestDb,
  tamper: (trx: Kysely<DB>) => Promise<void>,
  pageSize?: number,
): Promise<VerifyResult> {
  let result: VerifyResult | null = null;
  await t.store.db
    .transaction()
    .execute(async (trx) => {
      await tamper(trx);
      result = await verifyAuditChain(trx, undefined, pageSize);
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  if (!result) throw new Error('verify did not run');
  return result;
}

describe('audit chain verification', () => {
  let t: TestDb;
  let total = 0;
  let userId = '';
  beforeAll(async () => {
    t = await createTestDb();
    const user = await createUser(t.store, systemCtx, {
      email: 'chain.person@example.test',
      name: 'Chain Person',
      role: 'ops',
      password: TEST_PASSWORD,
    });
    userId = user.id;
    for (let i = 0; i < 280; i++) {
      await createApiKey(t.store, systemCtx, {
        name: `chain key ${i}`,
        role: STAFF[i % STAFF.length] as Role,
      });
    }
    for (const role of ['ops', 'finance', 'support'] as const) {
      await setRolePermissions(t.store, systemCtx, role, [...DEFAULT_GRANTS[role], 'users.read']);
    }
    total = (await t.store.db.selectFrom('audit_log').select('seq').execute()).length;
  }, 120_000);
  afterAll(async () => {
    clearGrantsCache();
    await t.cleanup();
  });

  it('an intact chain of a few hundred entries verifies, across page boundaries', async () => {
    expect(total).toBeGreaterThanOrEqual(280);
    const r = await verifyAuditChain(t.store.db, undefined, 37);
    expect(r).toMatchObject({ ok: true, checked: total, headSeq: total });
    const head = await t.store.db
      .selectFrom('audit_log')
      .select('hash')
      .where('seq', '=', total)
      .executeTakeFirstOrThrow();
    expect(r.headHash).toBe(head.hash);
  });

  it("altering one entry's action names that entry", async () => {
    const r = await verifyAfter(t, async (db) => {
      await db.updateTable('audit_log').set({ action: 'apikey.revoked' }).where('seq', '=', 150).execute();
    });
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(150);
    expect(r.firstBad?.problem).toMatch(/altered/);
    expect(r.checked).toBe(149);
  });

  it("altering one entry's data names that entry", async () => {
    const r = await verifyAfter(t, async (db) => {
      const row = await db
        .selectFrom('audit_log')
        .select('data')
        .where('seq', '=', 201)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('audit_log')
        .set({ data: row.data.replace('chain key', 'chain kee') })
        .where('seq', '=', 201)
        .execute();
    });
    expect(r.firstBad?.seq).toBe(201);
    expect(r.firstBad?.problem).toMatch(/data does not match/);
  });

  it('altering an entry and recomputing its own hash is still caught at the next link', async () => {
    const { entryHash } = await import('./chain.ts');
    const r = await verifyAfter(t, async (db) => {
      const row = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '=', 90)
        .executeTakeFirstOrThrow();
      const forged = { ...row, seq: Number(row.seq), actor_id: 'usr_someone_else' };
      await db
        .updateTable('audit_log')
        .set({ actor_id: forged.actor_id, hash: entryHash(forged) })
        .where('seq', '=', 90)
        .execute();
    });
    expect(r.firstBad?.seq).toBe(91);
    expect(r.firstBad?.problem).toMatch(/prev_hash/);
  });

  it('deleting an entry in the middle names the gap', async () => {
    const r = await verifyAfter(
      t,
      async (db) => {
        await db.deleteFrom('audit_log').where('seq', '=', 120).execute();
      },
      50,
    );
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(121);
    expect(r.firstBad?.problem).toContain('entry 120 is missing');
    expect(r.headSeq).toBe(119);
  });

  it('swapping two entries (reorder) is detected at the first of them', async () => {
    const r = await verifyAfter(t, async (db) => {
      await db.updateTable('audit_log').set({ seq: -1 }).where('seq', '=', 60).execute();
      await db.updateTable('audit_log').set({ seq: 60 }).where('seq', '=', 61).execute();
      await db.updateTable('audit_log').set({ seq: 61 }).where('seq', '=', -1).execute();
    });
    expect(r.ok).toBe(false);
    expect(r.firstBad?.seq).toBe(60);
  });

  it('a truncated tail is not an error of the remaining entries but shortens the head', async () => {
    const r = await verifyAfter(t, async (db) => {
      await db
        .deleteFrom('audit_log')
        .where('seq', '>', total - 5)
        .execute();
    });
    expect(r).toMatchObject({ ok: true, headSeq: total - 5 });
  });

  it('after a real erasure the chain still verifies; faking or undoing an erasure is caught', async () => {
    const result = await erasePersonalData(t.store, systemCtx, {
      entityType: 'user',
      entityId: userId,
      reason: 'erasure request 7',
    });
    expect(result.erasedEntries).toBe(1);
    const erasedRow = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', userId)
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(erasedRow.data).toBe(REDACTED_DATA);
    const ok = await verifyAuditChain(t.store.db);
    expect(ok).toMatchObject({ ok: true, checked: total + 1 });

    // Putting other data back into an erased entry.
    const refilled = await verifyAfter(t, async (db) => {
      await db
        .updateTable('audit_log')
        .set({ data: '{"after":{"email":"x@example.test"}}' })
        .where('seq', '=', Number(erasedRow.seq))
        .execute();
    });
    expect(refilled.firstBad?.seq).toBe(Number(erasedRow.seq));
    expect(refilled.firstBad?.problem).toMatch(/marked erased but still holds data/);

    // Erasing an entry behind the log's back (no erasure entry records it).
    const faked = await verifyAfter(t, async (db) => {
      await db
        .updateTable('audit_log')
        .set({ data: REDACTED_DATA, data_salt: null, redacted_at: '2030-01-01T00:00:00.000Z' })
        .where('seq', '=', 222)
        .execute();
    });
    expect(faked.ok).toBe(false);
    expect(faked.firstBad?.seq).toBe(222);
    expect(faked.firstBad?.problem).toMatch(/no later audit.personal_data_erased entry/);
    expect(faked.headSeq).toBe(221);
  });
});
