import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorityProblems } from './authority.service.ts';
import {
  AUTHORITY_METRICS,
  type AuthorityRow,
  authorityRank,
  defaultAuthorityRows,
  LIMITED_ROLES,
  planMetrics,
  requiredApproverRole,
  roleCovers,
} from './authority-matrix.ts';
import { INSTRUMENT_GROUPS, type Plan, planSchema } from './plan.schemas.ts';

const amount = fc.integer({ min: 0, max: 200_000 });
const bps = fc.integer({ min: 0, max: 10_000 });

const cpaArb = fc.record({
  amountMinor: amount,
  qualification: fc.record({
    minFtdMinor: amount,
    minLots: fc.integer({ min: 0, max: 1000 }),
    withinDays: fc.integer({ min: 1, max: 90 }),
  }),
});
const tieredCpaArb = fc.array(amount, { minLength: 1, maxLength: 4 }).chain((amounts) =>
  fc.record({
    tiers: fc.constant(amounts.map((a, i) => ({ minFtdMinor: i * 50_000, amountMinor: a }))),
    qualification: fc.constant({ minFtdMinor: 10_000, minLots: 100, withinDays: 30 }),
  }),
);
const rebatesArb = fc
  .uniqueArray(fc.constantFrom(...INSTRUMENT_GROUPS), { minLength: 1, maxLength: 8 })
  .chain((groups) => fc.tuple(...groups.map((g) => amount.map((a) => ({ group: g, amountPerLotMinor: a })))));
const revshareArb = fc.record({
  shareBps: bps,
  basis: fc.constantFrom('net_revenue', 'spread', 'commission'),
});
const overrideArb = fc.option(
  fc.oneof(
    fc.record({ perLotMinor: amount }),
    fc.record({ shareBps: bps }),
    fc.record({ perLotMinor: amount, shareBps: bps }),
  ),
  { nil: undefined },
);

const planArb: fc.Arbitrary<Plan> = fc
  .tuple(
    fc.oneof(
      fc.record({ model: fc.constant('cpa' as const), cpa: fc.oneof(cpaArb, tieredCpaArb) }),
      fc.record({ model: fc.constant('rebate' as const), rebates: rebatesArb }),
      fc.record({ model: fc.constant('revshare' as const), revshare: revshareArb }),
      fc.record({ model: fc.constant('hybrid' as const), cpa: cpaArb, revshare: revshareArb }),
      fc.record({ model: fc.constant('hybrid' as const), revshare: revshareArb, rebates: rebatesArb }),
    ),
    overrideArb,
  )
  .map(([base, subIbOverride]) => planSchema.parse(subIbOverride ? { ...base, subIbOverride } : base));

// A matrix holds at most one row per (role, currency, metric): the API refuses duplicates and the table has a
// unique key, so the generator keeps the same invariant.
const rowsArb: fc.Arbitrary<AuthorityRow[]> = fc.uniqueArray(
  fc.record({
    role: fc.constantFrom(...LIMITED_ROLES),
    currency: fc.constantFrom('USD', 'EUR'),
    metric: fc.constantFrom(...AUTHORITY_METRICS),
    maxValue: fc.integer({ min: 0, max: 200_000 }),
  }),
  { maxLength: 30, selector: (r) => `${r.role}|${r.currency}|${r.metric}` },
);

/** Raises the n-th amount-like number in the plan (CPA amounts, rebates, shares, overrides) by `by`. */
function raise(plan: Plan, n: number, by: number): Plan {
  const copy = structuredClone(plan) as Record<string, unknown>;
  const slots: { obj: Record<string, unknown>; key: string; max: number }[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        if (k === 'qualification' || k === 'caps') continue;
        if (typeof x === 'number' && ['amountMinor', 'amountPerLotMinor', 'perLotMinor'].includes(k)) {
          slots.push({ obj: o, key: k, max: 1_000_000_000_000 });
        } else if (typeof x === 'number' && k === 'shareBps') slots.push({ obj: o, key: k, max: 10_000 });
        else visit(x);
      }
    }
  };
  visit(copy);
  const slot = slots[n % slots.length];
  if (slot) slot.obj[slot.key] = Math.min(slot.max, (slot.obj[slot.key] as number) + by);
  return planSchema.parse(copy);
}

const cpa = (amountMinor: number): Plan =>
  planSchema.parse({
    model: 'cpa',
    cpa: { amountMinor, qualification: { minFtdMinor: 10_000, minLots: 100, withinDays: 30 } },
  });

