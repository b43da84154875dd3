// Shared by the events crash test and bench/events.ts: a fresh database with a partner, tracking links, an
// ops API key and active partner postbacks (so events also write outbox rows); then, against the running
// server, an event source created through the API and real clicks through /c/{code}; and afterwards the
// check that event_rollups equal a recount from the events table.

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { createApiKey } from '../../src/modules/access/index.ts';
import { systemActor } from '../../src/platform/auth/actor.ts';
import { seedDefaultGrants } from '../../src/platform/auth/grants.ts';
import { PERMISSION_NAMES } from '../../src/platform/auth/permissions.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type DB, openDatabase } from '../../src/platform/db/index.ts';
import { newId } from '../../src/platform/ids.ts';
import { nowIso } from '../../src/platform/time.ts';
import { seedClickLinks } from './click-seed.ts';

export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
/** Partner postbacks seeded active: every event of these types (and each FTD) writes an outbox row. */
export const POSTBACK_TYPES = ['registration', 'ftd'] as const;

export interface EventWorkspace {
  partnerId: string;
  links: { id: string; code: string; seq: number }[];
  secret: string;
  apiKey: string;
}

export async function seedEventWorkspace(
  opts: { databaseUrl: string | null; dataDir: string },
  links: { code: string; landingUrl: string }[],
): Promise<EventWorkspace> {
  const seeded = await seedClickLinks(opts, links);
  const handle = openDatabase(
    loadConfig({
      PARTNERDESK_DATA_DIR: opts.dataDir,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      LOG_LEVEL: 'silent',
    }),
  );
  try {
    await seedDefaultGrants(handle.db);
    const store = { db: handle.db, dialect: handle.dialect };
    const { key } = await createApiKey(
      store,
      { actor: systemActor(PERMISSION_NAMES, 'seed'), requestId: null },
      { name: 'Back office feed', role: 'ops' },
    );
    const now = nowIso();
    for (const type of POSTBACK_TYPES)
      await handle.db
        .insertInto('partner_postbacks')
        .values({
          id: newId('postback'),
          partner_id: seeded.partnerId,
          event_type: type,
          method: 'GET',
          url_template: `https://partner.example/pb?e=${type}&cid={click_id}&tx={txid}`,
          body_template: null,
          content_type: null,
          signing_secret: null,
          status: 'active',
          disabled_reason: null,
          consecutive_failures: 0,
          first_failure_at: null,
          last_attempt_at: null,
          last_success_at: null,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
    return { ...seeded, apiKey: key };
  } finally {
    await handle.close();
  }
}

/** Creates an event source through the API; its token is shown once, here. */
export async function createEventSource(
  base: string,
  apiKey: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const res = await fetch(`${base}/api/v1/event-sources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, kind: 'back_office' }),
  });
  if (res.status !== 201) throw new Error(`creating the event source: ${res.status} ${await res.text()}`);
  const j = (await res.json()) as { id: string; token: string };
  return { id: j.id, token: j.token };
}

/** `n` real clicks through GET /c/{code} (sub1 = s0..s4), `concurrency` at a time; answers their click ids. */
export async function makeClicks(base: string, code: string, n: number, concurrency = 20): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${base}/c/${code}?sub1=s${i % 5}&sub2=${i}`, {
          redirect: 'manual',
          headers: { 'user-agent': BROWSER_UA },
        });
        const loc = res.headers.get('location') ?? '';
        const m = /[?&](?:cid|click_id)=(c[0-9A-Z]{29})/.exec(loc);
        if (res.status !== 302 || !m?.[1]) throw new Error(`click ${i}: ${res.status} ${loc}`);
        ids.push(m[1]);
      }
    }),
  );
  return ids;
}

const FIGURES = [
  'registrations',
  'kyc_approved',
  'ftds',
  'qualified_ftds',
  'ftd_amount_minor',
  'deposits',
  'deposit_amount_minor',
  'withdrawals',
  'withdrawal_amount_minor',
  'trades',
  'lots',
  'revenue_minor',
  'chargebacks',
  'chargeback_amount_minor',
] as const;

