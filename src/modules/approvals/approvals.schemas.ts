// The approvals inbox: what is waiting on the signed-in person, oldest first.
import { z } from 'zod';

const partnerRef = z.object({ id: z.string(), displayName: z.string() });
const personRef = z.object({ id: z.string(), name: z.string() });

const common = {
  id: z.string().describe('The id of the thing to decide (terms version or document)'),
  partner: partnerRef,
  summary: z.string(),
  waitingSince: z.string(),
  ageSeconds: z.number().int(),
  age: z.string().describe('How long it has waited, for people ("3 days")'),
};

export const termsApprovalItemSchema = z.object({
  kind: z.literal('terms_approval'),
  ...common,
  version: z.number().int(),
  currency: z.string(),
  effectiveFrom: z.string(),
  requiredRole: z.enum(['bdm', 'team_lead', 'leadership']),
  proposedBy: personRef,
  proposedAt: z.string(),
});

export const documentReviewItemSchema = z.object({
  kind: z.literal('document_review'),
  ...common,
  documentType: z.string(),
  fileName: z.string(),
  uploadedBy: personRef,
  uploadedAt: z.string(),
});

export const inboxItemSchema = z
  .discriminatedUnion('kind', [termsApprovalItemSchema, documentReviewItemSchema])
  .meta({ id: 'ApprovalItem' });

export const inboxQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const inboxSchema = z
  .object({
    data: z.array(inboxItemSchema),
    counts: z
      .object({ terms: z.number().int(), documents: z.number().int() })
      .describe('All waiting items, before the limit'),
  })
  .meta({ id: 'ApprovalsInbox' });

export type InboxItem = z.infer<typeof inboxItemSchema>;
