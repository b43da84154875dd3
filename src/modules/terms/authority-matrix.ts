// The approval authority matrix: how far each role on the ladder (BDM < Team Lead < Leadership) may go, per
// currency and metric. The role a plan needs is the lowest one whose limits cover every metric the plan uses;
// Leadership (and Admin, which counts as Leadership) is unlimited.
import { AUTHORITY_LADDER, type Role } from '../../platform/auth/permissions.ts';
import { maxCpaMinor, type Plan, planParts } from './plan.schemas.ts';

export const AUTHORITY_METRICS = [
  'cpa_amount',
  'rebate_per_lot',
  'revshare_bps',
  'subib_override_per_lot',
  'subib_override_bps',
] as const;
export type AuthorityMetric = (typeof AUTHORITY_METRICS)[number];

/** Roles that can hold limits in the matrix; the top of the ladder is unlimited and has no rows. */
export const LIMITED_ROLES = ['bdm', 'team_lead'] as const;
export type LimitedRole = (typeof LIMITED_ROLES)[number];
export type ApproverRole = 'bdm' | 'team_lead' | 'leadership';

export interface AuthorityRow {
  role: LimitedRole;
  currency: string;
  metric: AuthorityMetric;
  /** Minor units of the currency for amounts; basis points for *_bps metrics. */
  maxValue: number;
}

export function isLimitedRole(v: string): v is LimitedRole {
  return (LIMITED_ROLES as readonly string[]).includes(v);
}
export function isAuthorityMetric(v: string): v is AuthorityMetric {
  return (AUTHORITY_METRICS as readonly string[]).includes(v);
}

/** Place on the ladder: bdm 0, team_lead 1, leadership and admin 2; any other role cannot approve terms (-1). */
export function authorityRank(role: Role | string): number {
  if (role === 'admin') return AUTHORITY_LADDER.indexOf('leadership');
  return AUTHORITY_LADDER.indexOf(role as Role);
}

export function roleCovers(actorRole: Role | string, required: ApproverRole | string): boolean {
  const rank = authorityRank(actorRole);
  return rank >= 0 && rank >= authorityRank(required);
}

/** The value of every metric the plan uses (a metric the plan does not use is absent). */
export function planMetrics(plan: Plan): Partial<Record<AuthorityMetric, number>> {
  const parts = planParts(plan);
  const m: Partial<Record<AuthorityMetric, number>> = {};
  if (parts.cpa) m.cpa_amount = maxCpaMinor(parts.cpa);
  if (parts.rebates) m.rebate_per_lot = Math.max(...parts.rebates.map((r) => r.amountPerLotMinor));
  if (parts.revshare) m.revshare_bps = parts.revshare.shareBps;
  if (plan.subIbOverride?.perLotMinor !== undefined)
    m.subib_override_per_lot = plan.subIbOverride.perLotMinor;
  if (plan.subIbOverride?.shareBps !== undefined) m.subib_override_bps = plan.subIbOverride.shareBps;
  return m;
}

/** Which limits of a role a plan exceeds (or has no row for), for messages. */
export function exceededLimits(
  plan: Plan,
  currency: string,
  role: LimitedRole,
  rows: readonly AuthorityRow[],
): { metric: AuthorityMetric; value: number; limit: number | null }[] {
  const out: { metric: AuthorityMetric; value: number; limit: number | null }[] = [];
  for (const [metric, value] of Object.entries(planMetrics(plan)) as [AuthorityMetric, number][]) {
    const row = rows.find((r) => r.role === role && r.currency === currency && r.metric === metric);
    if (!row || value > row.maxValue) out.push({ metric, value, limit: row ? row.maxValue : null });
  }
  return out;
}

/** The lowest role on the ladder allowed to approve the plan in this currency. */
export function requiredApproverRole(
  plan: Plan,
  currency: string,
  rows: readonly AuthorityRow[],
): ApproverRole {
  for (const role of LIMITED_ROLES) {
    if (exceededLimits(plan, currency, role, rows).length === 0) return role;
  }
  return 'leadership';
}

const major = (units: number) => units * 100;

/**
 * The defaults a new workspace starts with (USD and EUR). An admin replaces them with PUT
 * /api/v1/approval-authority; other currencies need rows before anyone below Leadership can approve in them.
 */
export function defaultAuthorityRows(): AuthorityRow[] {
  const limits: Record<LimitedRole, Record<AuthorityMetric, number>> = {
    bdm: {
      cpa_amount: major(300),
      rebate_per_lot: major(8),
      revshare_bps: 3000,
      subib_override_per_lot: major(1),
      subib_override_bps: 500,
    },
    team_lead: {
      cpa_amount: major(600),
      rebate_per_lot: major(15),
      revshare_bps: 4500,
      subib_override_per_lot: major(2),
      subib_override_bps: 1000,
    },
  };
  const rows: AuthorityRow[] = [];
  for (const currency of ['USD', 'EUR']) {
    for (const role of LIMITED_ROLES) {
      for (const metric of AUTHORITY_METRICS)
        rows.push({ role, currency, metric, maxValue: limits[role][metric] });
    }
  }
  return rows;
}