describe('requiredApproverRole', () => {
  const rows = defaultAuthorityRows();

  it('follows the default matrix at its edges', () => {
    expect(requiredApproverRole(cpa(30_000), 'USD', rows)).toBe('bdm');
    expect(requiredApproverRole(cpa(30_001), 'USD', rows)).toBe('team_lead');
    expect(requiredApproverRole(cpa(60_000), 'EUR', rows)).toBe('team_lead');
    expect(requiredApproverRole(cpa(60_001), 'EUR', rows)).toBe('leadership');
    // No rows for GBP: nobody below Leadership can approve in it.
    expect(requiredApproverRole(cpa(100), 'GBP', rows)).toBe('leadership');
    const rev = (shareBps: number, override?: object) =>
      planSchema.parse({
        model: 'revshare',
        revshare: { shareBps, basis: 'net_revenue' },
        ...(override ? { subIbOverride: override } : {}),
      });
    expect(requiredApproverRole(rev(3000), 'USD', rows)).toBe('bdm');
    expect(requiredApproverRole(rev(3001), 'USD', rows)).toBe('team_lead');
    expect(requiredApproverRole(rev(2000, { shareBps: 600 }), 'USD', rows)).toBe('team_lead');
    expect(requiredApproverRole(rev(2000, { perLotMinor: 201 }), 'USD', rows)).toBe('leadership');
    const rebate = planSchema.parse({
      model: 'rebate',
      rebates: [
        { group: 'fx_majors', amountPerLotMinor: 500 },
        { group: 'metals', amountPerLotMinor: 900 },
      ],
    });
    expect(requiredApproverRole(rebate, 'USD', rows)).toBe('team_lead');
  });

  it('uses the top tier of a tiered CPA', () => {
    const tiered = planSchema.parse({
      model: 'cpa',
      cpa: {
        tiers: [{ amountMinor: 20_000 }, { minFtdMinor: 100_000, amountMinor: 45_000 }],
        qualification: { minFtdMinor: 10_000, minLots: 100, withinDays: 30 },
      },
    });
    expect(planMetrics(tiered).cpa_amount).toBe(45_000);
    expect(requiredApproverRole(tiered, 'USD', rows)).toBe('team_lead');
  });

  it('asks for Leadership when a role has no row for a metric the plan uses', () => {
    const onlyCpa: AuthorityRow[] = [
      { role: 'bdm', currency: 'USD', metric: 'cpa_amount', maxValue: 50_000 },
    ];
    expect(requiredApproverRole(cpa(100), 'USD', onlyCpa)).toBe('bdm');
    const withOverride = planSchema.parse({ ...cpa(100), subIbOverride: { shareBps: 1 } });
    expect(requiredApproverRole(withOverride, 'USD', onlyCpa)).toBe('leadership');
    expect(requiredApproverRole(cpa(100), 'USD', [])).toBe('leadership');
  });

  it('is monotonic: raising any amount never lowers the required role', () => {
    fc.assert(
      fc.property(
        planArb,
        rowsArb,
        fc.nat(),
        fc.integer({ min: 1, max: 100_000 }),
        (plan, matrix, slot, by) => {
          const before = requiredApproverRole(plan, 'USD', matrix);
          const after = requiredApproverRole(raise(plan, slot, by), 'USD', matrix);
          expect(authorityRank(after)).toBeGreaterThanOrEqual(authorityRank(before));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names a role that covers every metric the plan uses, and no lower role does', () => {
    fc.assert(
      fc.property(planArb, rowsArb, (plan, matrix) => {
        const role = requiredApproverRole(plan, 'USD', matrix);
        const covers = (r: 'bdm' | 'team_lead') =>
          Object.entries(planMetrics(plan)).every(([metric, value]) =>
            matrix.some(
              (x) =>
                x.role === r &&
                x.currency === 'USD' &&
                x.metric === metric &&
                (value as number) <= x.maxValue,
            ),
          );
        if (role !== 'leadership') expect(covers(role)).toBe(true);
        for (const lower of LIMITED_ROLES.slice(0, Math.max(0, authorityRank(role))))
          expect(covers(lower)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the authority ladder', () => {
  it('ranks admin with leadership and lets higher roles decide lower requirements', () => {
    expect(roleCovers('admin', 'leadership')).toBe(true);
    expect(roleCovers('leadership', 'team_lead')).toBe(true);
    expect(roleCovers('team_lead', 'bdm')).toBe(true);
    expect(roleCovers('bdm', 'team_lead')).toBe(false);
    expect(roleCovers('ops', 'bdm')).toBe(false);
    expect(roleCovers('partner', 'bdm')).toBe(false);
  });
});

describe('authorityProblems', () => {
  it('accepts the defaults', () => {
    expect(authorityProblems(defaultAuthorityRows())).toEqual([]);
  });

  it('names duplicate rows, a BDM above its Team Lead, a missing Team Lead row and bps above 100%', () => {
    const problems = authorityProblems([
      { role: 'bdm', currency: 'USD', metric: 'cpa_amount', maxValue: 50_000 },
      { role: 'team_lead', currency: 'USD', metric: 'cpa_amount', maxValue: 40_000 },
      { role: 'team_lead', currency: 'USD', metric: 'cpa_amount', maxValue: 90_000 },
      { role: 'bdm', currency: 'EUR', metric: 'rebate_per_lot', maxValue: 800 },
      { role: 'team_lead', currency: 'USD', metric: 'revshare_bps', maxValue: 12_000 },
    ]);
    expect(problems.map((p) => p.field).sort()).toEqual([
      'body.rows.0.maxValue',
      'body.rows.2',
      'body.rows.3',
      'body.rows.4.maxValue',
    ]);
  });
});
