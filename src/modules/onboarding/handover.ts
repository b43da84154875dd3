// The handover record: generated when a partner enters the Handover stage, a snapshot of what Support and the
// account manager take over (partner summary, terms in force, contacts, documents, tracking setup, open tasks,
// risk flags). It is kept as generated; acknowledging it is what lets the partner go live.
import type { PartnersTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import type { WriteScope } from '../../platform/tx.ts';
import { documentFacts } from '../documents/index.ts';
import { type Db, dueDiligenceFacts, payoutFacts, riskFacts, taskFacts, termsFacts } from './facts.ts';
import { GATE_STAGES } from './stages.ts';

export const TRACKING_SETUP_NOT_AVAILABLE =
  'Tracking setup records are not available yet (they arrive with the tracking module)';

function parseList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export async function handoverSnapshot(db: Db, partner: PartnersTable): Promise<Record<string, unknown>> {
  const today = todayUtc();
  const owner = partner.owner_id
    ? await db
        .selectFrom('users')
        .select(['id', 'name', 'email'])
        .where('id', '=', partner.owner_id)
        .executeTakeFirst()
    : undefined;
  const contacts = await db
    .selectFrom('contacts')
    .select(['name', 'email', 'phone', 'role', 'is_primary'])
    .where('partner_id', '=', partner.id)
    .orderBy('is_primary', 'desc')
    .orderBy('name')
    .execute();
  const terms = await termsFacts(db, partner.id, today);
  const documents = await documentFacts(db, partner.id, today);
  const openTasks = [];
  for (const stage of GATE_STAGES) {
    const t = await taskFacts(db, partner.id, stage);
    if (t.open > 0) openTasks.push({ stage, open: t.open, overdue: t.overdue });
  }
  return {
    generatedAt: nowIso(),
    partner: {
      id: partner.id,
      displayName: partner.display_name,
      legalName: partner.legal_name,
      kind: partner.kind,
      type: partner.type,
      tier: partner.tier,
      country: partner.country,
      languages: parseList(partner.languages),
      websites: parseList(partner.websites),
      trafficSources: parseList(partner.traffic_sources),
      referralCode: partner.referral_code,
      email: partner.email,
      phone: partner.phone,
      owner: owner ? { id: owner.id, name: owner.name, email: owner.email } : null,
    },
    terms: {
      inForce: terms.inForce,
      pendingApproval: terms.pendingApproval,
      awaitingAcceptance: terms.awaitingAcceptance,
    },
    contacts: contacts.map((c) => ({
      name: c.name,
      email: c.email,
      phone: c.phone,
      role: c.role,
      primary: c.is_primary === 1,
    })),
    documents,
    dueDiligence: await dueDiligenceFacts(db, partner.id),
    payout: await payoutFacts(db, partner.id),
    tracking: { status: 'not_available', note: TRACKING_SETUP_NOT_AVAILABLE },
    openTasks,
    risk: await riskFacts(db, partner.id),
  };
}

/** Generates the handover record of a Handover-stage visit, in the caller's transaction. */
export async function createHandover(
  w: WriteScope,
  partner: PartnersTable,
  historyId: string,
): Promise<string> {
  const id = newId('handover');
  const snapshot = await handoverSnapshot(w.trx, partner);
  await w.trx
    .insertInto('handovers')
    .values({
      id,
      partner_id: partner.id,
      history_id: historyId,
      snapshot: JSON.stringify(snapshot),
      created_by: w.ctx.actor.id,
      created_at: nowIso(),
      acknowledged_by: null,
      acknowledged_at: null,
      acknowledgement_note: null,
    })
    .execute();
  w.audit({
    action: 'handover.created',
    entityType: 'handover',
    entityId: id,
    partnerId: partner.id,
    after: { historyId },
  });
  return id;
}
