// Request and response shapes of event sources, events, clients, the inbox, attribution decisions and
// programmes.
import { z } from 'zod';
import { currencySchema } from '../../platform/money.ts';
import { deliverySchema } from '../postbacks/index.ts';
import { clickStorySchema } from '../tracking/index.ts';
import { EVENT_TYPES } from './ingest-plan.ts';

export const SOURCE_KINDS = ['back_office', 'crm', 'payments', 'other'] as const;
export const ATTRIBUTIONS = ['click', 'referral', 'client', 'manual', 'none'] as const;

const id = z.string().min(1).max(64);
const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = z.string().max(200).optional();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const idParamsSchema = z.object({ id });

export const eventSourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(SOURCE_KINDS),
    description: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    tokenHint: z.string().describe('The last 4 characters of the token'),
    signed: z.boolean().describe('Requests to /postback must carry a valid X-Partnerdesk-Signature'),
    lastEventAt: z.string().nullable(),
    postbackUrl: z.string().describe('The inbound postback URL template for this source (token included)'),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number(),
  })
  .meta({ id: 'EventSource' });

export const eventSourceWithSecretsSchema = eventSourceSchema
  .extend({
    token: z.string().describe('Shown once: store it in the source system now'),
    signingSecret: z.string().nullable().describe('Shown once when signing is on'),
  })
  .meta({ id: 'EventSourceWithSecrets' });

export const createSourceBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(SOURCE_KINDS).default('back_office'),
    description: z.string().trim().max(2000).nullish(),
    signed: z.boolean().default(false).describe('Require an HMAC-SHA256 signature on /postback requests'),
  })
  .strict();

export const patchSourceBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(2000).nullish(),
    status: z.enum(['active', 'disabled']).optional(),
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const rotateBodySchema = z
  .object({
    signed: z
      .boolean()
      .optional()
      .describe('Turn signing on (a new secret) or off; absent = keep as is (a new secret if on)'),
  })
  .strict()
  .nullish();

export const sourceListSchema = z.object({ data: z.array(eventSourceSchema) });

export const eventResultSchema = z
  .object({
    eventId: z.string(),
    status: z.enum(['accepted', 'duplicate']).describe('duplicate: a replay; nothing was written'),
    partnerId: z.string().nullable(),
    attribution: z.enum(ATTRIBUTIONS),
    attributionNote: z.string().nullable(),
    isFtd: z.boolean(),
    isQualifiedFtd: z.boolean(),
  })
  .meta({ id: 'EventResult' });

export const batchBodySchema = z
  .object({
    sourceId: id.describe('The event source these events come from'),
    events: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(1000)
      .describe(
        'Each: type, txid, clickId?, clientId?, referralCode?, amount? (decimal string, major units), currency?, lots? (decimal), instrumentGroup?, revenue?, occurredAt? (ISO or Unix seconds), country?, test?',
      ),
  })
  .strict();

export const batchResultSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  results: z.array(eventResultSchema),
});

export const eventSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    type: z.enum(EVENT_TYPES),
    txid: z.string(),
    occurredAt: z.string(),
    receivedAt: z.string(),
    clientId: z.string().nullable(),
    clientExternalId: z.string().nullable(),
    clickId: z.string().nullable(),
    partnerId: z.string().nullable(),
    linkId: z.string().nullable(),
    subs: z.array(z.string().nullable()),
    country: z.string().nullable(),
    attribution: z.enum(ATTRIBUTIONS),
    attributionNote: z.string().nullable(),
    amountMinor: z.number().nullable(),
    currency: z.string().nullable(),
    lots: z.number().nullable().describe('Hundredths of a lot'),
    instrumentGroup: z.string().nullable(),
    revenueMinor: z.number().nullable(),
    isFtd: z.boolean(),
    isQualifiedFtd: z.boolean(),
    isTest: z.boolean(),
    trackingTestId: z.string().nullable(),
  })
  .meta({ id: 'Event' });

export const listEventsQuerySchema = z.object({
  partnerId: id.optional(),
  sourceId: id.optional(),
  clientId: id.optional(),
  clickId: z.string().max(64).optional(),
  type: z.enum(EVENT_TYPES).optional(),
  attribution: z.enum(ATTRIBUTIONS).optional(),
  test: bool.optional(),
  limit,
  cursor,
});
export const eventListSchema = z.object({ data: z.array(eventSchema), nextCursor: z.string().nullable() });

