// The onboarding path and its moves, as pure data and functions. A partner moves forward one stage at a time
// through a gate, back to any earlier stage of the path with a reason, or to a side state with a reason:
// rejected (from any stage before active), suspended (from active, resumed back to active), offboarded (from
// any state but offboarded; final). Active has no gate: an active partner is suspended or offboarded.
import { PARTNER_STAGES, type PartnerStage } from '../partners/index.ts';

export const STAGES = PARTNER_STAGES;
export type Stage = PartnerStage;

/** Stages with a gate, in order: leaving one of them forward requires its gate to hold. */
export const GATE_STAGES = [
  'intake',
  'due_diligence',
  'tracking_setup',
  'activation_readiness',
  'handover',
] as const;
export type GateStage = (typeof GATE_STAGES)[number];

export const PATH: readonly Stage[] = [...GATE_STAGES, 'active'];
export const TERMINAL_STAGES: readonly Stage[] = ['rejected', 'offboarded'];

export const STAGE_LABELS: Record<Stage, string> = {
  intake: 'Intake',
  due_diligence: 'Due diligence',
  tracking_setup: 'Tracking setup',
  activation_readiness: 'Activation readiness',
  handover: 'Handover',
  active: 'Active',
  rejected: 'Rejected',
  suspended: 'Suspended',
  offboarded: 'Offboarded',
};

export type MoveKind = 'advance' | 'back' | 'reject' | 'suspend' | 'resume' | 'offboard';
export const MOVE_KINDS: readonly MoveKind[] = ['advance', 'back', 'reject', 'suspend', 'resume', 'offboard'];

export interface Transition {
  move: MoveKind;
  to: Stage;
}

export function isStage(v: string): v is Stage {
  return (STAGES as readonly string[]).includes(v);
}

export function isGateStage(v: string): v is GateStage {
  return (GATE_STAGES as readonly string[]).includes(v);
}

/** The stage after `stage` on the path; null for active, side states and anything unknown. */
export function nextStage(stage: string): Stage | null {
  const i = PATH.indexOf(stage as Stage);
  return i >= 0 && i + 1 < PATH.length ? (PATH[i + 1] as Stage) : null;
}

/** The earlier stages of the path a partner in `stage` may be moved back to (none from active or side states). */
export function earlierStages(stage: string): Stage[] {
  if (!isGateStage(stage)) return [];
  return PATH.slice(0, PATH.indexOf(stage));
}

/** Every move allowed from `stage`, with where it leads. */
export function allowedTransitions(stage: string): Transition[] {
  const out: Transition[] = [];
  if (isGateStage(stage)) {
    const next = nextStage(stage);
    if (next) out.push({ move: 'advance', to: next });
    for (const s of earlierStages(stage)) out.push({ move: 'back', to: s });
    out.push({ move: 'reject', to: 'rejected' });
    out.push({ move: 'offboard', to: 'offboarded' });
  } else if (stage === 'active') {
    out.push({ move: 'suspend', to: 'suspended' });
    out.push({ move: 'offboard', to: 'offboarded' });
  } else if (stage === 'suspended') {
    out.push({ move: 'resume', to: 'active' });
    out.push({ move: 'offboard', to: 'offboarded' });
  } else if (stage === 'rejected') {
    out.push({ move: 'offboard', to: 'offboarded' });
  }
  return out;
}

/** Whether the move from `from` to `to` is allowed (the gate is checked separately for advance). */
export function canMove(from: string, move: MoveKind, to: string): boolean {
  return allowedTransitions(from).some((t) => t.move === move && t.to === to);
}

/** "advance to Due diligence; back to Intake; reject; offboard" — for 409 answers. */
export function describeAllowed(stage: string): string {
  const parts = allowedTransitions(stage).map((t) =>
    t.move === 'advance' || t.move === 'back' || t.move === 'resume'
      ? `${t.move} to ${STAGE_LABELS[t.to]}`
      : t.move,
  );
  return parts.length === 0 ? 'nothing (this state is final)' : parts.join('; ');
}

/** Whether the partner is still being onboarded (a gate stage). */
export function isOnboarding(stage: string): boolean {
  return isGateStage(stage);
}
