// Checks that the rollups per partner and day (partner_day_click_rollups, partner_day_event_rollups) hold
// exactly the per-link rollups (click_rollups, event_rollups) summed per partner, day (and currency): the same
// keys, the same figures. Used wherever rollups are written (tracking, events, crash tests, the migration).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/platform/db/index.ts';

const CLICK_FIGURES = ['clicks', 'unique_clicks', 'bots'] as const;
export const EVENT_FIGURES = [
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

/** The per-link rollups summed in JavaScript per partner-day key, figures as one comma-joined string. */
function summed(
  rows: Record<string, unknown>[],
  key: (r: Record<string, unknown>) => string,
  figures: readonly string[],
): Map<string, string> {
  const acc = new Map<string, number[]>();
  for (const r of rows) {
    const k = key(r);
    const a = acc.get(k) ?? figures.map(() => 0);
    figures.forEach((f, i) => {
      a[i] = (a[i] as number) + Number(r[f]);
    });
    acc.set(k, a);
  }
  return new Map([...acc].map(([k, a]) => [k, a.join(',')]));
}

function differences(label: string, want: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of new Set([...want.keys(), ...got.keys()])) {
    const w = want.get(k);
    const g = got.get(k);
    if (w !== g)
      out.push(`${label} ${k}: partner-day ${g ?? '(no row)'}, per-link summed ${w ?? '(no row)'}`);
  }
  return out;
}

/**
 * Compares both partner-day tables with the per-link ones summed. Answers the keys that differ (empty when
 * they agree) and how many partner-day rows were compared.
 */
export async function partnerDayDiff(db: Kysely<DB>): Promise<{ diffs: string[]; rows: number }> {
  const clickKey = (r: Record<string, unknown>) => `${r.partner_id}|${r.day}`;
  const eventKey = (r: Record<string, unknown>) => `${r.partner_id}|${r.day}|${r.currency}`;
  const fineClicks = await db.selectFrom('click_rollups').selectAll().execute();
  const coarseClicks = await db.selectFrom('partner_day_click_rollups').selectAll().execute();
  const fineEvents = await db.selectFrom('event_rollups').selectAll().execute();
  const coarseEvents = await db.selectFrom('partner_day_event_rollups').selectAll().execute();
  const asRows = (rows: object[]) => rows as Record<string, unknown>[];
  const diffs = [
    ...differences(
      'clicks',
      summed(asRows(fineClicks), clickKey, CLICK_FIGURES),
      summed(asRows(coarseClicks), clickKey, CLICK_FIGURES),
    ),
    ...differences(
      'events',
      summed(asRows(fineEvents), eventKey, EVENT_FIGURES),
      summed(asRows(coarseEvents), eventKey, EVENT_FIGURES),
    ),
  ];
  // A partner-day key is stored once (its primary key); a duplicate would have been summed above unseen.
  if (new Set(coarseClicks.map(clickKey)).size !== coarseClicks.length)
    diffs.push('clicks: a key stored twice');
  if (new Set(coarseEvents.map(eventKey)).size !== coarseEvents.length)
    diffs.push('events: a key stored twice');
  return { diffs, rows: coarseClicks.length + coarseEvents.length };
}

/**
 * Refills the partner-day rollups from the per-link ones (for tests that seed per-link rollup rows directly,
 * as the bench does): what the writers keep in step row by row.
 */
export async function refillPartnerDay(db: Kysely<DB>): Promise<void> {
  await db.deleteFrom('partner_day_click_rollups').execute();
  await db.deleteFrom('partner_day_event_rollups').execute();
  await sql`insert into partner_day_click_rollups (day, partner_id, clicks, unique_clicks, bots)
    select day, partner_id, sum(clicks), sum(unique_clicks), sum(bots) from click_rollups
    group by day, partner_id`.execute(db);
  await sql`insert into partner_day_event_rollups (day, partner_id, currency, ${sql.join(EVENT_FIGURES.map((f) => sql.ref(f)))})
    select day, partner_id, currency, ${sql.join(EVENT_FIGURES.map((f) => sql`sum(${sql.ref(f)})`))}
    from event_rollups group by day, partner_id, currency`.execute(db);
}
