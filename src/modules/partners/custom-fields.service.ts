// Custom field definitions (admin-managed extra fields on partners) and the check of a partner's values
// against them: unknown keys are refused, values must have the field's type, select values must be one of
// its options, and a field limited to some partner types applies only to those.
import type { Kysely, Transaction } from 'kysely';
import { diff } from '../../platform/audit/audit.ts';
import { assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { CustomFieldDefsTable } from '../../platform/db/schema.ts';
import { conflict, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { isValidIsoDate, nowIso } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import {
  type CustomFieldCreate,
  type CustomFieldPatch,
  type CustomFieldView,
  customFieldCreateSchema,
  customFieldPatchSchema,
} from './custom-fields.schemas.ts';
import { NoChange, parseOrInvalid, unlessNoChange } from './parse.ts';
import type { CustomFieldType } from './reference-data.ts';

type Db = Kysely<DB> | Transaction<DB>;
export type CustomFieldValue = string | number | boolean;

export interface CustomFieldDef {
  id: string;
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  partnerTypes: string[];
  createdAt: string;
  archivedAt: string | null;
}

function toDef(row: CustomFieldDefsTable): CustomFieldDef {
  return {
    id: row.id,
    key: row.key,
    label: row.label,
    type: row.type as CustomFieldType,
    options: JSON.parse(row.options) as string[],
    partnerTypes: JSON.parse(row.partner_types) as string[],
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}

export function presentCustomField(def: CustomFieldDef): CustomFieldView {
  return { ...def };
}

/** The definitions values may be set for (archived ones are kept for history but take no new values). */
export async function loadActiveCustomFieldDefs(db: Db): Promise<Map<string, CustomFieldDef>> {
  const rows = await db
    .selectFrom('custom_field_defs')
    .selectAll()
    .where('archived_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.key, toDef(r)]));
}

function valueProblem(def: CustomFieldDef, value: unknown): string | null {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.trim().length > 0 ? null : 'must be non-empty text';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isValidIsoDate(value) ? null : 'must be a date (YYYY-MM-DD)';
    case 'select':
      return typeof value === 'string' && def.options.includes(value)
        ? null
        : `must be one of: ${def.options.join(', ')}`;
  }
}

export function appliesTo(def: CustomFieldDef, partnerType: string): boolean {
  return def.partnerTypes.length === 0 || def.partnerTypes.includes(partnerType);
}

/**
 * Checks the values a request sets (null removes a value) and returns the partner's resulting values. Keys
 * already stored and not sent are kept; when the partner type changes they must still apply to it.
 */
export function checkCustomFieldValues(
  defs: Map<string, CustomFieldDef>,
  partnerType: string,
  sent: Record<string, unknown>,
  current: Record<string, CustomFieldValue>,
  field: (key: string) => string,
): { errors: FieldError[]; values: Record<string, CustomFieldValue> } {
  const errors: FieldError[] = [];
  const values: Record<string, CustomFieldValue> = { ...current };
  for (const [key, value] of Object.entries(sent)) {
    if (value === null || value === undefined) {
      delete values[key];
      continue;
    }
    const def = defs.get(key);
    if (!def) {
      errors.push({ field: field(key), message: `is not a custom field (see GET /api/v1/custom-fields)` });
      continue;
    }
    const problem = valueProblem(def, value);
    if (problem) {
      errors.push({ field: field(key), message: problem });
      continue;
    }
    values[key] = value as CustomFieldValue;
  }
  for (const key of Object.keys(values)) {
    const def = defs.get(key);
    if (def && !appliesTo(def, partnerType) && !errors.some((e) => e.field === field(key))) {
      errors.push({
        field: field(key),
        message: `applies only to partners of type ${def.partnerTypes.join(', ')}`,
      });
    }
  }
  return { errors, values };
}

function checkOptions(type: string, options: string[], errors: FieldError[]): void {
  if (type === 'select') {
    if (options.length === 0)
      errors.push({ field: 'body.options', message: 'a select field needs at least one option' });
    if (new Set(options).size !== options.length)
      errors.push({ field: 'body.options', message: 'has duplicates' });
  } else if (options.length > 0) {
    errors.push({ field: 'body.options', message: `only select fields have options (this is ${type})` });
  }
}

export async function listCustomFields(
  db: Db,
  ctx: RequestContext,
  archived: 'false' | 'true' | 'all',
): Promise<CustomFieldView[]> {
  assertCan(ctx.actor, 'partners.read');
  let q = db.selectFrom('custom_field_defs').selectAll().orderBy('key');
  if (archived === 'false') q = q.where('archived_at', 'is', null);
  if (archived === 'true') q = q.where('archived_at', 'is not', null);
  return (await q.execute()).map((r) => presentCustomField(toDef(r)));
}

export async function createCustomField(
  store: Store,
  ctx: RequestContext,
  input: CustomFieldCreate,
): Promise<CustomFieldView> {
  assertCan(ctx.actor, 'policy.manage');
  const body = parseOrInvalid(customFieldCreateSchema, input, 'body');
  const options = body.options ?? [];
  const partnerTypes = [...new Set(body.partnerTypes ?? [])];
  const errors: FieldError[] = [];
  checkOptions(body.type, options, errors);
  if (errors.length > 0) throw invalid(errors);
  return writeTransaction(store, ctx, async (w) => {
    const taken = await w.trx
      .selectFrom('custom_field_defs')
      .select('id')
      .where('key', '=', body.key)
      .executeTakeFirst();
    if (taken) {
      throw conflict(
        `A custom field with key ${body.key} already exists (keys are never reused, even when archived).`,
        {
          errors: [{ field: 'body.key', message: 'is already used' }],
        },
      );
    }
    const row: CustomFieldDefsTable = {
      id: newId('customField'),
      key: body.key,
      label: body.label,
      type: body.type,
      options: JSON.stringify(options),
      partner_types: JSON.stringify(partnerTypes),
      created_at: nowIso(),
      archived_at: null,
    };
    await w.trx.insertInto('custom_field_defs').values(row).execute();
    const view = presentCustomField(toDef(row));
    w.audit({
      action: 'custom_field.created',
      entityType: 'custom_field',
      entityId: row.id,
      after: { key: view.key, label: view.label, type: view.type, options, partnerTypes },
    });
    return view;
  });
}

export async function updateCustomField(
  store: Store,
  ctx: RequestContext,
  id: string,
  patch: CustomFieldPatch,
): Promise<CustomFieldView> {
  assertCan(ctx.actor, 'policy.manage');
  const body = parseOrInvalid(customFieldPatchSchema, patch, 'body');
  const write = writeTransaction(store, ctx, async (w) => {
    const row = await w.trx
      .selectFrom('custom_field_defs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`Custom field ${id}`);
    const def = toDef(row);
    const next: CustomFieldDef = {
      ...def,
      label: body.label ?? def.label,
      options: body.options ?? def.options,
      partnerTypes: body.partnerTypes ? [...new Set(body.partnerTypes)] : def.partnerTypes,
    };
    const errors: FieldError[] = [];
    checkOptions(def.type, next.options, errors);
    if (errors.length > 0) throw invalid(errors);
    const changes = diff(
      { label: def.label, options: def.options, partnerTypes: def.partnerTypes },
      { label: next.label, options: next.options, partnerTypes: next.partnerTypes },
    );
    if (!changes) throw new NoChange(presentCustomField(def));
    await w.trx
      .updateTable('custom_field_defs')
      .set({
        label: next.label,
        options: JSON.stringify(next.options),
        partner_types: JSON.stringify(next.partnerTypes),
      })
      .where('id', '=', id)
      .execute();
    w.audit({ action: 'custom_field.updated', entityType: 'custom_field', entityId: id, ...changes });
    return presentCustomField(next);
  });
  return unlessNoChange(write);
}

export async function archiveCustomField(
  store: Store,
  ctx: RequestContext,
  id: string,
): Promise<CustomFieldView> {
  assertCan(ctx.actor, 'policy.manage');
  return writeTransaction(store, ctx, async (w) => {
    const row = await w.trx
      .selectFrom('custom_field_defs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`Custom field ${id}`);
    if (row.archived_at) throw conflict(`Custom field ${row.key} is already archived.`);
    const at = nowIso();
    await w.trx.updateTable('custom_field_defs').set({ archived_at: at }).where('id', '=', id).execute();
    w.audit({
      action: 'custom_field.archived',
      entityType: 'custom_field',
      entityId: id,
      before: { archivedAt: null },
      after: { archivedAt: at },
    });
    return presentCustomField(toDef({ ...row, archived_at: at }));
  });
}
