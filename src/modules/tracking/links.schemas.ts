// Request and response shapes of tracking links, their stats and the click story.
import { z } from 'zod';

export const LINK_STATUSES = ['active', 'paused', 'archived'] as const;
export const CODE_RE = /^[A-Za-z0-9_-]{3,64}$/;

const countries = z
  .array(z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CY'))
  .max(250)
  .describe('ISO2 codes the link is meant for; empty = all countries');

export const linkParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const createLinkBodySchema = z
  .object({
    partnerId: z.string().trim().min(1).max(64),
    code: z
      .string()
      .regex(CODE_RE, 'use 3 to 64 letters, digits, "_" or "-"')
      .optional()
      .describe('Generated when absent; case-sensitive'),
    name: z.string().trim().min(1).max(200),
    landingUrl: z
      .string()
      .min(1)
      .max(2048)
      .describe('http(s) URL; may contain {click_id} and {sub1}..{sub5}'),
    campaign: z.string().trim().max(200).nullish(),
    allowedCountries: countries.optional(),
    programmeId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .nullish()
      .describe('The programme (attribution windows, FTD rules); absent or null = the default programme'),
  })
  .strict();

export const patchLinkBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    landingUrl: z.string().min(1).max(2048).optional(),
    campaign: z.string().trim().max(200).nullish(),
    allowedCountries: countries.optional(),
    programmeId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .nullish()
      .describe('The programme (attribution windows, FTD rules); absent or null = the default programme'),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('When sent, the change applies only to this version (else 409)'),
  })
  .strict();

export const listLinksQuerySchema = z.object({
  partnerId: z.string().trim().min(1).max(64).optional(),
  status: z.enum(LINK_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const linkSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    code: z.string(),
    name: z.string(),
    landingUrl: z.string(),
    campaign: z.string().nullable(),
    status: z.enum(LINK_STATUSES),
    allowedCountries: z.array(z.string()),
    programmeId: z.string().nullable(),
    trackingUrl: z.string().describe('The public URL to hand out: <origin>/c/{code}'),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Link' });

export const linkListSchema = z.object({ data: z.array(linkSchema), nextCursor: z.string().nullable() });

export const statsQuerySchema = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
    .optional(),
});

const counts = { clicks: z.number().int(), uniqueClicks: z.number().int(), bots: z.number().int() };
export const linkStatsSchema = z
  .object({
    linkId: z.string(),
    from: z.string(),
    to: z.string(),
    totals: z.object(counts),
    days: z.array(z.object({ day: z.string(), ...counts })),
    bySub1: z.array(z.object({ sub1: z.string(), ...counts })),
  })
  .meta({ id: 'LinkStats' });

export const clickParamsSchema = z.object({ clickId: z.string().min(1).max(64) });

export const clickSchema = z
  .object({
    id: z.string(),
    verified: z.literal(true).describe('The id carries a valid MAC: it was minted by this installation'),
    stored: z
      .boolean()
      .describe(
        'False when the raw click is gone (retention) or was never stored; time and link come from the id',
      ),
    time: z.string(),
    link: z.object({ id: z.string(), code: z.string(), name: z.string(), seq: z.number().int() }),
    partnerId: z.string(),
    ip: z.string().nullable().optional(),
    userAgent: z.string().nullable().optional(),
    referrer: z.string().nullable().optional(),
    country: z.string().nullable().optional(),
    geoAllowed: z.boolean().nullable().optional(),
    subs: z
      .object({
        sub1: z.string().nullable(),
        sub2: z.string().nullable(),
        sub3: z.string().nullable(),
        sub4: z.string().nullable(),
        sub5: z.string().nullable(),
      })
      .optional(),
    isBot: z.boolean().optional(),
    isDuplicate: z.boolean().optional(),
    isTest: z
      .boolean()
      .optional()
      .describe('The click of a tracking QA run: stored as evidence, never counted in stats'),
  })
  .meta({ id: 'Click' });
