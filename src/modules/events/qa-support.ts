// What tracking QA needs from the events module: the event source its test events arrive from (made once,
// its token never shown — QA hands events to the ingest path in-process), the programme that applies to a
// link (windows, FTD rule, qualifying deposit), and the events a test produced.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { EventsTable, ProgrammesTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { hashToken } from './resolver.ts';

type Db = Kysely<DB> | Transaction<DB>;

const SOURCE_SETTING = 'tracking_qa.event_source_id';
const qaCtx: RequestContext = { actor: systemActor([], 'tracking QA'), requestId: null };

/** The id of the "Tracking QA" event source, created on first use. */
export async function trackingQaSourceId(store: Store): Promise<string> {
  const found = await store.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', SOURCE_SETTING)
    .executeTakeFirst();
  if (found) return found.value;
  return writeTransaction(store, qaCtx, async (w) => {
    const again = await w.trx
      .selectFrom('settings')
      .select('value')
      .where('key', '=', SOURCE_SETTING)
      .executeTakeFirst();
    if (again) return again.value;
    const now = nowIso();
    const id = newId('eventSource');
    // Nobody ever sees this token: QA sends its events in-process. Rotating it gives the source a usable one.
    const token = `pds_${randomBytes(24).toString('base64url')}`;
    await w.trx
      .insertInto('event_sources')
      .values({
        id,
        name: 'Tracking QA',
        kind: 'other',
        description: 'Test events sent by tracking QA runs (never counted in stats or money).',
        token_hash: hashToken(token),
        token_hint: token.slice(-4),
        signing_secret: null,
        status: 'active',
        last_event_at: null,
        created_by: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    await w.trx.insertInto('settings').values({ key: SOURCE_SETTING, value: id, updated_at: now }).execute();
    w.audit({
      action: 'event_source.created',
      entityType: 'event_source',
      entityId: id,
      after: { name: 'Tracking QA', kind: 'other', signed: false, tokenHint: token.slice(-4) },
      reason: 'Created for the test events of tracking QA runs',
    });
    return id;
  });
}

/** The programme a link belongs to (its own, else the default). */
export async function programmeForLink(db: Db, programmeId: string | null): Promise<ProgrammesTable | null> {
  if (programmeId) {
    const own = await db
      .selectFrom('programmes')
      .selectAll()
      .where('id', '=', programmeId)
      .executeTakeFirst();
    if (own) return own;
  }
  return (
    (await db.selectFrom('programmes').selectAll().where('is_default', '=', 1).executeTakeFirst()) ?? null
  );
}

/** The events a tracking test sent, in the order they were received. */
export async function eventsOfTrackingTest(db: Db, testId: string): Promise<EventsTable[]> {
  return db.selectFrom('events').selectAll().where('tracking_test_id', '=', testId).orderBy('id').execute();
}
