// Checklist templates: per partner type and version, what each gate stage checks (manual items ticked by a
// role, system items evaluated from facts) and which team tasks entering the stage creates. The zod schema
// here validates a template an admin publishes, naming the field path of every problem.
import { z } from 'zod';
import { ROLES, type Role } from '../../platform/auth/permissions.ts';
import { DOCUMENT_TYPES, type DocumentType } from '../documents/index.ts';
import { PARTNER_TYPES, type PartnerType } from '../partners/index.ts';
import type { StageTaskTemplate } from '../tasks/index.ts';
import { GATE_STAGES, type GateStage, STAGE_LABELS } from './stages.ts';

export const SYSTEM_CHECKS = [
  'mandatory_fields',
  'documents_approved',
  'due_diligence_positive',
  'terms_approved_accepted',
  'agreement_signed',
  'payout_verified',
  'tracking_qa_passed',
  'no_blocking_risk',
  'stage_tasks_done',
  'handover_acknowledged',
] as const;
export type SystemCheck = (typeof SYSTEM_CHECKS)[number];

/** Roles that may own a manual item: staff who can tick (not partners, not read-only users). */
export type ItemRole = Exclude<Role, 'partner' | 'read_only'>;
export const ITEM_ROLES = ROLES.filter((r) => r !== 'partner' && r !== 'read_only') as ItemRole[];

export const TASK_TEAMS = ['compliance', 'finance', 'support', 'ops'] as const;

export interface ManualItem {
  key: string;
  label: string;
  kind: 'manual';
  role: ItemRole;
  blocking: boolean;
  evidence?: 'optional' | 'required';
}

export interface SystemItemParams {
  /** documents_approved: the document types that must each be approved and unexpired. */
  types?: DocumentType[];
  /** tracking_qa_passed: the QA run must have passed within this many days. */
  withinDays?: number;
}

export interface SystemItem {
  key: string;
  label: string;
  kind: 'system';
  check: SystemCheck;
  blocking: boolean;
  params?: SystemItemParams;
}

export type ChecklistItem = ManualItem | SystemItem;

export interface TemplateStage {
  items: ChecklistItem[];
  tasks: StageTaskTemplate[];
}

export type TemplateStages = Record<GateStage, TemplateStage>;

export interface ChecklistTemplate {
  partnerType: PartnerType;
  version: number;
  stages: TemplateStages;
}

const keyRe = /^[a-z][a-z0-9_]{0,63}$/;
const keySchema = z
  .string()
  .regex(keyRe, 'use lower-case letters, digits and _ (up to 64), starting with a letter');
const labelSchema = z.string().trim().min(1, 'give a label').max(200, 'at most 200 characters');

const manualItemSchema = z
  .object({
    key: keySchema,
    label: labelSchema,
    kind: z.literal('manual'),
    role: z.enum(ITEM_ROLES, { error: `must be one of ${ITEM_ROLES.join(', ')}` }),
    blocking: z.boolean(),
    evidence: z.enum(['optional', 'required']).optional(),
  })
  .strict();

