// The app runs the delivery worker while it is up (unless PARTNERDESK_WORKERS=false) and stops it on close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, systemCtx, type TestApp } from '../../../test/support/app.ts';
import { type Receiver, startReceiver } from '../../platform/net/testing/receiver.ts';
import { writeTransaction } from '../../platform/tx.ts';
import { enqueuePostbackEvent } from './index.ts';

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe('the background worker', () => {
  let r: Receiver;
  beforeAll(async () => {
    r = await startReceiver();
  });
  afterAll(async () => r.close());

  async function setUp(t: TestApp): Promise<string> {
    const admin = await t.keyFor('admin');
    const partnerId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/partners',
        headers: admin,
        payload: { displayName: 'Worker Partner' },
      })
    ).json().id;
    const pb = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks`,
      headers: admin,
      payload: { eventType: 'ftd', urlTemplate: `${r.url}/w?c={click_id}` },
    });
    expect(pb.statusCode).toBe(201);
    await writeTransaction(
      t.store,
      systemCtx,
      async (w) =>
        enqueuePostbackEvent(w, {
          eventId: 'evt_w',
          partnerId,
          eventType: 'ftd',
          values: { click_id: 'bg' },
        }),
      {
        unauditedBecause: 'test: an event stored by ingestion',
      },
    );
    return partnerId;
  }

  it('delivers events on its own while the app is up, and stops when it closes', async () => {
    const t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true' });
    try {
      r.requests.length = 0;
      await setUp(t);
      expect(await until(() => r.requests.some((q) => q.url === '/w?c=bg'), 5000)).toBe(true);
      expect(
        await until(async () => {
          const d = await t.store.db.selectFrom('postback_deliveries').select('status').executeTakeFirst();
          return d?.status === 'succeeded';
        }, 5000),
      ).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('does nothing in the background with PARTNERDESK_WORKERS=false', async () => {
    const t = await createTestApp({
      PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true',
      PARTNERDESK_WORKERS: 'false',
    });
    try {
      r.requests.length = 0;
      await setUp(t);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(r.requests).toHaveLength(0);
      const row = await t.store.db
        .selectFrom('outbox')
        .select('processed_at')
        .where('key', '=', 'evt_w')
        .executeTakeFirst();
      expect(row?.processed_at).toBeNull();
    } finally {
      await t.close();
    }
  });
});
