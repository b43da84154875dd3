import { z } from 'zod';
import { inboxItemSchema } from '../approvals/index.ts';
import { TASK_STATUSES, TEAMS } from './teams.ts';

export const SLA_STATES = ['on_track', 'due_soon', 'overdue', 'paused', 'done'] as const;
export type SlaState = (typeof SLA_STATES)[number];

export const taskViewSchema = z
  .object({
    id: z.string(),
    partner: z.object({ id: z.string(), displayName: z.string() }),
    stage: z.string(),
    key: z.string(),
    team: z.enum(TEAMS),
    title: z.string(),
    description: z.string().nullable(),
    assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
    status: z.enum(TASK_STATUSES),
    dueAt: z.string().nullable(),
    slaBusinessHours: z.number().nullable(),
    slaState: z.enum(SLA_STATES),
    businessHoursLeft: z
      .number()
      .nullable()
      .describe(
        'Business hours until the due time (negative when overdue; frozen while paused; null when done)',
      ),
    pausedAt: z.string().nullable(),
    pausedReason: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    completedBy: z.string().nullable(),
    cancelledReason: z.string().nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Task' });
export type TaskView = z.infer<typeof taskViewSchema>;

const idParam = z.string().min(1).max(64);
export const taskParamsSchema = z.object({ id: idParam });

export const taskListQuerySchema = z.object({
  team: z.enum(TEAMS).optional(),
  assigneeId: z.string().min(1).max(64).optional().describe('A user id, or "none" for unassigned tasks'),
  status: z.enum(TASK_STATUSES).optional(),
  partnerId: z.string().min(1).max(64).optional(),
  stage: z.string().min(1).max(64).optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: only overdue tasks; false: only tasks that are not'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

export const taskListSchema = z
  .object({ data: z.array(taskViewSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TaskList' });

const version = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe('The version you last read; when it is no longer current the change is refused with 409.');

export const assignBodySchema = z.strictObject({
  assigneeId: z.string().min(1).max(64).nullable().describe('The user to assign, or null to unassign'),
  version,
});
export const startBodySchema = z.strictObject({ version }).optional().nullable();
export const completeBodySchema = z
  .strictObject({ note: z.string().trim().min(1).max(2000).optional(), version })
  .optional()
  .nullable();
export const reopenBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(1000), version });

export const slaPolicySchema = z
  .strictObject({
    team: z.enum(TEAMS),
    taskKey: z
      .string()
      .regex(
        /^(\*|[a-z][a-z0-9_]{0,63})$/,
        'Use a task key (lower-case letters, digits, _) or * for any task.',
      ),
    businessHours: z.number().positive().max(2000),
  })
  .meta({ id: 'SlaPolicy' });
export const slaPoliciesSchema = z.object({ data: z.array(slaPolicySchema) }).meta({ id: 'SlaPolicies' });
export const slaPoliciesBodySchema = z.strictObject({ policies: z.array(slaPolicySchema).min(1).max(500) });

export const businessCalendarSchema = z
  .strictObject({
    timeZone: z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Nicosia'),
    workingDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).describe('ISO weekdays, 1 = Monday'),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24 hour).'),
    end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Use HH:MM (24 hour).'),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date YYYY-MM-DD.')).max(1000),
  })
  .meta({ id: 'BusinessCalendar' });

export const myWorkSchema = z
  .object({
    tasks: z.array(
      taskViewSchema.extend({
        reason: z.enum(['assigned', 'team']).describe('Why it is here: assigned to me, or my team'),
      }),
    ),
    approvals: z.array(inboxItemSchema),
    counts: z.object({
      overdue: z.number().int(),
      dueSoon: z.number().int(),
      open: z.number().int(),
      approvals: z.number().int(),
    }),
  })
  .meta({ id: 'MyWork' });
