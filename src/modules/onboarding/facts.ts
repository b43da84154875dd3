// The one place onboarding reaches into other modules: the facts its gates read (policy, documents, terms,
// due diligence, payout details, risk flags, tasks, tracking QA) and the stage tasks it creates and cancels.
// Everything takes a handle, so a move reads its facts inside its own transaction.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import { todayUtc } from '../../platform/time.ts';
import { documentFacts } from '../documents/index.ts';
import { dueDiligenceFacts, payoutFacts, riskFacts } from '../due-diligence/index.ts';
import { missingFieldsFor } from '../policy/index.ts';
import { cancelStageTasks, createStageTasks, type StageTaskTemplate, taskFacts } from '../tasks/index.ts';
import { termsFacts } from '../terms/index.ts';
import { trackingQaFacts } from '../tracking-qa/index.ts';
import { factsNeeded, type GateFacts } from './gate.ts';
import type { TemplateStage } from './template.ts';

export type Db = Kysely<DB> | Transaction<DB>;

export type { StageTaskTemplate };
export {
  cancelStageTasks,
  createStageTasks,
  dueDiligenceFacts,
  payoutFacts,
  riskFacts,
  taskFacts,
  termsFacts,
};

/**
 * Reason details the facts exports do not carry (the gate's decision never depends on these): the expiry date
 * of expired approved documents, and the version numbers of terms awaiting acceptance or not yet in force.
 */
async function documentExpiries(
  db: Db,
  partnerId: string,
  types: string[],
  today: string,
): Promise<Record<string, string>> {
  if (types.length === 0) return {};
  const rows = await db
    .selectFrom('documents')
    .select(['type', 'expires_on'])
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'approved')
    .where('archived_at', 'is', null)
    .where('type', 'in', types)
    .where('expires_on', '<', today)
    .execute();
  const out: Record<string, string> = {};
  for (const r of rows) {
    if (r.expires_on && (!out[r.type] || r.expires_on > (out[r.type] as string))) out[r.type] = r.expires_on;
  }
  return out;
}

async function termsDetails(
  db: Db,
  partnerId: string,
  today: string,
): Promise<{ awaitingVersion: number | null; upcoming: { version: number; effectiveFrom: string } | null }> {
  const rows = await db
    .selectFrom('terms_versions')
    .select(['version', 'accepted_at', 'effective_from'])
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'approved')
    .orderBy('version', 'desc')
    .execute();
  const awaiting = rows.find((r) => !r.accepted_at);
  const upcoming = rows.find((r) => r.accepted_at && r.effective_from > today);
  return {
    awaitingVersion: awaiting ? awaiting.version : null,
    upcoming: upcoming ? { version: upcoming.version, effectiveFrom: upcoming.effective_from } : null,
  };
}

/** The facts the items of `templateStage` read about the partner (and only those). */
export async function loadGateFacts(
  db: Db,
  partner: PartnersTable,
  stage: string,
  templateStage: TemplateStage | null,
  handover: GateFacts['handover'] | undefined,
): Promise<GateFacts> {
  const today = todayUtc();
  const need = factsNeeded(templateStage);
  const facts: GateFacts = { today };
  if (need.has('fields')) {
    const e = await missingFieldsFor(db, partner);
    facts.fields = {
      stageMissing: e.stage.missing,
      nextStage: e.next?.stage ?? null,
      nextMissing: e.next?.missing ?? [],
    };
  }
  if (need.has('documents')) {
    const d = await documentFacts(db, partner.id, today);
    facts.documents = { ...d, expiredOn: await documentExpiries(db, partner.id, d.expired, today) };
  }
  if (need.has('dueDiligence')) facts.dueDiligence = await dueDiligenceFacts(db, partner.id);
  if (need.has('terms')) {
    const t = await termsFacts(db, partner.id, today);
    const details = t.hasTermsInForce
      ? { awaitingVersion: null, upcoming: null }
      : await termsDetails(db, partner.id, today);
    facts.terms = {
      hasTermsInForce: t.hasTermsInForce,
      inForceVersion: t.inForce?.version ?? null,
      pendingApproval: t.pendingApproval,
      awaitingAcceptance: t.awaitingAcceptance,
      ...details,
    };
  }
  if (need.has('payout')) facts.payout = await payoutFacts(db, partner.id);
  if (need.has('risk')) facts.risk = await riskFacts(db, partner.id);
  if (need.has('tasks')) facts.tasks = await taskFacts(db, partner.id, stage);
  if (need.has('handover') && handover) facts.handover = handover;
  if (need.has('trackingQa')) facts.trackingQa = await trackingQaFacts(db, partner.id);
  return facts;
}
