// Reading and replacing the approval authority matrix, and seeding its defaults on a new workspace.
import type { Kysely, Transaction } from 'kysely';
import { assertCan, type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import { type FieldError, invalid } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import {
  AUTHORITY_METRICS,
  type AuthorityRow,
  defaultAuthorityRows,
  isAuthorityMetric,
  isLimitedRole,
  LIMITED_ROLES,
} from './authority-matrix.ts';

const SEEDED_KEY = 'authority_seeded_at';

export interface AuthorityView {
  rows: AuthorityRow[];
  ladder: string[];
  updatedAt: string | null;
}

function sortRows(rows: AuthorityRow[]): AuthorityRow[] {
  return [...rows].sort(
    (a, b) =>
      a.currency.localeCompare(b.currency) ||
      LIMITED_ROLES.indexOf(a.role) - LIMITED_ROLES.indexOf(b.role) ||
      AUTHORITY_METRICS.indexOf(a.metric) - AUTHORITY_METRICS.indexOf(b.metric),
  );
}

export async function loadAuthorityRows(db: Kysely<DB> | Transaction<DB>): Promise<AuthorityRow[]> {
  const rows = await db
    .selectFrom('approval_authorities')
    .select(['role', 'currency', 'metric', 'max_value'])
    .execute();
  const out: AuthorityRow[] = [];
  for (const r of rows) {
    // Rows for roles or metrics this version does not know cannot grant authority; they are ignored.
    if (isLimitedRole(r.role) && isAuthorityMetric(r.metric)) {
      out.push({ role: r.role, currency: r.currency, metric: r.metric, maxValue: Number(r.max_value) });
    }
  }
  return sortRows(out);
}

export async function getAuthority(store: Store, ctx: RequestContext): Promise<AuthorityView> {
  assertCan(ctx.actor, 'terms.read');
  const rows = await loadAuthorityRows(store.db);
  const last = await store.db
    .selectFrom('approval_authorities')
    .select('updated_at')
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { rows, ladder: ['bdm', 'team_lead', 'leadership'], updatedAt: last?.updated_at ?? null };
}

/** Checks a full matrix: one row per (role, currency, metric), and a Team Lead's limit never below a BDM's. */
export function authorityProblems(rows: readonly AuthorityRow[], field = 'body.rows'): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const key = `${r.role}|${r.currency}|${r.metric}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        field: `${field}.${i}`,
        message: `repeats row ${first} (${r.role}, ${r.currency}, ${r.metric})`,
      });
    } else seen.set(key, i);
    if ((r.metric === 'revshare_bps' || r.metric === 'subib_override_bps') && r.maxValue > 10_000) {
      errors.push({
        field: `${field}.${i}.maxValue`,
        message: 'a basis-point limit cannot exceed 10000 (100%)',
      });
    }
  });
  rows.forEach((r, i) => {
    if (r.role !== 'bdm') return;
    const lead = rows.find(
      (x) => x.role === 'team_lead' && x.currency === r.currency && x.metric === r.metric,
    );
    if (!lead) {
      errors.push({
        field: `${field}.${i}`,
        message: `a Team Lead needs at least the BDM's authority: add a team_lead row for ${r.currency} ${r.metric}`,
      });
    } else if (lead.maxValue < r.maxValue) {
      errors.push({
        field: `${field}.${i}.maxValue`,
        message: `the BDM limit (${r.maxValue}) is above the Team Lead limit (${lead.maxValue}) for ${r.currency} ${r.metric}`,
      });
    }
  });
  return errors;
}

async function writeRows(trx: Transaction<DB>, rows: readonly AuthorityRow[], now: string): Promise<void> {
  await trx.deleteFrom('approval_authorities').execute();
  if (rows.length === 0) return;
  await trx
    .insertInto('approval_authorities')
    .values(
      rows.map((r) => ({
        id: newId('authority'),
        role: r.role,
        currency: r.currency,
        metric: r.metric,
        max_value: r.maxValue,
        updated_at: now,
      })),
    )
    .execute();
}

/** Replaces the whole matrix (what is not listed is gone). Audited with the matrix before and after. */
export async function replaceAuthority(
  store: Store,
  ctx: RequestContext,
  input: { rows: AuthorityRow[]; reason?: string | null },
): Promise<AuthorityView> {
  assertCan(ctx.actor, 'policy.manage');
  const problems = authorityProblems(input.rows);
  if (problems.length > 0) throw invalid(problems, 'The authority matrix is not consistent.');
  const now = nowIso();
  await writeTransaction(store, ctx, async (w) => {
    const before = await loadAuthorityRows(w.trx);
    await writeRows(w.trx, input.rows, now);
    await w.trx
      .insertInto('settings')
      .values({ key: SEEDED_KEY, value: JSON.stringify(now), updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    w.audit({
      action: 'authority.updated',
      entityType: 'approval_authority',
      entityId: 'matrix',
      before: { rows: before },
      after: { rows: sortRows([...input.rows]) },
      reason: input.reason ?? null,
    });
  });
  return getAuthority(store, ctx);
}

/**
 * Seeds the default matrix once per workspace (USD and EUR limits for BDM and Team Lead). Does nothing when
 * the matrix was seeded or edited before, even if an admin has since emptied it. Returns true when it seeded.
 */
export async function ensureDefaultAuthority(store: Store): Promise<boolean> {
  const seeded = await store.db
    .selectFrom('settings')
    .select('key')
    .where('key', '=', SEEDED_KEY)
    .executeTakeFirst();
  if (seeded) return false;
  const ctx: RequestContext = {
    actor: systemActor(['policy.manage'], 'authority defaults'),
    requestId: null,
  };
  return writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const claimed = await w.trx
      .insertInto('settings')
      .values({ key: SEEDED_KEY, value: JSON.stringify(now), updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    const existing = await loadAuthorityRows(w.trx);
    const rows =
      Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 1 && existing.length === 0
        ? defaultAuthorityRows()
        : [];
    if (rows.length > 0) await writeRows(w.trx, rows, now);
    w.audit({
      action: 'authority.updated',
      entityType: 'approval_authority',
      entityId: 'matrix',
      before: { rows: existing },
      after: { rows: rows.length > 0 ? sortRows(rows) : existing },
      reason:
        rows.length > 0
          ? 'Default approval authority matrix seeded'
          : 'Existing approval authority matrix kept',
    });
    return rows.length > 0;
  });
}
