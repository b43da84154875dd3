// Gate evaluation, pure: given the template of a stage, the facts the system holds about the partner and the
// ticks of manual items, every item gets a state (met, unmet, not available) and, when it is not met, a
// specific reason. The gate holds when no blocking item is unmet or not available. No database here.
import type { Role } from '../../platform/auth/permissions.ts';
import { isGateStage, nextStage, STAGE_LABELS, type Stage } from './stages.ts';
import type { ChecklistItem, SystemCheck, SystemItem, TemplateStage } from './template.ts';

export type ItemState = 'met' | 'unmet' | 'not_available';
export const ITEM_STATES: readonly ItemState[] = ['met', 'unmet', 'not_available'];

export interface FieldRef {
  field: string;
  label: string;
}

/** What the system knows about a partner. A fact left undefined was not loaded: its items are not available. */
export interface GateFacts {
  /** Today (UTC, YYYY-MM-DD): expiry is judged against it. */
  today: string;
  fields?: { stageMissing: FieldRef[]; nextStage: string | null; nextMissing: FieldRef[] };
  documents?: {
    present: string[];
    approved: string[];
    pending: string[];
    /** Types whose every approved document has expired. */
    expired: string[];
    /** The latest expiry date of the expired approved documents of each type in `expired`. */
    expiredOn: Record<string, string>;
  };
  dueDiligence?: {
    status: 'none' | 'open' | 'more_requested' | 'approved' | 'rejected';
    decidedAt: string | null;
  };
  terms?: {
    hasTermsInForce: boolean;
    inForceVersion: number | null;
    pendingApproval: number;
    awaitingAcceptance: number;
    /** The newest approved version the partner has not accepted yet. */
    awaitingVersion: number | null;
    /** An accepted version that takes effect later. */
    upcoming: { version: number; effectiveFrom: string } | null;
  };
  payout?: { hasDetails: boolean; verified: boolean; verifiedAt: string | null };
  risk?: { openBlocking: number; open: number };
  tasks?: { total: number; open: number; overdue: number };
  handover?: { exists: boolean; acknowledgedAt: string | null };
  /** From tracking QA (modules/tracking-qa): the partner's tracking tests and what changed since the last pass. */
  trackingQa?: {
    lastPassedAt: string | null;
    last: {
      id: string;
      status: string;
      finishedAt: string;
      failedStep: string | null;
      summary: string | null;
    } | null;
    changedAfterPass: { what: string; at: string } | null;
    activeLinks: number;
  };
}

export interface Tick {
  tickedBy: { id: string; name: string };
  tickedAt: string;
  comment: string | null;
  evidence: { documentId?: string; url?: string } | null;
}

export type ItemOwner = { role: Role } | { system: true; actionBy: Role | null };

export interface GateItem {
  key: string;
  label: string;
  kind: 'manual' | 'system';
  blocking: boolean;
  state: ItemState;
  owner: ItemOwner;
  /** Why the item is not met (null when met). */
  reason: string | null;
  check?: SystemCheck;
  evidence?: 'optional' | 'required';
  tickedBy?: { id: string; name: string };
  tickedAt?: string;
  comment?: string | null;
  evidenceGiven?: { documentId?: string; url?: string } | null;
}

export interface GateEvaluation {
  stage: Stage;
  items: GateItem[];
  canAdvance: boolean;
  /** Blocking items that are not met, in template order. */
  blockers: GateItem[];
  next: Stage | null;
}

const ROLE_LABELS: Record<Role, string> = {
  admin: 'an admin',
  leadership: 'Leadership',
  team_lead: 'a Team Lead',
  bdm: 'the BDM',
  ops: 'Partner Operations',
  compliance: 'Compliance',
  finance: 'Finance',
  support: 'Support',
  partner: 'the partner',
  read_only: 'a read-only user',
};

export const DOCUMENT_LABELS: Record<string, string> = {
  identity: 'Identity document',
  proof_of_address: 'Proof of address',
  incorporation: 'Certificate of incorporation',
  ubo_declaration: 'UBO declaration',
  agreement: 'Partner agreement',
  tax_form: 'Tax form',
  other: 'Other document',
};

/** Who acts so that a system item becomes met (for "who owes it" and the pipeline's team filter). */
export const CHECK_ACTION_BY: Record<SystemCheck, Role | null> = {
  mandatory_fields: 'bdm',
  documents_approved: 'compliance',
  due_diligence_positive: 'compliance',
  terms_approved_accepted: 'bdm',
  agreement_signed: 'bdm',
  payout_verified: 'finance',
  tracking_qa_passed: 'ops',
  no_blocking_risk: 'compliance',
  stage_tasks_done: null,
  handover_acknowledged: 'support',
};

