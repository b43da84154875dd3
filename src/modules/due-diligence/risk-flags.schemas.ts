// Request and response shapes of risk flags.
import { z } from 'zod';
import { personRef } from './dd.schemas.ts';

export const RISK_CATEGORIES = ['tracking', 'fraud', 'compliance', 'payout', 'other'] as const;
export const RISK_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const RISK_STATUSES = ['open', 'resolved'] as const;

export const riskFlagParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const raiseRiskFlagBodySchema = z
  .object({
    partnerId: z.string().trim().min(1).max(64),
    category: z.enum(RISK_CATEGORIES),
    severity: z.enum(RISK_SEVERITIES),
    blocking: z.boolean().describe('Blocks activation and payouts until resolved'),
    title: z.string().trim().min(1).max(200),
    details: z.string().trim().max(4000).nullish(),
  })
  .strict();

export const resolveRiskFlagBodySchema = z
  .object({ resolution: z.string().trim().min(1, 'say how the flag was resolved').max(4000) })
  .strict();

export const listRiskFlagsQuerySchema = z.object({
  partnerId: z.string().trim().min(1).max(64).optional(),
  status: z.enum(RISK_STATUSES).optional(),
  severity: z.enum(RISK_SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const riskFlagSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    partner: z.object({ id: z.string(), displayName: z.string() }),
    category: z.enum(RISK_CATEGORIES),
    severity: z.enum(RISK_SEVERITIES),
    blocking: z.boolean(),
    title: z.string(),
    details: z.string().nullable(),
    status: z.enum(RISK_STATUSES),
    raisedBy: personRef,
    raisedAt: z.string(),
    resolution: z.string().nullable(),
    resolvedBy: personRef.nullable(),
    resolvedAt: z.string().nullable(),
  })
  .meta({ id: 'RiskFlag' });

export const riskFlagListSchema = z.object({
  data: z.array(riskFlagSchema),
  nextCursor: z.string().nullable(),
});
