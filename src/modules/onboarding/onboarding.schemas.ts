// Request and response shapes of the onboarding API.
import { z } from 'zod';
import { ROLES } from '../../platform/auth/permissions.ts';
import { PARTNER_TYPES } from '../partners/index.ts';
import { ITEM_STATES } from './gate.ts';
import { MOVE_KINDS, STAGES } from './stages.ts';
import { ITEM_ROLES, publishTemplateBodySchema, SYSTEM_CHECKS, TASK_TEAMS } from './template.ts';

export { publishTemplateBodySchema };

const idSchema = z.string().min(1).max(64);
export const partnerParamsSchema = z.object({ id: idSchema });
export const itemParamsSchema = z.object({
  id: idSchema,
  itemKey: z.string().min(1).max(64),
});
export const typeParamsSchema = z.object({ type: z.string().min(1).max(32) });
export const versionParamsSchema = z.object({
  type: z.string().min(1).max(32),
  version: z.coerce.number().int().min(1).max(1_000_000),
});

const stageEnum = z.enum(STAGES, { error: `must be one of ${STAGES.join(', ')}` });
const reasonSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required: say why' : 'must be text') })
  .trim()
  .min(1, 'is required: say why')
  .max(1000, 'at most 1000 characters');

export const advanceBodySchema = z
  .object({
    expectedStage: stageEnum.optional().describe('The stage you saw; a different current stage answers 409'),
    note: z.string().trim().max(1000).nullish().describe('A note recorded with the move'),
  })
  .strict();
export const backBodySchema = z
  .object({ toStage: stageEnum.describe('An earlier stage of the onboarding path'), reason: reasonSchema })
  .strict();
export const reasonBodySchema = z.object({ reason: reasonSchema }).strict();

const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const tickBodySchema = z
  .object({
    comment: z.string().trim().max(2000).nullish(),
    evidence: z
      .object({
        documentId: z.string().min(1).max(64).optional().describe('A document of this partner'),
        url: httpUrl.optional().describe('A link (http or https)'),
      })
      .strict()
      .refine((e) => e.documentId !== undefined || e.url !== undefined, 'give a documentId or a url')
      .optional(),
  })
  .strict();
export const untickBodySchema = reasonBodySchema;
export const acknowledgeBodySchema = z.object({ note: z.string().trim().max(2000).nullish() }).strict();

const ownerSchema = z.union([
  z.object({ role: z.enum(ROLES) }),
  z.object({ system: z.literal(true), actionBy: z.enum(ROLES).nullable() }),
]);
const personSchema = z.object({ id: z.string(), name: z.string() });
const evidenceSchema = z.object({ documentId: z.string().optional(), url: z.string().optional() });

export const gateItemSchema = z
  .object({
    key: z.string(),
    label: z.string(),
    kind: z.enum(['manual', 'system']),
    blocking: z.boolean(),
    state: z.enum(ITEM_STATES),
    owner: ownerSchema,
    reason: z.string().nullable(),
    check: z.enum(SYSTEM_CHECKS).optional(),
    evidence: z.enum(['optional', 'required']).optional().describe('Whether a tick needs evidence'),
    tickedBy: personSchema.optional(),
    tickedAt: z.string().optional(),
    comment: z.string().nullable().optional(),
    evidenceGiven: evidenceSchema.nullable().optional(),
  })
  .meta({ id: 'GateItem' });

const transitionSchema = z.object({ move: z.enum(MOVE_KINDS), to: stageEnum });
const taskSummarySchema = z.object({ total: z.number(), open: z.number(), overdue: z.number() });

export const onboardingViewSchema = z
  .object({
    partnerId: z.string(),
    displayName: z.string(),
    partnerType: z.string(),
    stage: stageEnum,
    stageLabel: z.string(),
    enteredAt: z.string(),
    enteredAtExact: z.boolean().describe('False when the partner was in the stage before history was kept'),
    daysInStage: z.number(),
    template: z.object({ id: z.string(), partnerType: z.string(), version: z.number() }).nullable(),
    gate: z.object({
      stage: stageEnum,
      items: z.array(gateItemSchema),
      canAdvance: z.boolean(),
      blockers: z.array(
        z.object({ key: z.string(), label: z.string(), state: z.string(), reason: z.string().nullable() }),
      ),
    }),
    next: z.object({ stage: stageEnum, label: z.string() }).nullable(),
    allowedMoves: z.array(transitionSchema),
    tasks: taskSummarySchema,
    history: z.array(
      z.object({
        id: z.string(),
        stage: stageEnum,
        fromStage: stageEnum.nullable(),
        move: z.string(),
        enteredAt: z.string(),
        exitedAt: z.string().nullable(),
        enteredAtExact: z.boolean(),
        enteredBy: personSchema,
        reason: z.string().nullable(),
        templateVersion: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'Onboarding' });

export const handoverViewSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    stage: stageEnum,
    current: z.boolean().describe('Whether the record belongs to the partner’s current Handover visit'),
    snapshot: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    createdBy: personSchema,
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: personSchema.nullable(),
    acknowledgementNote: z.string().nullable(),
  })
  .meta({ id: 'Handover' });

export const acknowledgeResultSchema = z.object({
  handover: handoverViewSchema,
  onboarding: onboardingViewSchema,
});

const manualItemOut = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.literal('manual'),
  role: z.enum(ITEM_ROLES),
  blocking: z.boolean(),
  evidence: z.enum(['optional', 'required']).optional(),
});
const systemItemOut = z.object({
  key: z.string(),
  label: z.string(),
  kind: z.literal('system'),
  check: z.enum(SYSTEM_CHECKS),
  blocking: z.boolean(),
  params: z.object({ types: z.array(z.string()).optional(), withinDays: z.number().optional() }).optional(),
});
const taskOut = z.object({
  key: z.string(),
  team: z.enum(TASK_TEAMS),
  title: z.string(),
  description: z.string().optional(),
  slaBusinessHours: z.number().optional(),
});
const stageOut = z.object({
  items: z.array(z.union([manualItemOut, systemItemOut])),
  tasks: z.array(taskOut),
});

