// The hash chain over the audit log. Each entry's hash covers its identifying fields, a digest of its data
// and the previous entry's hash. Personal data lives only in `data`, which is covered through a salted
// digest: erasing it (data replaced, salt dropped) leaves the stored digest, so the chain still verifies.
import { createHash, randomBytes } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainFields {
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  entity_type: string;
  entity_id: string;
  partner_id: string | null;
  request_id: string | null;
  data_digest: string;
  prev_hash: string;
}

export function entryHash(f: ChainFields): string {
  const canonical = JSON.stringify([
    f.seq,
    f.id,
    f.at,
    f.actor_type,
    f.actor_id,
    f.action,
    f.entity_type,
    f.entity_id,
    f.partner_id,
    f.request_id,
    f.data_digest,
    f.prev_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function dataDigest(salt: string, data: string): string {
  return createHash('sha256').update(salt).update('\n').update(data).digest('hex');
}
