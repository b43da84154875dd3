// Plain-language views of a plan: the one-line summary shown wherever a terms version appears, and the
// field-by-field difference between two versions (what a reviewer or the partner has to look at).
import { formatLots, formatMoney } from '../../platform/money.ts';
import { type CpaPart, type Plan, planParts, type RebateRow, type RevsharePart } from './plan.schemas.ts';

const GROUP_LABELS: Record<RebateRow['group'], string> = {
  fx_majors: 'FX majors',
  fx_minors: 'FX minors',
  metals: 'metals',
  indices: 'indices',
  commodities: 'commodities',
  crypto: 'crypto',
  stocks: 'stocks',
  energies: 'energies',
};

const BASIS_LABELS: Record<RevsharePart['basis'], string> = {
  net_revenue: 'net revenue',
  spread: 'spread',
  commission: 'commission',
};

/** 1000 bps -> "10%", 1250 -> "12.5%", 5 -> "0.05%". */
export function formatBps(bps: number): string {
  const whole = Math.trunc(bps / 100);
  const frac = String(bps % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}%`;
}

function lotsLabel(hundredths: number): string {
  return `${formatLots(hundredths)} ${hundredths === 100 ? 'lot' : 'lots'}`;
}

function qualificationLabel(cpa: CpaPart, currency: string): string {
  const q = cpa.qualification;
  const days = `${q.withinDays} ${q.withinDays === 1 ? 'day' : 'days'}`;
  const parts = [
    `FTD ≥ ${formatMoney({ amountMinor: q.minFtdMinor, currency })}, ${lotsLabel(q.minLots)} in ${days}`,
  ];
  if (q.allowedCountries?.length) parts.push(`only ${q.allowedCountries.join(', ')}`);
  if (q.excludedCountries?.length) parts.push(`excl. ${q.excludedCountries.join(', ')}`);
  return parts.join('; ');
}

function cpaLabel(cpa: CpaPart, currency: string): string {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency });
  if (cpa.amountMinor !== undefined)
    return `CPA ${money(cpa.amountMinor)} (${qualificationLabel(cpa, currency)})`;
  const tiers = (cpa.tiers ?? []).map((t, i) =>
    i === 0 && !t.minFtdMinor
      ? money(t.amountMinor)
      : `${money(t.amountMinor)} from FTD ${money(t.minFtdMinor ?? 0)}`,
  );
  return `CPA ${tiers.join(' / ')} (${qualificationLabel(cpa, currency)})`;
}

function rebatesLabel(rows: RebateRow[], currency: string): string {
  return `Rebate per lot: ${rows.map((r) => `${GROUP_LABELS[r.group]} ${formatMoney({ amountMinor: r.amountPerLotMinor, currency })}`).join(', ')}`;
}

function revshareLabel(r: RevsharePart): string {
  return `RevShare ${formatBps(r.shareBps)} of ${BASIS_LABELS[r.basis]}`;
}

/**
 * One line a person can read, e.g.
 * "CPA 250.00 USD (FTD ≥ 100.00 USD, 1.00 lot in 30 days) + 10% sub-IB override".
 */
export function summarizePlan(plan: Plan, currency: string): string {
  const parts = planParts(plan);
  const main: string[] = [];
  if (parts.cpa) main.push(cpaLabel(parts.cpa, currency));
  if (parts.revshare) main.push(revshareLabel(parts.revshare));
  if (parts.rebates) main.push(rebatesLabel(parts.rebates, currency));
  let line = main.join(' + ');
  const o = plan.subIbOverride;
  if (o) {
    const bits: string[] = [];
    if (o.perLotMinor !== undefined)
      bits.push(`${formatMoney({ amountMinor: o.perLotMinor, currency })}/lot`);
    if (o.shareBps !== undefined) bits.push(formatBps(o.shareBps));
    line += ` + ${bits.join(' and ')} sub-IB override`;
  }
  const extras: string[] = [];
  if (plan.caps?.payoutPerMonthMinor !== undefined) {
    extras.push(`cap ${formatMoney({ amountMinor: plan.caps.payoutPerMonthMinor, currency })}/month`);
  }
  if (plan.caps?.qualifiedFtdsPerMonth !== undefined)
    extras.push(`cap ${plan.caps.qualifiedFtdsPerMonth} CPA/month`);
  if (plan.holdingDays) extras.push(`${plan.holdingDays}-day hold`);
  if (extras.length > 0) line += `; ${extras.join(', ')}`;
  return line;
}

export interface PlanChange {
  /** Where in the plan, e.g. "cpa.qualification.minFtdMinor", "rebates[metals].amountPerLotMinor", "currency". */
  path: string;
  before: unknown;
  after: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens a plan into path → leaf value. Rebates are keyed by instrument group, so reordering is no change. */
function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    if (value.every((v) => isPlainObject(v) && typeof v.group === 'string')) {
      for (const v of value as Record<string, unknown>[]) {
        const { group, ...rest } = v;
        flatten(rest, `${path}[${String(group)}]`, out);
      }
      return;
    }
    if (value.every(isPlainObject)) {
      value.forEach((v, i) => {
        flatten(v, `${path}[${i}]`, out);
      });
      return;
    }
    out.set(path, value);
    return;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, value);
}

/** What changed from one version to the next (plan fields, plus the currency). Sorted by path. */
export function diffPlans(
  before: { plan: Plan; currency: string },
  after: { plan: Plan; currency: string },
): PlanChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten({ currency: before.currency, ...before.plan }, '', a);
  flatten({ currency: after.currency, ...after.plan }, '', b);
  const changes: PlanChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.has(path) ? a.get(path) : null;
    const y = b.has(path) ? b.get(path) : null;
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ path, before: x ?? null, after: y ?? null });
  }
  return changes;
}