export const templateViewSchema = z
  .object({
    id: z.string(),
    partnerType: z.enum(PARTNER_TYPES),
    version: z.number(),
    stages: z.record(z.string(), stageOut),
    note: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'ChecklistTemplate' });
export const templateListSchema = z.object({ data: z.array(templateViewSchema) });

const cardSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  type: z.string(),
  owner: personSchema.nullable(),
  daysInStage: z.number(),
  enteredAtExact: z.boolean(),
  blockingCount: z.number(),
  openTasks: z.number(),
  overdueTasks: z.number(),
});

export const pipelineQuerySchema = z.object({
  ownerId: z.string().max(64).optional(),
  type: z.enum(PARTNER_TYPES).optional(),
  team: z.enum(TASK_TEAMS).optional().describe('Only partners with a blocking item this team owes'),
});
export const pipelineSchema = z.object({
  columns: z.array(
    z.object({ stage: stageEnum, label: z.string(), count: z.number(), partners: z.array(cardSchema) }),
  ),
});

export const stalledQuerySchema = z.object({
  days: z.coerce.number().int().min(0).max(3650).default(14),
  ownerId: z.string().max(64).optional(),
  type: z.enum(PARTNER_TYPES).optional(),
});
export const stalledSchema = z.object({
  days: z.number(),
  data: z.array(cardSchema.extend({ stage: stageEnum, stageLabel: z.string(), enteredAt: z.string() })),
});

const instant = z.string().max(40);
export const timelinesQuerySchema = z.object({
  from: instant.optional().describe('Window start (inclusive): YYYY-MM-DD (00:00 UTC) or an ISO date-time'),
  to: instant.optional().describe('Window end (exclusive)'),
  asOf: instant.optional().describe('Compute as it stood at this instant (default now)'),
  ownerId: z.string().max(64).optional(),
  type: z.enum(PARTNER_TYPES).optional(),
});
const medianSchema = z.object({
  stage: stageEnum,
  visits: z.number(),
  medianMs: z.number().nullable(),
  medianDays: z.number().nullable(),
});
export const timelinesSchema = z.object({
  asOf: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  partners: z.array(
    z.object({
      partnerId: z.string(),
      displayName: z.string(),
      type: z.string(),
      owner: personSchema.nullable(),
      currentStage: stageEnum.nullable(),
      intakeAt: z.string().nullable(),
      activatedAt: z.string().nullable(),
      intakeToActiveMs: z.number().nullable(),
      intakeToActiveDays: z.number().nullable(),
      stages: z.array(
        z.object({
          stage: stageEnum,
          durationMs: z.number(),
          days: z.number().nullable(),
          visits: z.number(),
          open: z.boolean(),
          exact: z.boolean(),
        }),
      ),
    }),
  ),
  summary: z.object({
    stages: z.array(medianSchema),
    intakeToActive: z.object({
      activations: z.number(),
      medianMs: z.number().nullable(),
      medianDays: z.number().nullable(),
    }),
    byOwner: z.array(
      z.object({
        owner: personSchema.nullable(),
        activations: z.number(),
        medianIntakeToActiveMs: z.number().nullable(),
        medianIntakeToActiveDays: z.number().nullable(),
        stages: z.array(medianSchema),
      }),
    ),
  }),
});

export const terminatedQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  everActive: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe(
      'true: only partners that had been active (terminated affiliates); false: only those never active',
    ),
});
export const terminatedSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      legalName: z.string().nullable(),
      type: z.string(),
      country: z.string().nullable(),
      websites: z.array(z.string()),
      offboardedAt: z.string().nullable(),
      reason: z.string().nullable(),
      wasActive: z.boolean(),
      activeFrom: z.string().nullable(),
      activeUntil: z.string().nullable(),
      archived: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
