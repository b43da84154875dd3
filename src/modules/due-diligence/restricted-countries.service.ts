// The firm's restricted-country list per regulated entity (e.g. CySEC, FSCA, FSA Seychelles): read by the
// due-diligence rules, replaced as a whole by an administrator with an audited before/after.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import { type FieldError, invalid } from '../../platform/errors.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** country → reason for one entity, or null when the entity has no list at all. */
export async function loadRestrictedFor(db: Db, entity: string): Promise<Map<string, string> | null> {
  const rows = await db
    .selectFrom('restricted_countries')
    .select(['country', 'reason'])
    .where('entity', '=', entity)
    .execute();
  if (rows.length === 0) return null;
  return new Map(rows.map((r) => [r.country, r.reason]));
}

async function listAll(db: Db) {
  const rows = await db
    .selectFrom('restricted_countries')
    .selectAll()
    .orderBy('entity')
    .orderBy('country')
    .execute();
  return {
    entities: [...new Set(rows.map((r) => r.entity))],
    entries: rows.map((r) => ({
      entity: r.entity,
      country: r.country,
      reason: r.reason,
      updatedAt: r.updated_at,
    })),
  };
}

export async function getRestrictedCountries(store: Store, ctx: RequestContext) {
  assertCan(ctx.actor, 'policy.manage');
  return listAll(store.db);
}

export async function replaceRestrictedCountries(
  store: Store,
  ctx: RequestContext,
  body: { entries: { entity: string; country: string; reason: string }[] },
) {
  assertCan(ctx.actor, 'policy.manage');
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  body.entries.forEach((e, i) => {
    const key = `${e.entity}|${e.country}`;
    if (seen.has(key))
      errors.push({
        field: `body.entries.${i}.country`,
        message: `${e.country} is listed twice for ${e.entity}.`,
      });
    seen.add(key);
  });
  if (errors.length > 0) throw invalid(errors);
  await writeTransaction(store, ctx, async (w) => {
    const before = await w.trx.selectFrom('restricted_countries').selectAll().execute();
    const beforeMap = new Map(before.map((r) => [`${r.entity}|${r.country}`, r]));
    const now = nowIso();
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    for (const e of body.entries) {
      const key = `${e.entity}|${e.country}`;
      const old = beforeMap.get(key);
      if (!old) added.push(`${e.entity}: ${e.country}`);
      else if (old.reason !== e.reason) changed.push(`${e.entity}: ${e.country}`);
    }
    for (const key of beforeMap.keys()) if (!seen.has(key)) removed.push(key.replace('|', ': '));
    await w.trx.deleteFrom('restricted_countries').execute();
    for (let i = 0; i < body.entries.length; i += 200) {
      const chunk = body.entries.slice(i, i + 200).map((e) => {
        const old = beforeMap.get(`${e.entity}|${e.country}`);
        const unchanged = old && old.reason === e.reason;
        return {
          entity: e.entity,
          country: e.country,
          reason: e.reason,
          updated_at: unchanged ? old.updated_at : now,
        };
      });
      if (chunk.length > 0) await w.trx.insertInto('restricted_countries').values(chunk).execute();
    }
    w.audit({
      action: 'restricted_countries.updated',
      entityType: 'restricted_countries',
      entityId: 'restricted_countries',
      before: { count: before.length },
      after: { count: body.entries.length },
      meta: { added, removed, changed },
    });
  });
  return listAll(store.db);
}