const systemItemSchema = z
  .object({
    key: keySchema,
    label: labelSchema,
    kind: z.literal('system'),
    check: z.enum(SYSTEM_CHECKS, { error: `must be one of ${SYSTEM_CHECKS.join(', ')}` }),
    blocking: z.boolean(),
    params: z
      .object({
        types: z
          .array(z.enum(DOCUMENT_TYPES, { error: `must be one of ${DOCUMENT_TYPES.join(', ')}` }))
          .min(1, 'name at least one document type')
          .max(DOCUMENT_TYPES.length)
          .optional(),
        withinDays: z.number().int('must be a whole number of days').min(1).max(365).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const itemSchema = z.discriminatedUnion('kind', [manualItemSchema, systemItemSchema], {
  error: 'kind must be "manual" or "system"',
});

const taskSchema = z
  .object({
    key: keySchema,
    team: z.enum(TASK_TEAMS, { error: `must be one of ${TASK_TEAMS.join(', ')}` }),
    title: z.string().trim().min(1, 'give a title').max(200, 'at most 200 characters'),
    description: z.string().trim().max(4000, 'at most 4000 characters').optional(),
    slaBusinessHours: z
      .number()
      .positive('must be above 0')
      .max(2000, 'at most 2000 business hours')
      .optional(),
  })
  .strict();

const stageSchema = z
  .object({
    items: z.array(itemSchema).max(50, 'at most 50 items per stage'),
    tasks: z.array(taskSchema).max(30, 'at most 30 tasks per stage'),
  })
  .strict();

/** Problems a template's stages have beyond their shape: duplicate keys, params a check needs or refuses. */
export function templateProblems(stages: TemplateStages): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const stage of GATE_STAGES) {
    const s = stages[stage];
    if (!s) continue;
    const itemKeys = new Map<string, number>();
    s.items.forEach((item, i) => {
      const first = itemKeys.get(item.key);
      if (first !== undefined) {
        out.push({
          path: [stage, 'items', i, 'key'],
          message: `"${item.key}" is already the key of item ${first} of this stage; keys are unique per stage`,
        });
      } else itemKeys.set(item.key, i);
      if (item.kind !== 'system') return;
      const params = item.params ?? {};
      if (item.check === 'documents_approved' && !params.types) {
        out.push({
          path: [stage, 'items', i, 'params', 'types'],
          message: 'name the document types to check',
        });
      }
      if (item.check !== 'documents_approved' && params.types) {
        out.push({
          path: [stage, 'items', i, 'params', 'types'],
          message: `${item.check} takes no document types`,
        });
      }
      if (item.check === 'tracking_qa_passed' && params.withinDays === undefined) {
        out.push({
          path: [stage, 'items', i, 'params', 'withinDays'],
          message: 'say within how many days the QA run must have passed',
        });
      }
      if (item.check !== 'tracking_qa_passed' && params.withinDays !== undefined) {
        out.push({
          path: [stage, 'items', i, 'params', 'withinDays'],
          message: `${item.check} takes no withinDays`,
        });
      }
      if (params.types && new Set(params.types).size !== params.types.length) {
        out.push({ path: [stage, 'items', i, 'params', 'types'], message: 'a document type is named twice' });
      }
      if (item.check === 'handover_acknowledged' && stage !== 'handover') {
        out.push({
          path: [stage, 'items', i, 'check'],
          message: `handover_acknowledged belongs to the ${STAGE_LABELS.handover} stage only`,
        });
      }
    });
    const taskKeys = new Map<string, number>();
    s.tasks.forEach((task, i) => {
      const first = taskKeys.get(task.key);
      if (first !== undefined) {
        out.push({
          path: [stage, 'tasks', i, 'key'],
          message: `"${task.key}" is already the key of task ${first} of this stage; keys are unique per stage`,
        });
      } else taskKeys.set(task.key, i);
    });
  }
  return out;
}

/** Every gate stage, each with its items and tasks; validated as a whole. */
export const templateStagesSchema = z
  .object(
    Object.fromEntries(GATE_STAGES.map((s) => [s, stageSchema])) as Record<GateStage, typeof stageSchema>,
  )
  .strict()
  .superRefine((stages, ctx) => {
    for (const p of templateProblems(stages as TemplateStages)) {
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    }
  });

export const publishTemplateBodySchema = z
  .object({
    stages: templateStagesSchema.describe(
      `Every gate stage (${GATE_STAGES.join(', ')}) with its checklist items and the tasks entering it creates`,
    ),
    note: z.string().trim().max(2000).nullish().describe('What changed and why'),
  })
  .strict();

export function isPartnerType(v: string): v is PartnerType {
  return (PARTNER_TYPES as readonly string[]).includes(v);
}
