// Request and response shapes of the stats API (GET /api/v1/stats): figures per day, partner, link and sub1
// read from the click and event rollups.
import { z } from 'zod';

export const STATS_GROUP_KEYS = ['day', 'partner', 'link', 'sub1'] as const;
export type StatsGroupKey = (typeof STATS_GROUP_KEYS)[number];

export const MAX_STATS_DAYS = 400;
export const MAX_STATS_LIMIT = 10_000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .optional();

export const statsQuerySchema = z.object({
  from: day.describe('First day (UTC, inclusive); default: 29 days before `to`'),
  to: day.describe('Last day (UTC, inclusive); default: today'),
  groupBy: z
    .string()
    .max(40)
    .regex(
      /^(day|partner|link|sub1)(,(day|partner|link|sub1)){0,3}$/,
      'use one or more of day, partner, link, sub1, comma separated',
    )
    .default('day')
    .describe('Group keys in sort order, comma separated: day, partner, link, sub1 (default: day)'),
  partnerId: z.string().trim().min(1).max(64).optional(),
  linkId: z.string().trim().min(1).max(64).optional(),
  sub1: z
    .string()
    .max(200)
    .optional()
    .describe('Only this sub1; an empty value selects clicks and events without sub1'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_STATS_LIMIT)
    .default(1000)
    .describe(`Groups per page (1–${MAX_STATS_LIMIT}, default 1000)`),
  cursor: z.string().max(2000).optional(),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;

const int = () => z.number().int();

export const statsMoneySchema = z
  .object({
    currency: z.string(),
    depositAmountMinor: int(),
    ftdAmountMinor: int(),
    withdrawalAmountMinor: int(),
    revenueMinor: int(),
    chargebackAmountMinor: int(),
  })
  .meta({ id: 'StatsMoney' });

export const statsRatesSchema = z
  .object({
    registrationsPerClickBp: int()
      .nullable()
      .describe('Registrations per click in basis points (1/100 of a percent); null without clicks'),
    ftdsPerRegistrationBp: int()
      .nullable()
      .describe('FTDs per registration in basis points; null without registrations'),
    qualifiedFtdsPerFtdBp: int()
      .nullable()
      .describe('Qualified FTDs per FTD in basis points; null without FTDs'),
  })
  .meta({ id: 'StatsRates' });

const figures = {
  clicks: int(),
  uniqueClicks: int().describe('Clicks that are neither duplicates nor bots'),
  bots: int(),
  registrations: int(),
  kycApproved: int(),
  ftds: int(),
  qualifiedFtds: int(),
  deposits: int(),
  withdrawals: int(),
  trades: int(),
  lots: int().describe('Traded volume in hundredths of a lot'),
  chargebacks: int(),
  money: z.array(statsMoneySchema).describe('Amounts in minor units, one entry per currency'),
  rates: statsRatesSchema,
};

export const statsFiguresSchema = z.object(figures).meta({ id: 'StatsFigures' });

export const statsRowSchema = z
  .object({
    day: z.string().optional().describe('Present when grouped by day'),
    partnerId: z.string().optional().describe('Present when grouped by partner'),
    linkId: z
      .string()
      .nullable()
      .optional()
      .describe('Present when grouped by link; null for events attributed without a link'),
    sub1: z.string().nullable().optional().describe('Present when grouped by sub1; null when none'),
    ...figures,
  })
  .meta({ id: 'StatsRow' });

export const statsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.array(z.enum(STATS_GROUP_KEYS)),
    data: z.array(statsRowSchema).describe('Groups with any activity, sorted by the group keys'),
    nextCursor: z.string().nullable(),
    totals: statsFiguresSchema
      .nullable()
      .describe(
        'The whole range under the filters, over every page; on the first page only (null with a cursor, so paging does not sum the range again for every page)',
      ),
  })
  .meta({ id: 'Stats' });