type Judged = { state: ItemState; reason: string | null };
const met: Judged = { state: 'met', reason: null };
const unmet = (reason: string): Judged => ({ state: 'unmet', reason });
const notAvailable = (reason: string): Judged => ({ state: 'not_available', reason });

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function documentProblem(type: string, d: NonNullable<GateFacts['documents']>): string | null {
  if (d.approved.includes(type)) return null;
  const label = DOCUMENT_LABELS[type] ?? type;
  const waiting = d.pending.includes(type);
  if (d.expired.includes(type)) {
    const on = d.expiredOn[type];
    const base = on ? `${label} expires on ${on} — already expired` : `${label} has expired`;
    return waiting ? `${base}; a new one is waiting for Compliance review` : `${base}; upload a current one`;
  }
  if (waiting) return `${label} uploaded, waiting for Compliance review`;
  if (d.present.includes(type)) return `${label} was rejected; upload a new one`;
  return `${label} not uploaded`;
}

function judgeSystem(item: SystemItem, stage: Stage, f: GateFacts): Judged {
  switch (item.check) {
    case 'mandatory_fields': {
      if (!f.fields) return notAvailable('The mandatory-field policy could not be evaluated');
      const parts: string[] = [];
      if (f.fields.stageMissing.length > 0) {
        parts.push(`Missing for this stage: ${f.fields.stageMissing.map((r) => r.label).join(', ')}`);
      }
      const already = new Set(f.fields.stageMissing.map((r) => r.field));
      const nextOnly = f.fields.nextMissing.filter((r) => !already.has(r.field));
      if (nextOnly.length > 0) {
        const next =
          f.fields.nextStage && f.fields.nextStage in STAGE_LABELS
            ? STAGE_LABELS[f.fields.nextStage as Stage]
            : 'the next stage';
        parts.push(`Missing for ${next}: ${nextOnly.map((r) => r.label).join(', ')}`);
      }
      return parts.length === 0 ? met : unmet(parts.join('; '));
    }
    case 'documents_approved': {
      if (!f.documents) return notAvailable('Document facts could not be read');
      const types = item.params?.types ?? [];
      if (types.length === 0) return notAvailable('This item names no document types; fix the template');
      const problems = types.map((t) =>
        documentProblem(t, f.documents as NonNullable<GateFacts['documents']>),
      );
      const open = problems.filter((p): p is string => p !== null);
      return open.length === 0 ? met : unmet(open.join('; '));
    }
    case 'agreement_signed': {
      if (!f.documents) return notAvailable('Document facts could not be read');
      const p = documentProblem('agreement', f.documents);
      return p === null ? met : unmet(p);
    }
    case 'due_diligence_positive': {
      const dd = f.dueDiligence;
      if (!dd) return notAvailable('Due-diligence facts could not be read');
      switch (dd.status) {
        case 'approved':
          return met;
        case 'none':
          return unmet('No due-diligence case has been opened yet');
        case 'open':
          return unmet('Due-diligence case open; Compliance has not decided yet');
        case 'more_requested':
          return unmet('Compliance requested more information; waiting for the answer');
        case 'rejected':
          return unmet(`Due diligence was rejected${dd.decidedAt ? ` on ${dd.decidedAt.slice(0, 10)}` : ''}`);
      }
      return notAvailable('Unknown due-diligence status');
    }
    case 'terms_approved_accepted': {
      const t = f.terms;
      if (!t) return notAvailable('Terms facts could not be read');
      if (t.hasTermsInForce) return met;
      if (t.awaitingAcceptance > 0) {
        return unmet(
          `Terms ${t.awaitingVersion !== null ? `v${t.awaitingVersion} ` : ''}approved but not accepted by the partner`,
        );
      }
      if (t.upcoming) {
        return unmet(
          `Terms v${t.upcoming.version} accepted but in force only from ${t.upcoming.effectiveFrom}`,
        );
      }
      if (t.pendingApproval > 0) {
        return unmet(
          `Terms proposed, waiting for approval (${plural(t.pendingApproval, 'version')} pending)`,
        );
      }
      return unmet('No commercial terms proposed yet');
    }
    case 'payout_verified': {
      const p = f.payout;
      if (!p) return notAvailable('Payout facts could not be read');
      if (p.verified) return met;
      return unmet(
        p.hasDetails
          ? 'Payout details recorded but not verified by Finance yet'
          : 'No payout details recorded yet',
      );
    }
    case 'tracking_qa_passed': {
      // Met only when the latest finished test passed, recently enough, and nothing in the setup changed since.
      const q = f.trackingQa;
      if (!q) return notAvailable('Tracking QA facts could not be read');
      if (!q.last) {
        return unmet(
          q.activeLinks === 0
            ? 'No active tracking link yet: create one, then run a tracking test'
            : 'No tracking test has been run yet: run one from the Tracking tab',
        );
      }
      const on = q.last.finishedAt.slice(0, 10);
      if (q.last.status !== 'passed') {
        const what = q.last.status === 'error' ? 'did not finish' : 'did not pass';
        return unmet(`The last tracking test (${on}) ${what}${q.last.summary ? ` — ${q.last.summary}` : ''}`);
      }
      const within = item.params?.withinDays;
      if (within !== undefined) {
        const age = Math.floor(
          (Date.parse(`${f.today}T00:00:00Z`) - Date.parse(`${on}T00:00:00Z`)) / 86_400_000,
        );
        if (age > within)
          return unmet(
            `The last pass was on ${on}, ${age} days ago (more than ${within}): run the test again`,
          );
      }
      if (q.changedAfterPass)
        return unmet(
          `The setup changed after the last pass (${q.changedAfterPass.what} on ${q.changedAfterPass.at.slice(0, 10)}): run the test again`,
        );
      return met;
    }
    case 'no_blocking_risk': {
      if (!f.risk) return notAvailable('Risk facts could not be read');
      const parts: string[] = [];
      if (f.risk.openBlocking > 0) parts.push(`${plural(f.risk.openBlocking, 'open blocking risk flag')}`);
      if (f.dueDiligence?.status === 'rejected') parts.push('the due-diligence case is rejected');
      return parts.length === 0 ? met : unmet(parts.join('; ').replace(/^./, (c) => c.toUpperCase()));
    }
    case 'stage_tasks_done': {
      const t = f.tasks;
      if (!t) return notAvailable('Task facts could not be read');
      if (t.open === 0) return met;
      return unmet(
        `${t.open} of ${plural(t.total, 'task')} of this stage still open${t.overdue > 0 ? ` (${t.overdue} overdue)` : ''}`,
      );
    }
    case 'handover_acknowledged': {
      if (stage !== 'handover') return notAvailable('A handover is acknowledged only in the Handover stage');
      const h = f.handover;
      if (!h) return notAvailable('Handover facts could not be read');
      if (!h.exists) return unmet('No handover record for this stage yet');
      return h.acknowledgedAt
        ? met
        : unmet('Handover not acknowledged yet by Support or the account manager');
    }
  }
  return notAvailable(`Unknown check "${(item as { check: string }).check}"`);
}

