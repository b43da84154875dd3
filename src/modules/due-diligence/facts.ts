// Facts other modules (the onboarding gate, payout readiness) read about a partner's due diligence, payout
// details and risk flags. Read-only; they take any handle so a caller can read inside its own transaction.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/index.ts';

export type DueDiligenceStatus = 'none' | 'open' | 'more_requested' | 'approved' | 'rejected';

/** The latest case of the partner: its status and when it was decided (null while undecided or none). */
export async function dueDiligenceFacts(
  db: Kysely<DB> | Transaction<DB>,
  partnerId: string,
): Promise<{ status: DueDiligenceStatus; decidedAt: string | null }> {
  const row = await db
    .selectFrom('dd_cases')
    .select(['status', 'decided_at'])
    .where('partner_id', '=', partnerId)
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { status: 'none', decidedAt: null };
  return { status: row.status as DueDiligenceStatus, decidedAt: row.decided_at };
}

/** Whether the partner has payout details and whether the current version is verified by Finance. */
export async function payoutFacts(
  db: Kysely<DB> | Transaction<DB>,
  partnerId: string,
): Promise<{ hasDetails: boolean; verified: boolean; verifiedAt: string | null }> {
  const row = await db
    .selectFrom('payout_details')
    .select(['verified_at'])
    .where('partner_id', '=', partnerId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { hasDetails: false, verified: false, verifiedAt: null };
  return { hasDetails: true, verified: row.verified_at !== null, verifiedAt: row.verified_at };
}

/** Open risk flags of the partner: how many block activation and how many are open in all. */
export async function riskFacts(
  db: Kysely<DB> | Transaction<DB>,
  partnerId: string,
): Promise<{ openBlocking: number; open: number }> {
  const rows = await db
    .selectFrom('risk_flags')
    .select(['blocking'])
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'open')
    .execute();
  return { openBlocking: rows.filter((r) => Number(r.blocking) === 1).length, open: rows.length };
}
