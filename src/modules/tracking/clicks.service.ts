// The click story: a click by its id. The id proves its own time and link (MAC), so even when the raw click
// row is gone (retention) or unknown the answer says what the id proves, and `raw` says which: 'pruned' when
// a retention run (its `clicks.pruned` audit entry, entity id = cutoff) covers the click's time, 'not_stored'
// otherwise. Events, attribution and postback attempts join this view as those parts of the engine land.
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import { AppError, invalidField, notFound } from '../../platform/errors.ts';
import type { Store } from '../../platform/tx.ts';
import { canSeePartner } from '../partners/index.ts';
import { parseClickId } from './click-id.ts';

/** Partner users see a visitor's IP only up to /24 (IPv4) or /48 (IPv6): enough to spot patterns, not a person. */
function maskIp(ip: string | null): string | null {
  if (!ip) return ip;
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+)\.\d+$/.exec(ip);
  if (v4) return `${v4[1]}.0`;
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}::`;
  return null;
}

export async function getClick(store: Store, ctx: RequestContext, secret: string, clickId: string) {
  assertCan(ctx.actor, 'clicks.read');
  const parsed = parseClickId(secret, clickId);
  if (!parsed.ok) {
    if (parsed.reason === 'malformed')
      throw invalidField('path.clickId', 'is not a click id (expected "c" and 29 base32 characters).');
    throw new AppError(
      'not_found',
      `Click ${clickId} was not minted by this installation: its signature does not verify.`,
      [],
      { reason: 'forged' },
    );
  }
  const link = await store.db
    .selectFrom('links')
    .select(['id', 'code', 'name', 'seq', 'partner_id'])
    .where('seq', '=', parsed.linkSeq)
    .executeTakeFirst();
  const row = await store.db.selectFrom('clicks').selectAll().where('id', '=', clickId).executeTakeFirst();
  const partnerId = row?.partner_id ?? link?.partner_id;
  if (!link || !partnerId || !canSeePartner(ctx.actor, { id: partnerId })) throw notFound(`Click ${clickId}`);
  const base = {
    id: clickId,
    verified: true as const,
    stored: !!row,
    time: new Date(parsed.time).toISOString(),
    link: { id: link.id, code: link.code, name: link.name, seq: Number(link.seq) },
    partnerId,
  };
  if (!row) {
    // The first retention run whose cutoff lies after the click's time deleted it (if it was ever stored).
    const run = await store.db
      .selectFrom('audit_log')
      .select(['at', 'entity_id'])
      .where('action', '=', 'clicks.pruned')
      .where('entity_id', '>', base.time)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (run)
      return {
        ...base,
        raw: 'pruned' as const,
        pruned: { at: run.at, cutoff: run.entity_id },
        note: `The raw click was deleted by click retention (raw clicks before ${run.entity_id}, run at ${run.at}). Its time, link and partner come from the verified click id; daily stats still count it.`,
      };
    return {
      ...base,
      raw: 'not_stored' as const,
      pruned: null,
      note: 'No raw click is stored for this id and no retention run covers its time: the click was not committed (the visitor did not get a redirect). Time, link and partner come from the verified click id.',
    };
  }
  const isPartner = ctx.actor.role === 'partner' || !!ctx.actor.partnerId;
  return {
    ...base,
    raw: 'stored' as const,
    pruned: null,
    note: null,
    time: row.ts,
    ip: isPartner ? maskIp(row.ip) : row.ip,
    userAgent: row.user_agent,
    referrer: row.referrer,
    country: row.country,
    geoAllowed: row.geo_allowed === null ? null : Number(row.geo_allowed) === 1,
    subs: { sub1: row.sub1, sub2: row.sub2, sub3: row.sub3, sub4: row.sub4, sub5: row.sub5 },
    isBot: Number(row.is_bot) === 1,
    isDuplicate: Number(row.is_duplicate) === 1,
    isTest: Number(row.is_test) === 1,
  };
}