function evaluateItem(
  item: ChecklistItem,
  stage: Stage,
  facts: GateFacts,
  ticks: ReadonlyMap<string, Tick>,
): GateItem {
  if (item.kind === 'manual') {
    const tick = ticks.get(item.key);
    const base: GateItem = {
      key: item.key,
      label: item.label,
      kind: 'manual',
      blocking: item.blocking,
      owner: { role: item.role },
      ...(item.evidence ? { evidence: item.evidence } : {}),
      state: 'unmet',
      reason: null,
    };
    if (tick) {
      return {
        ...base,
        state: 'met',
        tickedBy: tick.tickedBy,
        tickedAt: tick.tickedAt,
        comment: tick.comment,
        evidenceGiven: tick.evidence,
      };
    }
    const withEvidence = item.evidence === 'required' ? ' with evidence' : '';
    return { ...base, reason: `Waiting for ${ROLE_LABELS[item.role]} to tick this${withEvidence}` };
  }
  const judged = judgeSystem(item, stage, facts);
  return {
    key: item.key,
    label: item.label,
    kind: 'system',
    check: item.check,
    blocking: item.blocking,
    owner: { system: true, actionBy: CHECK_ACTION_BY[item.check] ?? null },
    state: judged.state,
    reason: judged.reason,
  };
}

/** Stands in for the items of a gate stage whose partner type has no checklist template: it blocks. */
export const NO_TEMPLATE: GateItem = {
  key: 'checklist_template',
  label: 'Checklist template',
  kind: 'system',
  blocking: true,
  state: 'not_available',
  owner: { system: true, actionBy: 'admin' },
  reason: 'No checklist template is published for this partner type; an admin or Ops publishes one',
};

/**
 * The gate of `stage` under its template stage. Stages without a gate (active and the side states) have no
 * items and can never be advanced from.
 */
export function evaluateGate(
  stage: Stage,
  templateStage: TemplateStage | null,
  facts: GateFacts,
  ticks: ReadonlyMap<string, Tick>,
): GateEvaluation {
  const gated = isGateStage(stage);
  let items =
    gated && templateStage ? templateStage.items.map((i) => evaluateItem(i, stage, facts, ticks)) : [];
  if (gated && !templateStage) items = [NO_TEMPLATE];
  const blockers = items.filter((i) => i.blocking && i.state !== 'met');
  return { stage, items, canAdvance: gated && blockers.length === 0, blockers, next: nextStage(stage) };
}

/** The fact groups the items of a template stage read (so a loader reads only those). */
export function factsNeeded(templateStage: TemplateStage | null): Set<keyof Omit<GateFacts, 'today'>> {
  const out = new Set<keyof Omit<GateFacts, 'today'>>();
  for (const item of templateStage?.items ?? []) {
    if (item.kind !== 'system') continue;
    switch (item.check) {
      case 'mandatory_fields':
        out.add('fields');
        break;
      case 'documents_approved':
      case 'agreement_signed':
        out.add('documents');
        break;
      case 'due_diligence_positive':
        out.add('dueDiligence');
        break;
      case 'terms_approved_accepted':
        out.add('terms');
        break;
      case 'payout_verified':
        out.add('payout');
        break;
      case 'no_blocking_risk':
        out.add('risk');
        out.add('dueDiligence');
        break;
      case 'stage_tasks_done':
        out.add('tasks');
        break;
      case 'handover_acknowledged':
        out.add('handover');
        break;
      case 'tracking_qa_passed':
        out.add('trackingQa');
        break;
    }
  }
  return out;
}
