// Request and response schemas of tracking QA: tests (the setup record with every step and its evidence),
// monitors, attribution checks and reconciliations against a partner's CSV.
import { z } from 'zod';
import { EVENT_TYPES } from '../events/index.ts';
import { attemptSchema, postbackSchema } from '../postbacks/index.ts';
import { METRICS } from './reconcile.ts';

const id = z.string().min(1).max(64);
const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = z.string().max(200).optional();

export const STEP_KEYS = ['click', 'redirects', 'landing', 'events', 'attribution', 'postbacks'] as const;
export type StepKey = (typeof STEP_KEYS)[number];
export const STEP_LABELS: Record<StepKey, string> = {
  click: 'Tracking link answers with a redirect and records the click',
  redirects: 'Redirect chain keeps the click id',
  landing: 'Landing page loads and is not an error page',
  events: 'Test events go through the inbound path',
  attribution: 'Events are attributed to the partner by the click',
  postbacks: "Partner postbacks fire with every macro replaced and the partner's endpoint accepts them",
};
export const STEP_STATUSES = ['pending', 'running', 'passed', 'warning', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const TEST_STATUSES = ['running', 'passed', 'failed', 'error'] as const;
export const TRIGGERS = ['manual', 'monitor'] as const;

const subsSchema = z
  .object({
    sub1: z.string().max(100).optional(),
    sub2: z.string().max(100).optional(),
    sub3: z.string().max(100).optional(),
    sub4: z.string().max(100).optional(),
    sub5: z.string().max(100).optional(),
  })
  .strict();

export const runTestBodySchema = z
  .object({
    linkId: id.describe("The tracking link to test (the partner is the link's)"),
    subs: subsSchema
      .optional()
      .describe('Sub-IDs for the test click (default qa-s1..qa-s5, so every {subN} macro has a value)'),
    expectText: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Text the landing page must show (e.g. "Open an account"); catches a wrong but working page'),
    eventTypes: z
      .array(z.enum(EVENT_TYPES))
      .min(1)
      .max(EVENT_TYPES.length)
      .optional()
      .describe(
        'Test events to send after the registration (default: those the partner has postbacks for; a deposit stands for ftd and qualified_ftd)',
      ),
  })
  .strict();
export type RunTestBody = z.infer<typeof runTestBodySchema>;

export const runTestQuerySchema = z.object({
  wait: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: answer when the test has finished (up to 120 s); false: answer 202 at once and poll'),
});

export const hopSchema = z.object({
  n: z.number().int(),
  url: z.string(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  address: z.string().nullable(),
  clickIdInUrl: z.boolean(),
  location: z.string().nullable(),
  error: z.string().nullable(),
});

export const testEventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  txid: z.string(),
  eventId: z.string().nullable(),
  status: z.string(),
  attribution: z.string().nullable(),
  attributionNote: z.string().nullable(),
  partnerId: z.string().nullable(),
  isFtd: z.boolean(),
  isQualifiedFtd: z.boolean(),
});

export const testDeliverySchema = z.object({
  deliveryId: z.string(),
  postbackId: z.string(),
  eventType: z.string(),
  emptyMacros: z.array(z.string()).describe('Macros the template uses that rendered empty'),
  leftover: z.array(z.string()).describe('Braces left in what was sent: a macro that was not replaced'),
  attempt: attemptSchema.nullable(),
  problem: z.string().nullable(),
});

export const evidenceSchema = z
  .object({
    trackingUrl: z.string(),
    statusCode: z.number().int().nullable(),
    location: z.string().nullable(),
    clickId: z.string().nullable(),
    clickStored: z.boolean(),
    latencyMs: z.number().int(),
    hops: z.array(hopSchema),
    lostAt: z.number().int().nullable(),
    url: z.string(),
    title: z.string().nullable(),
    contentType: z.string().nullable(),
    bytes: z.number().int(),
    waitedMs: z.number().int(),
    events: z.array(testEventSchema),
    expectedPartnerId: z.string(),
    deliveries: z.array(testDeliverySchema),
    warnings: z.array(z.string()),
  })
  .partial()
  .meta({ id: 'TrackingTestEvidence' });
