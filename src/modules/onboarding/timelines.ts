// Activation timelines as a pure function over stage-history rows: per partner the time spent in each stage
// and from intake to active, and medians per stage and per BDM. "As of" a past instant, the answer is exactly
// what it would have been at that instant: rows entered later are ignored, exits after it count as open.
import type { Stage } from './stages.ts';

export interface TimelineRow {
  partnerId: string;
  stage: Stage;
  enteredAt: number;
  exitedAt: number | null;
  /** Entry time not known (recorded later for a partner already in the stage): left out of medians. */
  backfilled: boolean;
}

export interface StageSpan {
  durationMs: number;
  visits: number;
  /** The partner is in this stage at `asOf`. */
  open: boolean;
  /** Every visit's entry time is known. */
  exact: boolean;
}

export interface PartnerTimeline {
  partnerId: string;
  currentStage: Stage | null;
  stages: Partial<Record<Stage, StageSpan>>;
  intakeAt: number | null;
  activatedAt: number | null;
  /** From the first (exactly known) entry into intake to the first entry into active; null when either is missing. */
  intakeToActiveMs: number | null;
  firstAt: number;
  lastAt: number;
}

export interface Visit {
  partnerId: string;
  stage: Stage;
  enteredAt: number;
  /** The end of the visit, clipped to asOf. */
  endAt: number;
  completed: boolean;
  exact: boolean;
}

/** The rows as they stood at `asOf`. */
export function rowsAsOf(rows: readonly TimelineRow[], asOf: number): TimelineRow[] {
  return rows
    .filter((r) => r.enteredAt <= asOf)
    .map((r) => (r.exitedAt !== null && r.exitedAt > asOf ? { ...r, exitedAt: null } : r));
}

export function visitsAsOf(rows: readonly TimelineRow[], asOf: number): Visit[] {
  return rowsAsOf(rows, asOf).map((r) => ({
    partnerId: r.partnerId,
    stage: r.stage,
    enteredAt: r.enteredAt,
    endAt: r.exitedAt ?? asOf,
    completed: r.exitedAt !== null,
    exact: !r.backfilled,
  }));
}

export function partnerTimelines(rows: readonly TimelineRow[], asOf: number): PartnerTimeline[] {
  const byPartner = new Map<string, Visit[]>();
  for (const v of visitsAsOf(rows, asOf)) {
    const list = byPartner.get(v.partnerId) ?? [];
    list.push(v);
    byPartner.set(v.partnerId, list);
  }
  const out: PartnerTimeline[] = [];
  for (const [partnerId, visits] of byPartner) {
    visits.sort((a, b) => a.enteredAt - b.enteredAt || a.endAt - b.endAt);
    const stages: Partial<Record<Stage, StageSpan>> = {};
    for (const v of visits) {
      const s = stages[v.stage] ?? { durationMs: 0, visits: 0, open: false, exact: true };
      s.durationMs += v.endAt - v.enteredAt;
      s.visits += 1;
      s.open ||= !v.completed;
      s.exact &&= v.exact;
      stages[v.stage] = s;
    }
    const intake = visits.find((v) => v.stage === 'intake');
    const active = visits.find((v) => v.stage === 'active');
    const intakeAt = intake?.exact ? intake.enteredAt : null;
    const activatedAt = active ? active.enteredAt : null;
    const open = visits.find((v) => !v.completed);
    out.push({
      partnerId,
      currentStage: open ? open.stage : null,
      stages,
      intakeAt,
      activatedAt,
      intakeToActiveMs:
        intakeAt !== null && activatedAt !== null && activatedAt >= intakeAt ? activatedAt - intakeAt : null,
      firstAt: visits[0]?.enteredAt ?? asOf,
      lastAt: Math.max(...visits.map((v) => v.endAt)),
    });
  }
  return out.sort((a, b) => a.firstAt - b.firstAt || (a.partnerId < b.partnerId ? -1 : 1));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface TimelineSummary {
  /** Completed, exactly known visits that ended within the window, per stage. */
  stages: { stage: Stage; visits: number; medianMs: number | null }[];
  /** Partners activated within the window whose intake entry is exactly known. */
  intakeToActive: { activations: number; medianMs: number | null };
  byOwner: {
    ownerId: string | null;
    activations: number;
    medianIntakeToActiveMs: number | null;
    stages: { stage: Stage; visits: number; medianMs: number | null }[];
  }[];
}

function stageMedians(visits: Visit[], stages: readonly Stage[]) {
  return stages.map((stage) => {
    const d = visits.filter((v) => v.stage === stage).map((v) => v.endAt - v.enteredAt);
    return { stage, visits: d.length, medianMs: median(d) };
  });
}

/**
 * Medians over a window [from, to): stage visits that were completed within it, and activations within it.
 * Everything is computed from the rows as they stood at asOf.
 */
export function summarizeTimelines(
  rows: readonly TimelineRow[],
  ownerOf: ReadonlyMap<string, string | null>,
  opts: { asOf: number; from: number | null; to: number | null },
  stages: readonly Stage[],
): TimelineSummary {
  const from = opts.from ?? Number.NEGATIVE_INFINITY;
  const to = opts.to ?? Number.POSITIVE_INFINITY;
  const visits = visitsAsOf(rows, opts.asOf).filter(
    (v) => v.completed && v.exact && v.endAt >= from && v.endAt < to,
  );
  const activated = partnerTimelines(rows, opts.asOf).filter(
    (p) => p.intakeToActiveMs !== null && (p.activatedAt as number) >= from && (p.activatedAt as number) < to,
  );
  const owners = [...new Set([...ownerOf.values()])].sort((a, b) => String(a).localeCompare(String(b)));
  return {
    stages: stageMedians(visits, stages),
    intakeToActive: {
      activations: activated.length,
      medianMs: median(activated.map((p) => p.intakeToActiveMs as number)),
    },
    byOwner: owners.map((ownerId) => {
      const mine = activated.filter((p) => (ownerOf.get(p.partnerId) ?? null) === ownerId);
      return {
        ownerId,
        activations: mine.length,
        medianIntakeToActiveMs: median(mine.map((p) => p.intakeToActiveMs as number)),
        stages: stageMedians(
          visits.filter((v) => (ownerOf.get(v.partnerId) ?? null) === ownerId),
          stages,
        ),
      };
    }),
  };
}
