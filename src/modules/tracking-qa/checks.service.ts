// Attribution checks over a period (at most 31 days), for all partners or one: orphan events (a click id that is
// forged, unknown, too fast or too old, or no way to attribute at all), txids seen more than once across
// sources or types (double counting waiting to happen), clicks from countries the link does not allow or the
// partner's regulated entity restricts (needs a GeoIP database), the failure rate of every partner postback,
// and malformed inbound requests still waiting in the inbox. Test traffic (QA) is left out everywhere.
import { sql } from 'kysely';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { Config } from '../../platform/config.ts';
import { invalid } from '../../platform/errors.ts';
import { todayUtc } from '../../platform/time.ts';
import type { Store } from '../../platform/tx.ts';
import { entityFromPartner } from '../due-diligence/index.ts';
import { loadPartnerFor } from '../partners/index.ts';
import { parseClickId, timeBound } from '../tracking/index.ts';

const DAY = 86_400_000;
export const MAX_CHECK_DAYS = 31;
const SAMPLES = 20;

export const ORPHAN_LABELS: Record<string, string> = {
  forged_click_id: 'Click id forged or altered (its signature does not match)',
  unknown_link: 'Click id of a link that does not exist',
  too_fast: "Arrived sooner after the click than the programme's minimum",
  too_old: "Click older than the programme's maximum age",
  unknown_referral_code: 'Referral code that no partner has',
  no_click_id: 'No click id, referral code or known client',
  unattributed: 'Not attributed',
};

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

export function checkPeriod(q: { from?: string | undefined; to?: string | undefined }): {
  from: string;
  to: string;
} {
  const to = q.to ?? todayUtc();
  const from = q.from ?? addDays(to, -6);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY + 1;
  if (days < 1) throw invalid([{ field: 'query.from', message: `must not be after to (${to})` }]);
  if (days > MAX_CHECK_DAYS)
    throw invalid([
      {
        field: 'query.from',
        message: `the period covers ${days} days; check at most ${MAX_CHECK_DAYS} at once`,
      },
    ]);
  return { from, to };
}