export type Evidence = z.infer<typeof evidenceSchema>;

export const stepSchema = z
  .object({
    key: z.enum(STEP_KEYS),
    label: z.string(),
    status: z.enum(STEP_STATUSES),
    startedAt: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    summary: z.string(),
    evidence: evidenceSchema,
  })
  .meta({ id: 'TrackingTestStep' });
export type Step = z.infer<typeof stepSchema>;

export const setupSchema = z
  .object({
    trackingUrl: z.string(),
    partner: z.object({ id: z.string(), name: z.string(), stage: z.string() }),
    link: z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      landingUrl: z.string(),
      status: z.string(),
      allowedCountries: z.array(z.string()),
      updatedAt: z.string(),
    }),
    programme: z
      .object({
        id: z.string(),
        name: z.string(),
        minClickToEventSeconds: z.number().int(),
        maxClickAgeDays: z.number().int(),
        ftdDefinition: z.string(),
        qualifyingDeposit: z.object({ amountMinor: z.number().int(), currency: z.string() }),
      })
      .nullable(),
    postbacks: z
      .array(postbackSchema)
      .describe('Every postback of the partner when the test ran (secrets redacted)'),
  })
  .meta({ id: 'TrackingTestSetup' });
export type Setup = z.infer<typeof setupSchema>;

export const trackingTestSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    linkId: z.string(),
    linkCode: z.string(),
    trigger: z.enum(TRIGGERS),
    requestedBy: z.object({ id: z.string().nullable(), name: z.string() }),
    status: z.enum(TEST_STATUSES),
    failedStep: z.enum(STEP_KEYS).nullable(),
    summary: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    clickId: z.string().nullable(),
    clientExternalId: z.string().nullable(),
    options: runTestBodySchema.omit({ linkId: true }),
    setup: setupSchema.nullable(),
    steps: z.array(stepSchema),
  })
  .meta({ id: 'TrackingTest' });
export type TrackingTestView = z.infer<typeof trackingTestSchema>;

export const testListQuerySchema = z.object({
  partnerId: id.optional(),
  linkId: id.optional(),
  status: z.enum(TEST_STATUSES).optional(),
  trigger: z.enum(TRIGGERS).optional(),
  limit,
  cursor,
});
export const testListSchema = z
  .object({
    data: z.array(trackingTestSchema.omit({ setup: true, steps: true })),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'TrackingTestList' });
export const idParamsSchema = z.object({ id });

// ---------- Monitors ----------

export const monitorSchema = z
  .object({
    linkId: z.string(),
    linkCode: z.string(),
    linkName: z.string(),
    partnerId: z.string(),
    partnerName: z.string(),
    partnerStage: z.string().describe('Monitors run only while the partner is active'),
    enabled: z.boolean(),
    intervalHours: z.number().int(),
    nextRunAt: z.string(),
    lastTestId: z.string().nullable(),
    lastStatus: z.enum(['passed', 'failed', 'error']).nullable(),
    lastRunAt: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    openFlagId: z
      .string()
      .nullable()
      .describe('The risk flag this monitor raised and has not yet seen fixed'),
    version: z.number().int(),
  })
  .meta({ id: 'TrackingMonitor' });
