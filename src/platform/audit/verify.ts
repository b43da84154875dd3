// Verifies the whole audit chain in sequence order, in pages so memory stays flat on millions of entries.
// Reports the first entry that is altered, missing or out of order.
import type { Kysely } from 'kysely';
import type { DB } from '../db/index.ts';
import { GENESIS_HASH, dataDigest, entryHash } from './chain.ts';

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
      if (row.prev_hash !== prev) return bad('prev_hash does not match the previous entry (removed or reordered)');
      const recomputed = entryHash({ ...row, seq });
      if (recomputed !== row.hash) return bad('hash does not match its content (entry altered)');
      if (row.redacted_at === null) {
        if (row.data_salt === null || dataDigest(row.data_salt, row.data) !== row.data_digest) {
          return bad('data does not match its digest (before/after/reason altered)');
        }
      } else if (!isRedactedData(row.data)) {
        return bad('entry is marked erased but still holds data');
      }
      prev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    afterSeq = Number(rows[rows.length - 1]?.seq);
    onProgress?.(checked);
  }
  return { ok: true, checked, headSeq: expectedSeq - 1, headHash: prev };
}

export const REDACTED_DATA = JSON.stringify({ erased: true });

function isRedactedData(data: string): boolean {
  return data === REDACTED_DATA;
}