export const clientSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    partnerId: z.string().nullable(),
    linkId: z.string().nullable(),
    clickId: z.string().nullable(),
    attribution: z.enum(ATTRIBUTIONS),
    attributedAt: z.string().nullable(),
    country: z.string().nullable(),
    firstEventAt: z.string(),
    programmeId: z.string().nullable(),
    ftdAt: z.string().nullable(),
    ftdAmountMinor: z.number().nullable(),
    ftdCurrency: z.string().nullable(),
    qualifiedAt: z.string().nullable(),
    isTest: z.boolean(),
    version: z.number(),
  })
  .meta({ id: 'Client' });

export const decisionSchema = z
  .object({
    id: z.string(),
    clientId: z.string(),
    fromPartnerId: z.string().nullable(),
    toPartnerId: z.string(),
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    version: z.number(),
  })
  .meta({ id: 'AttributionDecision' });

export const clientDetailSchema = clientSchema
  .extend({ events: z.array(eventSchema), decisions: z.array(decisionSchema) })
  .meta({ id: 'ClientDetail' });

export const listClientsQuerySchema = z.object({
  partnerId: id.optional(),
  externalId: z.string().max(128).optional(),
  attribution: z.enum(ATTRIBUTIONS).optional(),
  limit,
  cursor,
});
export const clientListSchema = z.object({ data: z.array(clientSchema), nextCursor: z.string().nullable() });

export const requestDecisionBodySchema = z
  .object({
    partnerId: id.describe('The partner the client should belong to'),
    reason: z.string().trim().min(5, 'must say why (at least 5 characters)').max(2000),
  })
  .strict();
export const decideBodySchema = z
  .object({ note: z.string().trim().max(2000).nullish(), version: z.number().int().min(1).optional() })
  .strict()
  .nullish();
export const listDecisionsQuerySchema = z.object({
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
  limit,
  cursor,
});
export const decisionListSchema = z.object({
  data: z.array(decisionSchema),
  nextCursor: z.string().nullable(),
});

export const inboxItemSchema = z
  .object({
    id: z.string(),
    receivedAt: z.string(),
    channel: z.enum(['postback', 'api']),
    sourceId: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    contentType: z.string().nullable(),
    ip: z.string().nullable(),
    raw: z.string().describe('The request as received (the token redacted)'),
    problem: z.unknown(),
    status: z.enum(['open', 'resolved']),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolution: z.string().nullable(),
  })
  .meta({ id: 'EventInboxItem' });
export const listInboxQuerySchema = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  sourceId: id.optional(),
  limit,
  cursor,
});
export const inboxListSchema = z.object({
  data: z.array(inboxItemSchema),
  nextCursor: z.string().nullable(),
});
export const resolveInboxBodySchema = z.object({ resolution: z.string().trim().min(1).max(2000) }).strict();

export const programmeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    isDefault: z.boolean(),
    minClickToEventSeconds: z.number(),
    maxClickAgeDays: z.number(),
    ftdDefinition: z.enum(['first_deposit', 'deposits_24h']),
    qualifyingDeposit: z.object({ amountMinor: z.number(), currency: z.string() }),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number(),
  })
  .meta({ id: 'Programme' });
const programmeFields = {
  name: z.string().trim().min(1).max(200),
  minClickToEventSeconds: z.number().int().min(0).max(86_400),
  maxClickAgeDays: z.number().int().min(1).max(3650),
  ftdDefinition: z.enum(['first_deposit', 'deposits_24h']),
  qualifyingDeposit: z.object({
    amountMinor: z.number().int('must be a whole number of minor units').min(0).max(1e13),
    currency: currencySchema,
  }),
};
export const createProgrammeBodySchema = z
  .object({ ...programmeFields, isDefault: z.boolean().default(false) })
  .strict();
export const patchProgrammeBodySchema = z
  .object({
    name: programmeFields.name.optional(),
    minClickToEventSeconds: programmeFields.minClickToEventSeconds.optional(),
    maxClickAgeDays: programmeFields.maxClickAgeDays.optional(),
    ftdDefinition: programmeFields.ftdDefinition.optional(),
    qualifyingDeposit: programmeFields.qualifyingDeposit.optional(),
    isDefault: z.literal(true).optional().describe('Make this the default programme'),
    version: z.number().int().min(1).optional(),
  })
  .strict();
export const programmeListSchema = z.object({ data: z.array(programmeSchema) });

/** The click story: the click (or what its verified id proves) and everything that followed from it. */
export const clickStoryWithEvidenceSchema = clickStorySchema
  .extend({
    events: z
      .array(eventSchema.extend({ postbacks: z.array(deliverySchema).describe('Partner postbacks this event caused, with every attempt') }))
      .describe('Events that carried this click id, and later events of the clients it attributed, in time order'),
    clients: z.array(clientSchema).describe('Clients attributed through this click (or whose events carried it)'),
    decisions: z.array(decisionSchema).describe('Manual attribution decisions about those clients'),
  })
  .meta({ id: 'ClickStoryWithEvidence' });
