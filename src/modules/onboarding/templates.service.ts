// Checklist templates: reading the versions of each partner type, publishing a new version (admins and Ops),
// and seeding version 1 of every type on a fresh workspace. A published version is never edited.
import type { RequestContext } from '../../platform/auth/actor.ts';
import { systemActor } from '../../platform/auth/actor.ts';
import type { ChecklistTemplatesTable } from '../../platform/db/schema.ts';
import { conflict, invalidField, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import { PARTNER_TYPES, type PartnerType } from '../partners/index.ts';
import { defaultTemplates } from './default-templates.ts';
import type { Db } from './facts.ts';
import { isPartnerType, type TemplateStages, templateStagesSchema } from './template.ts';

export interface TemplateView {
  id: string;
  partnerType: PartnerType;
  version: number;
  stages: TemplateStages;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  return (
    code === '23505' ||
    (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) ||
    (typeof e?.message === 'string' && /UNIQUE constraint failed/i.test(e.message))
  );
}

export function presentTemplate(row: ChecklistTemplatesTable): TemplateView {
  return {
    id: row.id,
    partnerType: row.partner_type as PartnerType,
    version: row.version,
    stages: JSON.parse(row.stages) as TemplateStages,
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function checkType(type: string): PartnerType {
  if (!isPartnerType(type)) throw invalidField('path.type', `must be one of ${PARTNER_TYPES.join(', ')}`);
  return type;
}

/** The newest version of a type's template (undefined before the first is published). */
export async function currentTemplate(db: Db, type: string): Promise<TemplateView | undefined> {
  const row = await db
    .selectFrom('checklist_templates')
    .selectAll()
    .where('partner_type', '=', type)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? presentTemplate(row) : undefined;
}

/** The newest version of every type's template, by type. */
export async function currentTemplates(db: Db): Promise<Map<string, TemplateView>> {
  const rows = await db.selectFrom('checklist_templates').selectAll().orderBy('version', 'asc').execute();
  const out = new Map<string, TemplateView>();
  for (const r of rows) out.set(r.partner_type, presentTemplate(r));
  return out;
}

export async function templatesById(db: Db, ids: string[]): Promise<Map<string, TemplateView>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, TemplateView>();
  if (unique.length === 0) return out;
  const rows = await db.selectFrom('checklist_templates').selectAll().where('id', 'in', unique).execute();
  for (const r of rows) out.set(r.id, presentTemplate(r));
  return out;
}

export async function listCurrentTemplates(store: Store): Promise<{ data: TemplateView[] }> {
  const current = await currentTemplates(store.db);
  return { data: PARTNER_TYPES.flatMap((t) => (current.has(t) ? [current.get(t) as TemplateView] : [])) };
}

export async function listTemplateVersions(store: Store, type: string): Promise<{ data: TemplateView[] }> {
  const t = checkType(type);
  const rows = await store.db
    .selectFrom('checklist_templates')
    .selectAll()
    .where('partner_type', '=', t)
    .orderBy('version', 'desc')
    .execute();
  return { data: rows.map(presentTemplate) };
}

export async function getTemplateVersion(store: Store, type: string, version: number): Promise<TemplateView> {
  const t = checkType(type);
  const row = await store.db
    .selectFrom('checklist_templates')
    .selectAll()
    .where('partner_type', '=', t)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw notFound(`Version ${version} of the ${t} checklist template`);
  return presentTemplate(row);
}

async function insertVersion(
  w: WriteScope,
  input: {
    type: PartnerType;
    version: number;
    stages: TemplateStages;
    note: string | null;
    previous: number | null;
  },
): Promise<TemplateView> {
  const row: ChecklistTemplatesTable = {
    id: newId('checklistTemplate'),
    partner_type: input.type,
    version: input.version,
    stages: JSON.stringify(input.stages),
    note: input.note,
    created_by: w.ctx.actor.id,
    created_at: nowIso(),
  };
  await w.trx.insertInto('checklist_templates').values(row).execute();
  w.audit({
    action: 'onboarding.template_published',
    entityType: 'checklist_template',
    entityId: row.id,
    after: { partnerType: input.type, version: input.version },
    reason: input.note,
    meta: { previousVersion: input.previous },
  });
  return presentTemplate(row);
}

/** Publishes a new version of a type's template. The body was validated by the route's schema. */
export async function publishTemplate(
  store: Store,
  ctx: RequestContext,
  type: string,
  body: { stages: TemplateStages; note?: string | null },
): Promise<TemplateView> {
  const t = checkType(type);
  // Validated again here so that a caller other than the route cannot store a template that breaks gates.
  const parsed = templateStagesSchema.safeParse(body.stages);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidField(`body.stages.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'is not valid');
  }
  try {
    return await writeTransaction(store, ctx, async (w) => {
      const current = await currentTemplate(w.trx, t);
      return insertVersion(w, {
        type: t,
        version: (current?.version ?? 0) + 1,
        stages: parsed.data as TemplateStages,
        note: body.note ?? null,
        previous: current?.version ?? null,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(
        `Someone published a version of the ${t} template at the same time; reload and try again.`,
      );
    }
    throw err;
  }
}

/**
 * Stores version 1 of every partner type's template that has none yet (at start-up; safe on every start and
 * from several instances at once).
 */
export async function ensureDefaultTemplates(store: Store): Promise<{ created: PartnerType[] }> {
  const current = await currentTemplates(store.db);
  const created: PartnerType[] = [];
  const ctx: RequestContext = {
    actor: systemActor(['onboarding.manage'], 'onboarding bootstrap'),
    requestId: null,
  };
  for (const d of defaultTemplates()) {
    if (current.has(d.partnerType)) continue;
    try {
      await writeTransaction(store, ctx, (w) =>
        insertVersion(w, {
          type: d.partnerType,
          version: 1,
          stages: d.stages,
          note: 'Default template',
          previous: null,
        }),
      );
      created.push(d.partnerType);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return { created };
}
