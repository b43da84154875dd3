// What tracking QA needs from postbacks: the partner's postback setup, and firing the deliveries of a test's
// events now, through the real path (outbox → delivery job → SSRF-safe request → attempt log), with the
// evidence a tester needs: what was sent, which macros rendered empty, any brace left unreplaced, and how the
// partner's endpoint answered. A delivery the background worker claimed first is waited for, never sent twice.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/index.ts';
import type { PartnerPostbacksTable } from '../../platform/db/schema.ts';
import { nowMs } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import {
  attemptLocked,
  buildRequest,
  type DeliveryOptions,
  lockForResend,
  newWorkerId,
  redactUrlSecrets,
  runOutboxCycle,
} from './delivery.ts';
import type { MacroValues } from './macros.ts';
import type { AttemptView, PostbackView } from './postbacks.schemas.ts';
import { presentAttempt, presentPostback } from './postbacks.service.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Every postback of the partner (active and disabled), oldest first. */
export async function postbacksOfPartner(db: Db, partnerId: string): Promise<PartnerPostbacksTable[]> {
  return db
    .selectFrom('partner_postbacks')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .orderBy('id')
    .execute();
}

export function describePostback(p: PartnerPostbacksTable): PostbackView {
  return { ...presentPostback(p), urlTemplate: redactUrlSecrets(p.url_template) };
}

export interface FiredDelivery {
  deliveryId: string;
  eventId: string | null;
  postbackId: string;
  eventType: string;
  /** The values the macros were replaced with. */
  values: MacroValues;
  /** Macros the templates use that rendered empty. */
  emptyMacros: string[];
  /** `{…}` left in what was sent (a macro the renderer did not know). */
  leftover: string[];
  attempt: AttemptView | null;
  /** Why no attempt could be recorded in time, or null. */
  problem: string | null;
}

const LEFTOVER_RE = /\{[^{}\s]{1,40}\}/g;

function leftoversIn(text: string): string[] {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    /* keep as sent */
  }
  return [...new Set(decoded.match(LEFTOVER_RE) ?? [])];
}

/**
 * Turns the outbox rows of these events into delivery jobs and sends each job once, now. Returns one entry per
 * delivery created for the events (none when no active postback matched).
 */
export async function fireDeliveriesOf(
  store: Store,
  opts: Omit<DeliveryOptions, 'workerId'> & { waitMs?: number },
  eventIds: string[],
): Promise<FiredDelivery[]> {
  if (eventIds.length === 0) return [];
  // The outbox rows were committed with the events; consume them (idempotent per row and postback).
  for (let i = 0; i < 20; i++) {
    const left = await store.db
      .selectFrom('outbox')
      .select('id')
      .where('key', 'in', eventIds)
      .where('processed_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (!left) break;
    const r = await runOutboxCycle(store, { limit: 500 });
    if (r.processed === 0) await new Promise((res) => setTimeout(res, 100)); // another instance holds them
  }
  const deliveries = await store.db
    .selectFrom('postback_deliveries')
    .selectAll()
    .where('event_id', 'in', eventIds)
    .orderBy('id')
    .execute();
  const workerId = `qa:${newWorkerId()}`;
  const out: FiredDelivery[] = [];
  for (const d of deliveries) {
    const postback = await store.db
      .selectFrom('partner_postbacks')
      .selectAll()
      .where('id', '=', d.postback_id)
      .executeTakeFirstOrThrow();
    let values: MacroValues = {};
    try {
      values = JSON.parse(d.macro_values) as MacroValues;
    } catch {
      /* rendered as empty */
    }
    const rendered = buildRequest(postback, values, d.id, 1);
    const entry: FiredDelivery = {
      deliveryId: d.id,
      eventId: d.event_id,
      postbackId: d.postback_id,
      eventType: d.event_type,
      values,
      emptyMacros: rendered.empty,
      leftover: [...new Set([...leftoversIn(rendered.url), ...leftoversIn(rendered.body ?? '')])],
      attempt: null,
      problem: null,
    };
    if (
      d.status === 'pending' &&
      Number(d.attempt_no) === 0 &&
      (await lockForResend(store.db, d.id, workerId))
    ) {
      const r = await attemptLocked(store, { ...opts, workerId }, d.id, 'test');
      entry.attempt = r ? presentAttempt(r.attempt) : null;
      if (!r) entry.problem = 'the delivery was cancelled before it could be sent (its postback is disabled)';
    } else {
      // Another worker holds it (or already sent it): wait for its first attempt.
      const until = nowMs() + (opts.waitMs ?? 20_000);
      while (!entry.attempt && nowMs() < until) {
        const a = await store.db
          .selectFrom('postback_attempts')
          .selectAll()
          .where('delivery_id', '=', d.id)
          .orderBy('attempt_no')
          .limit(1)
          .executeTakeFirst();
        if (a) entry.attempt = presentAttempt(a);
        else await new Promise((res) => setTimeout(res, 200));
      }
      if (!entry.attempt)
        entry.problem = `no attempt was recorded within ${Math.round((opts.waitMs ?? 20_000) / 1000)} s`;
    }
    out.push(entry);
  }
  return out;
}