export const monitorListQuerySchema = z.object({
  partnerId: id.optional(),
  lastStatus: z.enum(['passed', 'failed', 'error']).optional(),
  limit,
  cursor,
});
export const monitorListSchema = z
  .object({ data: z.array(monitorSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TrackingMonitorList' });
export const putMonitorBodySchema = z
  .object({
    enabled: z.boolean(),
    intervalHours: z
      .number()
      .int()
      .min(1)
      .max(168)
      .default(24)
      .describe('How often the test re-runs (1–168 h)'),
  })
  .strict();

// ---------- Attribution checks ----------

export const checksQuerySchema = z.object({
  partnerId: id.optional(),
  from: z.iso.date().optional().describe('First day (UTC), default 6 days before `to`'),
  to: z.iso.date().optional().describe('Last day (UTC), default today; at most 31 days in all'),
});
export const checksSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    partnerId: z.string().nullable(),
    orphanEvents: z.object({
      total: z.number().int(),
      byReason: z.array(z.object({ reason: z.string(), label: z.string(), count: z.number().int() })),
      samples: z.array(
        z.object({
          eventId: z.string(),
          type: z.string(),
          txid: z.string(),
          clickId: z.string().nullable(),
          reason: z.string(),
          sourceId: z.string(),
          receivedAt: z.string(),
        }),
      ),
    }),
    duplicateTxids: z.object({
      total: z.number().int(),
      samples: z.array(
        z.object({
          txid: z.string(),
          count: z.number().int(),
          events: z.array(
            z.object({
              eventId: z.string(),
              sourceId: z.string(),
              type: z.string(),
              partnerId: z.string().nullable(),
            }),
          ),
        }),
      ),
    }),
    restrictedClicks: z.object({
      geoConfigured: z
        .boolean()
        .describe('False when no GeoIP database is configured: clicks have no country'),
      total: z.number().int(),
      byCountry: z.array(
        z.object({
          country: z.string(),
          clicks: z.number().int(),
          why: z.enum(['not_allowed_for_link', 'restricted_for_entity']),
          detail: z.string(),
        }),
      ),
    }),
    postbacks: z.array(
      z.object({
        postbackId: z.string(),
        partnerId: z.string(),
        eventType: z.string(),
        status: z.string(),
        attempts: z.number().int(),
        failures: z.number().int(),
        failureRateBp: z.number().int(),
        lastError: z.string().nullable(),
        lastAttemptAt: z.string().nullable(),
      }),
    ),
    inboxOpen: z.number().int().describe('Malformed inbound requests waiting in the event inbox'),
  })
  .meta({ id: 'TrackingChecks' });

// ---------- Reconciliation ----------

export const reconcileBodySchema = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(2_000_000)
      .describe("The partner's export: a date column, optionally sub1/sub_id, and figures"),
    fileName: z.string().trim().max(200).optional(),
  })
  .strict();

const cellSchema = z.object({
  ours: z.number().int(),
  theirs: z.number().int(),
  difference: z.number().int(),
  differenceBp: z.number().int(),
  band: z.enum(['normal', 'watch', 'investigate']),
});
const figuresSchema = z.object(
  Object.fromEntries(METRICS.map((m) => [m, cellSchema.optional()])) as Record<
    (typeof METRICS)[number],
    z.ZodOptional<typeof cellSchema>
  >,
);

export const reconciliationSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    from: z.string(),
    to: z.string(),
    fileName: z.string().nullable(),
    fileSha256: z.string(),
    rowCount: z.number().int(),
    band: z.enum(['normal', 'watch', 'investigate']),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    result: z.object({
      bySub: z.boolean(),
      metrics: z.array(z.enum(METRICS)),
      ignoredColumns: z.array(z.string()),
      totals: figuresSchema,
      counts: z.object({ normal: z.number().int(), watch: z.number().int(), investigate: z.number().int() }),
      rows: z.array(
        z.object({
          day: z.string(),
          sub1: z.string().nullable(),
          inFile: z.boolean(),
          figures: figuresSchema,
          band: z.enum(['normal', 'watch', 'investigate']),
        }),
      ),
    }),
  })
  .meta({ id: 'Reconciliation' });
export const reconciliationListSchema = z
  .object({ data: z.array(reconciliationSchema.omit({ result: true })), nextCursor: z.string().nullable() })
  .meta({ id: 'ReconciliationList' });
export const reconciliationParamsSchema = z.object({ id, reconciliationId: id });
export const listQuerySchema = z.object({ limit, cursor });
