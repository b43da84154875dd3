// Verifies the whole audit chain in sequence order, in pages so memory stays flat on millions of entries.
// Reports the first entry that is altered, missing or out of order.
//
// Erased entries: personal-data erasure replaces an entry's `data` with REDACTED_DATA and drops its salt, but
// the entry's hash covers only `data_digest` (a salted digest of the data), never the data itself, so the
// chain still verifies. What keeps erasure from becoming a way to hide an entry's content: an erased entry
// must hold exactly REDACTED_DATA, and a later `audit.personal_data_erased` entry about the same entity
// (whose identifying fields are hashed into the chain) must record the erasure.
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.ts';
import type { AuditAction } from './actions.ts';
import { dataDigest, entryHash, GENESIS_HASH } from './chain.ts';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  firstBad?: { seq: number; id: string; problem: string };
}

export async function verifyAuditChain(
  db: Kysely<DB>,
  onProgress?: (checked: number) => void,
  pageSize = 5000,
): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let checked = 0;
  let afterSeq = 0;
  // Erased entries not yet covered by an erasure entry, by "entity_type entity_id".
  const uncovered = new Map<string, { seq: number; id: string; prevHash: string }[]>();
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      const bad = (problem: string): VerifyResult => ({
        ok: false,
        checked,
        headSeq: expectedSeq - 1,
        headHash: prev,
        firstBad: { seq, id: row.id, problem },
      });
      if (seq !== expectedSeq) {
        return bad(
          seq > expectedSeq
            ? `entry ${expectedSeq}${seq - expectedSeq > 1 ? `..${seq - 1}` : ''} is missing (next present is ${seq})`
            : `sequence ${seq} is out of order (expected ${expectedSeq})`,
        );
      }
      if (row.prev_hash !== prev)
        return bad('prev_hash does not match the previous entry (removed or reordered)');
      const recomputed = entryHash({ ...row, seq });
      if (recomputed !== row.hash) return bad('hash does not match its content (entry altered)');
      if (row.redacted_at === null) {
        if (row.data_salt === null || dataDigest(row.data_salt, row.data) !== row.data_digest) {
          return bad('data does not match its digest (before/after/reason altered)');
        }
      } else if (!isRedactedData(row.data)) {
        return bad('entry is marked erased but still holds data');
      }
      const entityKey = `${row.entity_type} ${row.entity_id}`;
      if (row.action === ERASURE_ACTION) uncovered.delete(entityKey);
      if (row.redacted_at !== null) {
        const list = uncovered.get(entityKey) ?? [];
        list.push({ seq, id: row.id, prevHash: row.prev_hash });
        uncovered.set(entityKey, list);
      }
      prev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    afterSeq = Number(rows[rows.length - 1]?.seq);
    onProgress?.(checked);
  }
  let firstUncovered: { seq: number; id: string; prevHash: string } | null = null;
  for (const list of uncovered.values()) {
    for (const e of list) if (!firstUncovered || e.seq < firstUncovered.seq) firstUncovered = e;
  }
  if (firstUncovered) {
    return {
      ok: false,
      checked: firstUncovered.seq - 1,
      headSeq: firstUncovered.seq - 1,
      headHash: firstUncovered.prevHash,
      firstBad: {
        seq: firstUncovered.seq,
        id: firstUncovered.id,
        problem: `entry is marked erased but no later ${ERASURE_ACTION} entry records the erasure`,
      },
    };
  }
  return { ok: true, checked, headSeq: expectedSeq - 1, headHash: prev };
}

/** The audit action that records a personal-data erasure (and so covers the entries it erased). */
export const ERASURE_ACTION: AuditAction = 'audit.personal_data_erased';

export const REDACTED_DATA = JSON.stringify({ erased: true });

function isRedactedData(data: string): boolean {
  return data === REDACTED_DATA;
}
