// Reconciliations: the partner's CSV is read (every bad cell named, nothing partial), compared per day and
// sub-ID with our rollups (real traffic only), and the result is kept with the file's SHA-256 — evidence for a
// dispute about numbers — with an audit entry on the partner's timeline.
import { createHash } from 'node:crypto';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { TrackingReconciliationsTable } from '../../platform/db/schema.ts';
import { invalid, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { CsvSyntaxError, loadPartnerFor, parseCsv } from '../partners/index.ts';
import { compare, ignoredColumns, type Metric, readPartnerFile } from './reconcile.ts';

export function presentReconciliation(r: TrackingReconciliationsTable) {
  return {
    id: r.id,
    partnerId: r.partner_id,
    from: r.from_day,
    to: r.to_day,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    rowCount: Number(r.row_count),
    band: r.band as 'normal' | 'watch' | 'investigate',
    createdBy: r.created_by,
    createdAt: r.created_at,
    result: JSON.parse(r.result),
  };
}

/** Our figures per day and sub1 ('' for none) for a partner, from the rollups (test traffic never reaches them). */
export async function ourFigures(
  store: Store,
  partnerId: string,
  from: string,
  to: string,
  bySub: boolean,
): Promise<Map<string, Partial<Record<Metric, number>>>> {
  const out = new Map<string, Partial<Record<Metric, number>>>();
  const at = (day: string, sub1: string) => {
    const key = `${day}\u0000${bySub ? sub1 : ''}`;
    let v = out.get(key);
    if (!v) {
      v = {};
      out.set(key, v);
    }
    return v;
  };
  const add = (v: Partial<Record<Metric, number>>, m: Metric, n: unknown) => {
    v[m] = (v[m] ?? 0) + Number(n ?? 0);
  };
  const clicks = await store.db
    .selectFrom('click_rollups')
    .select(['day', 'sub1', 'clicks', 'unique_clicks'])
    .where('partner_id', '=', partnerId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  for (const r of clicks) {
    const v = at(r.day, r.sub1);
    add(v, 'clicks', r.clicks);
    add(v, 'unique_clicks', r.unique_clicks);
  }
  const events = await store.db
    .selectFrom('event_rollups')
    .select(['day', 'sub1', 'registrations', 'ftds', 'qualified_ftds', 'deposits', 'lots'])
    .where('partner_id', '=', partnerId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  for (const r of events) {
    const v = at(r.day, r.sub1);
    add(v, 'registrations', r.registrations);
    add(v, 'ftds', r.ftds);
    add(v, 'qualified_ftds', r.qualified_ftds);
    add(v, 'deposits', r.deposits);
    add(v, 'lots', r.lots);
  }
  return out;
}

export async function reconcile(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  body: { csv: string; fileName?: string | undefined },
) {
  assertCan(ctx.actor, 'tracking_qa.run');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  let cells: string[][];
  try {
    cells = parseCsv(body.csv.replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw invalidField('body.csv', `is not valid CSV: ${err.message}`);
    throw err;
  }
  // Exports from spreadsheets often use ';' — read them too when the header has no comma.
  if (cells[0] && cells[0].length === 1 && (cells[0][0] ?? '').includes(';'))
    cells = body.csv
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .map((l) => l.split(';'));
  const file = readPartnerFile(cells);
  const ours = await ourFigures(store, partner.id, file.from, file.to, file.bySub);
  const cmp = compare(file, ours);
  if (cmp.rows.length === 0) throw invalid([{ field: 'body.csv', message: 'has no figures to compare' }]);
  const row: TrackingReconciliationsTable = {
    id: newId('reconciliation'),
    partner_id: partner.id,
    from_day: file.from,
    to_day: file.to,
    file_name: body.fileName ?? null,
    file_sha256: createHash('sha256').update(body.csv).digest('hex'),
    row_count: file.rows.length,
    band: cmp.band,
    result: JSON.stringify({
      bySub: cmp.bySub,
      metrics: cmp.metrics,
      ignoredColumns: ignoredColumns(cells[0] ?? []),
      totals: cmp.totals,
      counts: cmp.counts,
      rows: cmp.rows,
    }),
    created_by: ctx.actor.id,
    created_at: nowIso(),
  };
  await writeTransaction(store, ctx, async (w) => {
    await w.trx.insertInto('tracking_reconciliations').values(row).execute();
    w.audit({
      action: 'tracking.reconciled',
      entityType: 'reconciliation',
      entityId: row.id,
      partnerId: partner.id,
      after: {
        from: file.from,
        to: file.to,
        band: cmp.band,
        counts: cmp.counts,
        metrics: cmp.metrics,
        fileSha256: row.file_sha256,
      },
    });
  });
  return presentReconciliation(row);
}

export async function listReconciliations(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  q: { limit: number; cursor?: string | undefined },
) {
  assertCan(ctx.actor, 'tracking_qa.read');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  let query = store.db
    .selectFrom('tracking_reconciliations')
    .selectAll()
    .where('partner_id', '=', partner.id);
  if (q.cursor) {
    if (!isId('reconciliation', q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from this list; start again without it.');
    query = query.where('id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    data: page.map((r) => {
      const { result: _r, ...rest } = presentReconciliation(r);
      return rest;
    }),
    nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

export async function getReconciliation(store: Store, ctx: RequestContext, partnerId: string, id: string) {
  assertCan(ctx.actor, 'tracking_qa.read');
  const partner = await loadPartnerFor(store.db, ctx.actor, partnerId, 'see');
  const row = isId('reconciliation', id)
    ? await store.db
        .selectFrom('tracking_reconciliations')
        .selectAll()
        .where('id', '=', id)
        .where('partner_id', '=', partner.id)
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound(`Reconciliation ${id}`);
  return presentReconciliation(row);
}
