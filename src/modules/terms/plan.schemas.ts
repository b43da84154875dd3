// The commercial plan inside a terms version: a discriminated union on `model`. Money is integer minor units
// in the terms' currency, lots are integer hundredths, percentages are basis points (10000 = 100%).
import { z } from 'zod';

/** Upper bound for any amount in minor units: large enough for any real deal, far below 2^53. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

const amountMinor = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of minor units (cents)`)
    .min(0, `${what} cannot be negative`)
    .max(MAX_AMOUNT_MINOR, `${what} is unrealistically large`);

const bps = (what: string) =>
  z
    .number()
    .int(`${what} must be whole basis points (100 = 1%)`)
    .min(0, `${what} cannot be negative`)
    .max(10_000, `${what} cannot exceed 10000 basis points (100%)`);

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, such as DE');

export const INSTRUMENT_GROUPS = [
  'fx_majors',
  'fx_minors',
  'metals',
  'indices',
  'commodities',
  'crypto',
  'stocks',
  'energies',
] as const;
export type InstrumentGroup = (typeof INSTRUMENT_GROUPS)[number];

export const REVSHARE_BASES = ['net_revenue', 'spread', 'commission'] as const;

export const cpaQualificationSchema = z
  .object({
    minFtdMinor: amountMinor('The minimum FTD').describe('Minimum first-time deposit, in minor units'),
    minLots: z
      .number()
      .int('must be whole hundredths of a lot (1.25 lots = 125)')
      .min(0, 'cannot be negative')
      .max(100_000_000, 'is unrealistically large')
      .describe('Minimum traded volume in hundredths of a lot (100 = 1.00 lot)'),
    withinDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(3650, 'must be at most 3650 days')
      .describe('Days after the FTD within which the minimum lots must be traded'),
    allowedCountries: z
      .array(countryCodeSchema)
      .max(250)
      .optional()
      .describe('Only clients from these countries qualify'),
    excludedCountries: z
      .array(countryCodeSchema)
      .max(250)
      .optional()
      .describe('Clients from these countries never qualify'),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (const key of ['allowedCountries', 'excludedCountries'] as const) {
      const list = q[key] ?? [];
      const seen = new Set<string>();
      list.forEach((c, i) => {
        if (seen.has(c)) ctx.addIssue({ code: 'custom', path: [key, i], message: `${c} is listed twice` });
        seen.add(c);
      });
    }
    if (q.allowedCountries && q.allowedCountries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowedCountries'],
        message: 'leave it out, or list at least one country',
      });
    }
    const allowed = new Set(q.allowedCountries ?? []);
    (q.excludedCountries ?? []).forEach((c, i) => {
      if (allowed.has(c)) {
        ctx.addIssue({
          code: 'custom',
          path: ['excludedCountries', i],
          message: `${c} is both allowed and excluded`,
        });
      }
    });
  });

export const cpaTierSchema = z
  .object({
    minFtdMinor: amountMinor('The tier threshold')
      .optional()
      .describe(
        'This tier applies from this FTD upwards; only the first tier may leave it out (= from the minimum)',
      ),
    amountMinor: amountMinor('The CPA amount').describe('CPA paid per qualified FTD in this tier'),
  })
  .strict();

/**
 * CPA: either one amount per qualified FTD, or a deposit-tiered table where the tier with the highest
 * threshold at or below the client's FTD applies.
 */
export const cpaPartSchema = z
  .object({
    amountMinor: amountMinor('The CPA amount').optional().describe('A single CPA per qualified FTD'),
    tiers: z.array(cpaTierSchema).min(1, 'list at least one tier').max(20, 'at most 20 tiers').optional(),
    qualification: cpaQualificationSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.amountMinor === undefined) === (c.tiers === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: c.amountMinor === undefined ? ['amountMinor'] : ['tiers'],
        message: 'give either a single amountMinor or a tiers table, not both and not neither',
      });
    }
    let previous = -1;
    (c.tiers ?? []).forEach((tier, i) => {
      if (tier.minFtdMinor === undefined && i > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'minFtdMinor'],
          message: 'only the first tier may leave out its threshold',
        });
        return;
      }
      const threshold = tier.minFtdMinor ?? 0;
      if (threshold <= previous) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', i, 'minFtdMinor'],
          message: 'tier thresholds must strictly increase from one tier to the next',
        });
      }
      previous = threshold;
    });
  });

export const rebateRowSchema = z
  .object({
    group: z.enum(INSTRUMENT_GROUPS),
    amountPerLotMinor: amountMinor('The rebate').describe(
      'Paid per 1.00 lot traded in this instrument group',
    ),
  })
  .strict();