/**
 * Compares event_rollups with a recount from the events table (attributed, non-test events, keyed as the
 * planner keys them: partner, occurred day, link, sub1, and the currency of events with an amount).
 * Answers the keys that differ (empty when they agree) and how many rollup rows were compared.
 */
export async function rollupRecountDiff(db: Kysely<DB>): Promise<{ diffs: string[]; rows: number }> {
  const sumIf = (cond: ReturnType<typeof sql>, value: ReturnType<typeof sql> = sql`1`) =>
    sql<number>`sum(case when ${cond} then ${value} else 0 end)`;
  const recount = await db
    .selectFrom('events')
    .select([
      'partner_id',
      sql<string>`substr(occurred_at, 1, 10)`.as('day'),
      sql<string>`coalesce(link_id, '')`.as('link_id'),
      sql<string>`coalesce(sub1, '')`.as('sub1'),
      sql<string>`case when amount_minor is not null or revenue_minor is not null then coalesce(currency, '') else '' end`.as('currency'),
      sumIf(sql`type = 'registration'`).as('registrations'),
      sumIf(sql`type = 'kyc_approved'`).as('kyc_approved'),
      sumIf(sql`is_ftd = 1`).as('ftds'),
      sumIf(sql`is_qualified_ftd = 1`).as('qualified_ftds'),
      sumIf(sql`is_ftd = 1`, sql`coalesce(amount_minor, 0)`).as('ftd_amount_minor'),
      sumIf(sql`type in ('ftd', 'deposit')`).as('deposits'),
      sumIf(sql`type in ('ftd', 'deposit')`, sql`coalesce(amount_minor, 0)`).as('deposit_amount_minor'),
      sumIf(sql`type = 'withdrawal'`).as('withdrawals'),
      sumIf(sql`type = 'withdrawal'`, sql`coalesce(amount_minor, 0)`).as('withdrawal_amount_minor'),
      sumIf(sql`type = 'trade'`).as('trades'),
      sumIf(sql`type = 'trade'`, sql`coalesce(lots, 0)`).as('lots'),
      sumIf(sql`type = 'trade'`, sql`coalesce(revenue_minor, 0)`).as('revenue_minor'),
      sumIf(sql`type = 'chargeback'`).as('chargebacks'),
      sumIf(sql`type = 'chargeback'`, sql`coalesce(amount_minor, 0)`).as('chargeback_amount_minor'),
    ])
    .where('partner_id', 'is not', null)
    .where('is_test', '=', 0)
    .groupBy([
      'partner_id',
      sql`substr(occurred_at, 1, 10)`,
      sql`coalesce(link_id, '')`,
      sql`coalesce(sub1, '')`,
      sql`case when amount_minor is not null or revenue_minor is not null then coalesce(currency, '') else '' end`,
    ])
    .execute();
  const rollups = await db.selectFrom('event_rollups').selectAll().execute();
  const key = (r: {
    partner_id: string | null;
    day: string;
    link_id: string;
    sub1: string;
    currency: string;
  }) => `${r.partner_id}|${r.day}|${r.link_id}|${r.sub1}|${r.currency}`;
  const figures = (r: Record<string, unknown>) => FIGURES.map((f) => Number(r[f] ?? 0)).join(',');
  const want = new Map(recount.map((r) => [key(r), figures(r)]));
  const got = new Map(rollups.map((r) => [key(r), figures(r as unknown as Record<string, unknown>)]));
  const diffs: string[] = [];
  for (const k of new Set([...want.keys(), ...got.keys()])) {
    const w = want.get(k) ?? FIGURES.map(() => 0).join(',');
    const g = got.get(k) ?? FIGURES.map(() => 0).join(',');
    if (w !== g) diffs.push(`${k}: rollup ${g} recount ${w}`);
  }
  return { diffs, rows: rollups.length };
}
