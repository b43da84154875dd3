import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Plan, planSchema } from './plan.schemas.ts';
import { diffPlans, formatBps, summarizePlan } from './plan-summary.ts';

const qualification = { minFtdMinor: 10_000, minLots: 100, withinDays: 30 };

function issuesOf(input: unknown): string[] {
  const r = planSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('planSchema', () => {
  it('accepts one plan of every model', () => {
    for (const plan of [
      { model: 'cpa', cpa: { amountMinor: 25_000, qualification } },
      { model: 'rebate', rebates: [{ group: 'fx_majors', amountPerLotMinor: 500 }] },
      { model: 'revshare', revshare: { shareBps: 3000, basis: 'net_revenue' }, holdingDays: 30 },
      {
        model: 'hybrid',
        cpa: {
          tiers: [{ amountMinor: 10_000 }, { minFtdMinor: 50_000, amountMinor: 20_000 }],
          qualification,
        },
        revshare: { shareBps: 1500, basis: 'spread' },
        subIbOverride: { perLotMinor: 100 },
        caps: { payoutPerMonthMinor: 1_000_000 },
      },
    ]) {
      expect(issuesOf(plan)).toEqual([]);
    }
  });

  it('names the exact field that is wrong', () => {
    expect(
      issuesOf({
        model: 'rebate',
        rebates: [
          { group: 'fx_majors', amountPerLotMinor: 500 },
          { group: 'metals', amountPerLotMinor: 700 },
          { group: 'crypto', amountPerLotMinor: 1.5 },
        ],
      }),
    ).toEqual(['rebates.2.amountPerLotMinor']);
    expect(
      issuesOf({
        model: 'rebate',
        rebates: [
          { group: 'metals', amountPerLotMinor: 500 },
          { group: 'metals', amountPerLotMinor: 700 },
        ],
      }),
    ).toEqual(['rebates.1.group']);
    expect(issuesOf({ model: 'revshare', revshare: { shareBps: 10_001, basis: 'net_revenue' } })).toEqual([
      'revshare.shareBps',
    ]);
    expect(
      issuesOf({ model: 'cpa', cpa: { amountMinor: 100, tiers: [{ amountMinor: 1 }], qualification } }),
    ).toEqual(['cpa.tiers']);
    expect(
      issuesOf({
        model: 'cpa',
        cpa: {
          tiers: [
            { minFtdMinor: 500, amountMinor: 1 },
            { minFtdMinor: 500, amountMinor: 2 },
          ],
          qualification,
        },
      }),
    ).toEqual(['cpa.tiers.1.minFtdMinor']);
    expect(
      issuesOf({
        model: 'cpa',
        cpa: {
          amountMinor: 100,
          qualification: { ...qualification, allowedCountries: ['DE'], excludedCountries: ['de', 'DE'] },
        },
      }),
    ).toEqual(['cpa.qualification.excludedCountries.0', 'cpa.qualification.excludedCountries.1']);
    expect(issuesOf({ model: 'hybrid', cpa: { amountMinor: 1, qualification } })).toEqual(['']);
    expect(issuesOf({ model: 'cpa', cpa: { amountMinor: 1, qualification }, subIbOverride: {} })).toEqual([
      'subIbOverride',
    ]);
    expect(issuesOf({ model: 'cpa', cpa: { amountMinor: 1, qualification }, surprise: true })).toEqual(['']);
    expect(issuesOf({ model: 'barter' })).toEqual(['model']);
  });
});

describe('summarizePlan', () => {
  it('reads like the deal', () => {
    const plan = planSchema.parse({
      model: 'cpa',
      cpa: { amountMinor: 25_000, qualification },
      subIbOverride: { shareBps: 1000 },
    });
    expect(summarizePlan(plan, 'USD')).toBe(
      'CPA 250.00 USD (FTD ≥ 100.00 USD, 1.00 lot in 30 days) + 10% sub-IB override',
    );

    const hybrid = planSchema.parse({
      model: 'hybrid',
      cpa: {
        tiers: [{ amountMinor: 15_000 }, { minFtdMinor: 100_000, amountMinor: 40_000 }],
        qualification: { minFtdMinor: 20_000, minLots: 250, withinDays: 60, excludedCountries: ['US', 'BE'] },
      },
      rebates: [
        { group: 'fx_majors', amountPerLotMinor: 500 },
        { group: 'metals', amountPerLotMinor: 750 },
      ],
      subIbOverride: { perLotMinor: 100, shareBps: 250 },
      caps: { payoutPerMonthMinor: 1_000_000 },
      holdingDays: 14,
    });
    expect(summarizePlan(hybrid, 'EUR')).toBe(
      'CPA 150.00 EUR / 400.00 EUR from FTD 1,000.00 EUR (FTD ≥ 200.00 EUR, 2.50 lots in 60 days; excl. US, BE)' +
        ' + Rebate per lot: FX majors 5.00 EUR, metals 7.50 EUR + 1.00 EUR/lot and 2.5% sub-IB override' +
        '; cap 10,000.00 EUR/month, 14-day hold',
    );

    const rev = planSchema.parse({ model: 'revshare', revshare: { shareBps: 3050, basis: 'commission' } });
    expect(summarizePlan(rev, 'JPY')).toBe('RevShare 30.5% of commission');
  });

  it('formats basis points exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (bps) => {
        const text = formatBps(bps);
        expect(text.endsWith('%')).toBe(true);
        expect(Math.round(Number(text.slice(0, -1)) * 100)).toBe(bps);
      }),
    );
  });
});

describe('diffPlans', () => {
  const base: Plan = planSchema.parse({
    model: 'rebate',
    rebates: [
      { group: 'fx_majors', amountPerLotMinor: 500 },
      { group: 'metals', amountPerLotMinor: 700 },
    ],
  });

  it('is empty for the same plan, whatever the order of rebate rows', () => {
    const reordered = planSchema.parse({
      ...base,
      rebates: [...(base.model === 'rebate' ? base.rebates : [])].reverse(),
    });
    expect(diffPlans({ plan: base, currency: 'USD' }, { plan: reordered, currency: 'USD' })).toEqual([]);
  });

  it('lists each changed field with its value before and after', () => {
    const next = planSchema.parse({
      model: 'rebate',
      rebates: [
        { group: 'fx_majors', amountPerLotMinor: 600 },
        { group: 'crypto', amountPerLotMinor: 200 },
      ],
      subIbOverride: { perLotMinor: 50 },
    });
    expect(diffPlans({ plan: base, currency: 'USD' }, { plan: next, currency: 'EUR' })).toEqual([
      { path: 'currency', before: 'USD', after: 'EUR' },
      { path: 'rebates[crypto].amountPerLotMinor', before: null, after: 200 },
      { path: 'rebates[fx_majors].amountPerLotMinor', before: 500, after: 600 },
      { path: 'rebates[metals].amountPerLotMinor', before: 700, after: null },
      { path: 'subIbOverride.perLotMinor', before: null, after: 50 },
    ]);
  });
});