export const rebatesSchema = z
  .array(rebateRowSchema)
  .min(1, 'list at least one instrument group')
  .max(INSTRUMENT_GROUPS.length)
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      if (seen.has(r.group))
        ctx.addIssue({ code: 'custom', path: [i, 'group'], message: `${r.group} is listed twice` });
      seen.add(r.group);
    });
  });

export const revsharePartSchema = z
  .object({
    shareBps: bps('The share'),
    basis: z
      .enum(REVSHARE_BASES)
      .describe("What the share is taken of: the broker's net revenue, the spread, or its commission"),
  })
  .strict();

/** Paid to the parent IB on top of what its sub-IB earns (multi-tier override). */
export const subIbOverrideSchema = z
  .object({
    perLotMinor: amountMinor('The override')
      .optional()
      .describe('Override per 1.00 lot traded by the sub-IB’s clients'),
    shareBps: bps('The override share').optional().describe("Override as a share of the sub-IB's commission"),
  })
  .strict()
  .refine((o) => o.perLotMinor !== undefined || o.shareBps !== undefined, {
    message: 'give perLotMinor, shareBps or both',
  });

export const capsSchema = z
  .object({
    payoutPerMonthMinor: amountMinor('The monthly cap')
      .optional()
      .describe('Most the partner can earn in one month'),
    qualifiedFtdsPerMonth: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000)
      .optional()
      .describe('Most CPA conversions paid in one month'),
  })
  .strict()
  .refine((c) => c.payoutPerMonthMinor !== undefined || c.qualifiedFtdsPerMonth !== undefined, {
    message: 'give at least one cap, or leave caps out',
  });

const common = {
  subIbOverride: subIbOverrideSchema.optional(),
  caps: capsSchema.optional(),
  holdingDays: z
    .number()
    .int('must be a whole number of days')
    .min(0, 'cannot be negative')
    .max(365, 'must be at most 365 days')
    .optional()
    .describe('Commission is held this many days before it can be approved'),
};

export const cpaPlanSchema = z.object({ model: z.literal('cpa'), cpa: cpaPartSchema, ...common }).strict();
export const rebatePlanSchema = z
  .object({ model: z.literal('rebate'), rebates: rebatesSchema, ...common })
  .strict();
export const revsharePlanSchema = z
  .object({ model: z.literal('revshare'), revshare: revsharePartSchema, ...common })
  .strict();

/** Hybrid: at least two of the parts (CPA, RevShare, per-lot rebates), each paid on its own terms. */
export const hybridPlanSchema = z
  .object({
    model: z.literal('hybrid'),
    cpa: cpaPartSchema.optional(),
    revshare: revsharePartSchema.optional(),
    rebates: rebatesSchema.optional(),
    ...common,
  })
  .strict()
  .superRefine((p, ctx) => {
    const parts = [p.cpa, p.revshare, p.rebates].filter((x) => x !== undefined).length;
    if (parts < 2) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'a hybrid plan combines at least two of cpa, revshare and rebates; use a single model otherwise',
      });
    }
  });

export const planSchema = z
  .discriminatedUnion('model', [cpaPlanSchema, rebatePlanSchema, revsharePlanSchema, hybridPlanSchema])
  .meta({ id: 'CommissionPlan' });

export type Plan = z.infer<typeof planSchema>;
export type CpaPart = z.infer<typeof cpaPartSchema>;
export type RebateRow = z.infer<typeof rebateRowSchema>;
export type RevsharePart = z.infer<typeof revsharePartSchema>;
export type PlanModel = Plan['model'];

/** The parts a plan uses, whatever its model (a hybrid may use several). */
export function planParts(plan: Plan): { cpa?: CpaPart; revshare?: RevsharePart; rebates?: RebateRow[] } {
  switch (plan.model) {
    case 'cpa':
      return { cpa: plan.cpa };
    case 'rebate':
      return { rebates: plan.rebates };
    case 'revshare':
      return { revshare: plan.revshare };
    case 'hybrid':
      return { cpa: plan.cpa, revshare: plan.revshare, rebates: plan.rebates };
  }
}

/** Highest CPA per FTD the plan can pay (the single amount or the top tier). */
export function maxCpaMinor(cpa: CpaPart): number {
  if (cpa.amountMinor !== undefined) return cpa.amountMinor;
  return Math.max(0, ...(cpa.tiers ?? []).map((t) => t.amountMinor));
}
