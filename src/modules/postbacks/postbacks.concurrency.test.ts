// Several instances on one database never deliver the same attempt twice. Two worker loops run at the same
// time in this process: on PostgreSQL each has its own connection pool (two app instances), on SQLite they
// share the one handle (SQLite is single-instance). A local receiver counts every (delivery, attempt) pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../../test/support/app.ts';
import { createTestDb, type TestDb } from '../../../test/support/db.ts';
import { type DbHandle, openDatabase } from '../../platform/db/index.ts';
import { newId } from '../../platform/ids.ts';
import { type Receiver, startReceiver } from '../../platform/net/testing/receiver.ts';
import { nowIso, setClockForTests } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { createPostback, enqueuePostbackEvent, runDeliveryCycle, runOutboxCycle } from './index.ts';

describe('two workers on one database', () => {
  let t: TestDb;
  let second: DbHandle | null = null;
  let storeB: Store;
  let r: Receiver;
  const seen = new Map<string, number>();
  const firstAttemptFails = new Set<string>();

  beforeAll(async () => {
    t = await createTestDb({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true' });
    if (t.store.dialect === 'postgres') {
      second = openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir });
      storeB = { db: second.db, dialect: second.dialect };
    } else {
      storeB = t.store;
    }
    r = await startReceiver(async (req) => {
      const delivery = String(req.headers['x-partnerdesk-delivery']);
      const key = `${delivery}#${req.headers['x-partnerdesk-attempt']}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 3));
      // Every third delivery fails its first attempt, so retries are claimed concurrently too.
      if (
        req.headers['x-partnerdesk-attempt'] === '1' &&
        delivery.charCodeAt(delivery.length - 1) % 3 === 0
      ) {
        firstAttemptFails.add(delivery);
        return { status: 500, body: 'try later' };
      }
      return { status: 200, body: 'OK' };
    });
  });
  afterAll(async () => {
    setClockForTests(null);
    await r?.close();
    await second?.close();
    await t?.cleanup();
  });

  async function drain(
    store: Store,
    workerId: string,
  ): Promise<{ cycles: number; claimed: number; created: number }> {
    let idle = 0;
    let cycles = 0;
    let claimed = 0;
    let created = 0;
    while (idle < 3) {
      const o = await runOutboxCycle(store, { limit: 7 });
      const d = await runDeliveryCycle(store, {
        allowPrivateNetwork: true,
        workerId,
        batchSize: 5,
        concurrency: 3,
      });
      cycles += 1;
      claimed += d.claimed;
      created += o.created;
      idle = o.processed === 0 && d.claimed === 0 ? idle + 1 : 0;
    }
    return { cycles, claimed, created };
  }

  it('delivers every attempt exactly once', async () => {
    const partnerId = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id: partnerId,
        display_name: 'Concurrency Partner',
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
        referral_code: 'CONCUR1',
        tags: '[]',
        custom_fields: '{}',
        search_text: 'concurrency partner',
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    const net = { allowPrivateNetwork: true };
    await createPostback(t.store, systemCtx, net, partnerId, {
      eventType: 'ftd',
      method: 'GET',
      urlTemplate: `${r.url}/g?c={click_id}`,
      generateSigningSecret: true,
    });
    await createPostback(t.store, systemCtx, net, partnerId, {
      eventType: 'ftd',
      method: 'POST',
      urlTemplate: `${r.url}/p`,
      bodyTemplate: '{"c":"{click_id}"}',
      generateSigningSecret: false,
    });
    const EVENTS = 40;
    for (let i = 0; i < EVENTS; i++) {
      await writeTransaction(
        t.store,
        systemCtx,
        async (w) =>
          enqueuePostbackEvent(w, {
            eventId: `evt_${i}`,
            partnerId,
            eventType: 'ftd',
            values: { click_id: `c${i}` },
          }),
        {
          unauditedBecause: 'test: events stored by ingestion',
        },
      );
    }

    const [a, b] = await Promise.all([drain(t.store, 'worker-a'), drain(storeB, 'worker-b')]);
    expect(a.created + b.created).toBe(EVENTS * 2);
    expect(firstAttemptFails.size).toBeGreaterThan(0);
    // Retries are due 5 s later: move both instances' clock on and drain again, still concurrently.
    const offset = 60_000;
    setClockForTests(() => Date.now() + offset);
    const [a2, b2] = await Promise.all([drain(t.store, 'worker-a'), drain(storeB, 'worker-b')]);

    const deliveries = await t.store.db.selectFrom('postback_deliveries').selectAll().execute();
    expect(deliveries).toHaveLength(EVENTS * 2);
    expect(deliveries.every((d) => d.status === 'succeeded' && d.locked_by === null)).toBe(true);
    const attempts = await t.store.db.selectFrom('postback_attempts').selectAll().execute();
    expect(attempts).toHaveLength(EVENTS * 2 + firstAttemptFails.size);
    // Exactly once per (delivery, attempt) on the wire, and the log matches the wire.
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.size).toBe(attempts.length);
    expect(new Set(attempts.map((x) => `${x.delivery_id}#${x.attempt_no}`))).toEqual(new Set(seen.keys()));
    expect(a.claimed + b.claimed + a2.claimed + b2.claimed).toBe(attempts.length);
    // Both instances did part of the work.
    expect(new Set(attempts.map((x) => x.worker))).toEqual(new Set(['worker-a', 'worker-b']));
    const outbox = await t.store.db
      .selectFrom('outbox')
      .select(['processed_at'])
      .where('topic', '=', 'postback.event')
      .execute();
    expect(outbox.every((o) => o.processed_at !== null)).toBe(true);
  }, 60_000);
});