export async function attributionChecks(
  store: Store,
  config: Pick<Config, 'secret' | 'geoipCsv'>,
  ctx: RequestContext,
  q: { partnerId?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  assertCan(ctx.actor, 'tracking_qa.read');
  const { from, to } = checkPeriod(q);
  const partner = q.partnerId ? await loadPartnerFor(store.db, ctx.actor, q.partnerId, 'see') : null;
  if (!partner && (ctx.actor.role === 'partner' || ctx.actor.partnerId))
    throw invalid([
      { field: 'query.partnerId', message: 'is required for a partner user (your own partner)' },
    ]);
  const start = `${from}T00:00:00.000Z`;
  const end = `${addDays(to, 1)}T00:00:00.000Z`;
  const db = store.db;

  // ---- orphan events ----
  let orphanQ = db
    .selectFrom('events')
    .select(['id', 'type', 'txid', 'click_id', 'attribution_note', 'source_id', 'received_at'])
    .where('received_at', '>=', start)
    .where('received_at', '<', end)
    .where('is_test', '=', 0)
    .where('partner_id', 'is', null);
  let partnerSeqs: Set<number> | null = null;
  if (partner) {
    // An orphan belongs to no partner; for one partner, show those whose (verified) click id names its links.
    const links = await db.selectFrom('links').select('seq').where('partner_id', '=', partner.id).execute();
    partnerSeqs = new Set(links.map((l) => Number(l.seq)));
    orphanQ = orphanQ.where('click_id', 'is not', null);
  }
  const orphanRows = await orphanQ.orderBy('id', 'desc').limit(5000).execute();
  const orphans = orphanRows.filter((e) => {
    if (!partnerSeqs) return true;
    const p = parseClickId(config.secret, e.click_id as string);
    return p.ok && partnerSeqs.has(p.linkSeq);
  });
  const byReason = new Map<string, number>();
  for (const e of orphans) {
    const r = e.attribution_note ?? 'unattributed';
    byReason.set(r, (byReason.get(r) ?? 0) + 1);
  }

  // ---- duplicate txids ----
  let dupQ = db
    .selectFrom('events')
    .select(['txid', (eb) => eb.fn.countAll<number>().as('n')])
    .where('received_at', '>=', start)
    .where('received_at', '<', end)
    .where('is_test', '=', 0);
  if (partner) dupQ = dupQ.where('partner_id', '=', partner.id);
  const dupGroups = await dupQ
    .groupBy('txid')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .orderBy('n', 'desc')
    .orderBy('txid')
    .limit(1000)
    .execute();
  const sampleTxids = dupGroups.slice(0, SAMPLES).map((g) => g.txid);
  const dupEvents =
    sampleTxids.length === 0
      ? []
      : await db
          .selectFrom('events')
          .select(['id', 'txid', 'source_id', 'type', 'partner_id'])
          .where('txid', 'in', sampleTxids)
          .where('received_at', '>=', start)
          .where('received_at', '<', end)
          .where('is_test', '=', 0)
          .orderBy('id')
          .execute();

  // ---- clicks from restricted countries ----
  const geoConfigured = config.geoipCsv !== null;
  let clickQ = db
    .selectFrom('clicks')
    .select(['partner_id', 'country', 'geo_allowed', (eb) => eb.fn.countAll<number>().as('n')])
    .where('id', '>=', timeBound(Date.parse(start)))
    .where('id', '<', timeBound(Date.parse(end)))
    .where('ts', '>=', start)
    .where('ts', '<', end)
    .where('is_test', '=', 0)
    .where('country', 'is not', null);
  if (partner) clickQ = clickQ.where('partner_id', '=', partner.id);
  const countryRows = geoConfigured
    ? await clickQ.groupBy(['partner_id', 'country', 'geo_allowed']).execute()
    : [];
  const restricted = await db
    .selectFrom('restricted_countries')
    .select(['entity', 'country', 'reason'])
    .execute();
  const partnerIds = [...new Set(countryRows.map((r) => r.partner_id))];
  const partners =
    partnerIds.length === 0
      ? []
      : await db
          .selectFrom('partners')
          .select(['id', 'custom_fields'])
          .where('id', 'in', partnerIds)
          .execute();
  const entityOf = new Map(partners.map((p) => [p.id, entityFromPartner(p)]));
  const byCountry = new Map<
    string,
    { country: string; clicks: number; why: 'not_allowed_for_link' | 'restricted_for_entity'; detail: string }
  >();
  for (const r of countryRows) {
    const country = r.country as string;
    const entity = entityOf.get(r.partner_id) ?? null;
    const rule = entity ? restricted.find((x) => x.entity === entity && x.country === country) : undefined;
    let why: 'not_allowed_for_link' | 'restricted_for_entity' | null = null;
    let detail = '';
    if (rule) {
      why = 'restricted_for_entity';
      detail = `${entity} restricts ${country}: ${rule.reason}`;
    } else if (Number(r.geo_allowed) === 0) {
      why = 'not_allowed_for_link';
      detail = `${country} is not among the link's allowed countries`;
    }
    if (!why) continue;
    const key = `${country}|${why}|${detail}`;
    const cur = byCountry.get(key) ?? { country, clicks: 0, why, detail };
    cur.clicks += Number(r.n);
    byCountry.set(key, cur);
  }
  const restrictedList = [...byCountry.values()].sort((a, b) => b.clicks - a.clicks);

  // ---- postback failure rates ----
  let attemptsQ = db
    .selectFrom('postback_attempts')
    .select([
      'postback_id',
      (eb) => eb.fn.countAll<number>().as('attempts'),
      (eb) => eb.fn.sum<number>(sql`case when outcome = 'failure' then 1 else 0 end`).as('failures'),
      (eb) => eb.fn.max('started_at').as('last_at'),
    ])
    .where('started_at', '>=', start)
    .where('started_at', '<', end)
    .where('via', '!=', 'test');
  if (partner) attemptsQ = attemptsQ.where('partner_id', '=', partner.id);
  const attempts = await attemptsQ.groupBy('postback_id').execute();
  const pbIds = attempts.map((a) => a.postback_id);
  const pbs =
    pbIds.length === 0
      ? []
      : await db
          .selectFrom('partner_postbacks')
          .select(['id', 'partner_id', 'event_type', 'status'])
          .where('id', 'in', pbIds)
          .execute();
  const postbacks = [];
  for (const a of attempts) {
    const pb = pbs.find((p) => p.id === a.postback_id);
    if (!pb) continue;
    const failures = Number(a.failures ?? 0);
    const last =
      failures > 0
        ? await db
            .selectFrom('postback_attempts')
            .select(['error_detail', 'error', 'status_code'])
            .where('postback_id', '=', a.postback_id)
            .where('outcome', '=', 'failure')
            .where('via', '!=', 'test')
            .where('started_at', '>=', start)
            .where('started_at', '<', end)
            .orderBy('started_at', 'desc')
            .limit(1)
            .executeTakeFirst()
        : undefined;
    postbacks.push({
      postbackId: pb.id,
      partnerId: pb.partner_id,
      eventType: pb.event_type,
      status: pb.status,
      attempts: Number(a.attempts),
      failures,
      failureRateBp: Math.round((failures * 10_000) / Math.max(1, Number(a.attempts))),
      lastError: last ? (last.error_detail ?? last.error ?? `answered ${last.status_code}`) : null,
      lastAttemptAt: (a.last_at as string | null) ?? null,
    });
  }
  postbacks.sort((x, y) => y.failureRateBp - x.failureRateBp || y.failures - x.failures);

  const inbox = partner
    ? { n: 0 }
    : await db
        .selectFrom('event_inbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow();

  return {
    from,
    to,
    partnerId: partner?.id ?? null,
    orphanEvents: {
      total: orphans.length,
      byReason: [...byReason.entries()]
        .map(([reason, count]) => ({ reason, label: ORPHAN_LABELS[reason] ?? reason, count }))
        .sort((a, b) => b.count - a.count),
      samples: orphans.slice(0, SAMPLES).map((e) => ({
        eventId: e.id,
        type: e.type,
        txid: e.txid,
        clickId: e.click_id,
        reason: e.attribution_note ?? 'unattributed',
        sourceId: e.source_id,
        receivedAt: e.received_at,
      })),
    },
    duplicateTxids: {
      total: dupGroups.length,
      samples: sampleTxids.map((txid) => {
        const evs = dupEvents.filter((e) => e.txid === txid);
        return {
          txid,
          count: Number(dupGroups.find((g) => g.txid === txid)?.n ?? evs.length),
          events: evs.map((e) => ({
            eventId: e.id,
            sourceId: e.source_id,
            type: e.type,
            partnerId: e.partner_id,
          })),
        };
      }),
    },
    restrictedClicks: {
      geoConfigured,
      total: restrictedList.reduce((n, r) => n + r.clicks, 0),
      byCountry: restrictedList,
    },
    postbacks,
    inboxOpen: Number(inbox.n),
  };
}
