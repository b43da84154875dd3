// The versioned mandatory-field policy: reading the current and past versions, validating and publishing a
// new version (old versions are never edited), and seeding the default as version 1.
import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { assertCan, type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { DB, Dialect } from '../../platform/db/index.ts';
import { conflict, type FieldError, invalid, invalidField, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import {
  ALL_STAGES,
  type CustomFieldInfo,
  fieldProblem,
  PARTNER_KINDS,
  PARTNER_TYPES,
  type PartnerKind,
  type PartnerStage,
  type PartnerType,
} from './catalogue.ts';
import { DEFAULT_POLICY_NOTE, defaultRules } from './default-policy.ts';
import type { MandatoryFieldRule } from './evaluate.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface PolicyVersion {
  version: number;
  note: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
  /** False for the built-in default that applies while no version is stored. */
  stored: boolean;
  rules: MandatoryFieldRule[];
}

const storedRulesSchema = z.array(
  z.object({
    partnerType: z.enum(PARTNER_TYPES),
    stage: z.enum(ALL_STAGES),
    partnerKind: z.enum(PARTNER_KINDS).nullish(),
    fields: z.array(z.string()),
  }),
);

function parseStoredRules(json: string, version: number): MandatoryFieldRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`Mandatory-field policy version ${version} holds rules that are not JSON.`);
  }
  const parsed = storedRulesSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Mandatory-field policy version ${version} holds rules of the wrong shape.`);
  return parsed.data.map((r) => ({
    partnerType: r.partnerType,
    stage: r.stage,
    partnerKind: r.partnerKind ?? null,
    fields: r.fields,
  }));
}

type PolicyRow = DB['field_policies'];

function fromRow(row: PolicyRow): PolicyVersion {
  const version = Number(row.version);
  return {
    version,
    note: row.note,
    publishedAt: row.created_at,
    publishedBy: row.created_by,
    stored: true,
    rules: parseStoredRules(row.rules, version),
  };
}

/** The policy that applies while nothing is stored: the default rules as version 1. */
export function builtInDefaultPolicy(): PolicyVersion {
  return {
    version: 1,
    note: DEFAULT_POLICY_NOTE,
    publishedAt: null,
    publishedBy: null,
    stored: false,
    rules: defaultRules().map((r) => ({ ...r, partnerKind: r.partnerKind ?? null })),
  };
}

// Parsed versions, per database handle. Rows are never edited, so a parsed version stays right forever; each
// read still asks for the newest version number, so a version published anywhere is seen at once.
const parsedCache = new WeakMap<object, PolicyVersion>();

export async function currentPolicy(db: Db): Promise<PolicyVersion> {
  const head = await db
    .selectFrom('field_policies')
    .select('version')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!head) return builtInDefaultPolicy();
  const cached = parsedCache.get(db);
  if (cached && cached.version === Number(head.version)) return cached;
  const row = await db
    .selectFrom('field_policies')
    .selectAll()
    .where('version', '=', head.version)
    .executeTakeFirstOrThrow();
  const policy = fromRow(row);
  parsedCache.set(db, policy);
  return policy;
}

export async function getPolicyVersion(db: Db, version: number): Promise<PolicyVersion> {
  const row = await db
    .selectFrom('field_policies')
    .selectAll()
    .where('version', '=', version)
    .executeTakeFirst();
  if (row) return fromRow(row);
  if (version === 1) {
    const any = await db.selectFrom('field_policies').select('version').limit(1).executeTakeFirst();
    if (!any) return builtInDefaultPolicy();
  }
  throw notFound(`Mandatory-field policy version ${version}`);
}

export interface VersionSummary {
  version: number;
  note: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
  stored: boolean;
  ruleCount: number;
}

function summaryOf(p: PolicyVersion): VersionSummary {
  return {
    version: p.version,
    note: p.note,
    publishedAt: p.publishedAt,
    publishedBy: p.publishedBy,
    stored: p.stored,
    ruleCount: p.rules.length,
  };
}

/** Versions newest first. The cursor is the last version number of the previous page. */
export async function listPolicyVersions(
  store: Store,
  ctx: RequestContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ data: VersionSummary[]; nextCursor: string | null }> {
  assertCan(ctx.actor, 'policy.manage');
  let before: number | null = null;
  if (q.cursor !== undefined) {
    if (!/^[1-9]\d{0,9}$/.test(q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from a previous page.');
    before = Number(q.cursor);
  }
  let query = store.db
    .selectFrom('field_policies')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(q.limit + 1);
  if (before !== null) query = query.where('version', '<', before);
  const rows = await query.execute();
  if (rows.length === 0 && before === null)
    return { data: [summaryOf(builtInDefaultPolicy())], nextCursor: null };
  const page = rows.slice(0, q.limit).map((r) => summaryOf(fromRow(r)));
  const last = page[page.length - 1];
  return { data: page, nextCursor: rows.length > q.limit && last ? String(last.version) : null };
}

export async function loadActiveCustomFields(db: Db): Promise<CustomFieldInfo[]> {
  const rows = await db
    .selectFrom('custom_field_defs')
    .select(['key', 'label', 'partner_types'])
    .where('archived_at', 'is', null)
    .execute();
  return rows.map((r) => ({ key: r.key, label: r.label, partnerTypes: parseStringList(r.partner_types) }));
}

function parseStringList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export interface RuleInput {
  partnerType: string;
  stage: string;
  partnerKind?: string | null | undefined;
  fields: string[];
}

const MAX_REPORTED_ERRORS = 100;

/**
 * Checks every rule of a policy to be published; all problems are reported at once, each naming its path
 * (`body.rules[3].fields[1]`). Returns the rules in their stored form.
 */
export function validateRules(
  input: readonly RuleInput[],
  customFields: readonly CustomFieldInfo[],
): MandatoryFieldRule[] {
  const errors: FieldError[] = [];
  const seenCombos = new Map<string, number>();
  const out: MandatoryFieldRule[] = [];
  input.forEach((rule, i) => {
    const at = `body.rules[${i}]`;
    const typeOk = (PARTNER_TYPES as readonly string[]).includes(rule.partnerType);
    if (!typeOk)
      errors.push({
        field: `${at}.partnerType`,
        message: `Unknown partner type "${rule.partnerType}"; use one of ${PARTNER_TYPES.join(', ')}.`,
      });
    if (!(ALL_STAGES as readonly string[]).includes(rule.stage)) {
      errors.push({
        field: `${at}.stage`,
        message: `Unknown stage "${rule.stage}"; use one of ${ALL_STAGES.join(', ')}.`,
      });
    }
    const kind = rule.partnerKind ?? null;
    if (kind !== null && !(PARTNER_KINDS as readonly string[]).includes(kind)) {
      errors.push({
        field: `${at}.partnerKind`,
        message: `Unknown partner kind "${kind}"; use ${PARTNER_KINDS.join(' or ')}, or leave it out for both.`,
      });
    }
    const combo = `${rule.partnerType}|${rule.stage}|${kind ?? ''}`;
    const earlier = seenCombos.get(combo);
    if (earlier !== undefined) {
      errors.push({
        field: at,
        message: `Repeats rules[${earlier}] (same partnerType, stage and partnerKind); put the fields in one rule.`,
      });
    } else {
      seenCombos.set(combo, i);
    }
    const seenFields = new Set<string>();
    rule.fields.forEach((field, j) => {
      const fieldAt = `${at}.fields[${j}]`;
      if (seenFields.has(field)) {
        errors.push({ field: fieldAt, message: `"${field}" is listed twice in this rule.` });
        return;
      }
      seenFields.add(field);
      const problem = fieldProblem(field, typeOk ? rule.partnerType : null, customFields);
      if (problem) errors.push({ field: fieldAt, message: problem });
    });
    out.push({
      partnerType: rule.partnerType as PartnerType,
      stage: rule.stage as PartnerStage,
      partnerKind: kind as PartnerKind | null,
      fields: [...rule.fields],
    });
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    throw invalid(
      shown,
      `The policy has ${errors.length} invalid field(s); the first is ${shown[0]?.field}: ${shown[0]?.message}`,
    );
  }
  return out;
}

export interface RuleChange {
  partnerType: PartnerType;
  stage: PartnerStage;
  partnerKind: PartnerKind | null;
  added: string[];
  removed: string[];
}

/** What changed between two versions, per partner type × stage × kind: fields added and removed. */
export function diffRules(
  before: readonly MandatoryFieldRule[],
  after: readonly MandatoryFieldRule[],
): RuleChange[] {
  const index = (rules: readonly MandatoryFieldRule[]) => {
    const m = new Map<string, Set<string>>();
    for (const r of rules) {
      const key = `${r.partnerType}|${r.stage}|${r.partnerKind ?? ''}`;
      const set = m.get(key) ?? new Set<string>();
      for (const f of r.fields) set.add(f);
      m.set(key, set);
    }
    return m;
  };
  const b = index(before);
  const a = index(after);
  const changes: RuleChange[] = [];
  for (const partnerType of PARTNER_TYPES) {
    for (const stage of ALL_STAGES) {
      for (const partnerKind of [null, ...PARTNER_KINDS]) {
        const key = `${partnerType}|${stage}|${partnerKind ?? ''}`;
        const was = b.get(key) ?? new Set<string>();
        const now = a.get(key) ?? new Set<string>();
        const added = [...now].filter((f) => !was.has(f));
        const removed = [...was].filter((f) => !now.has(f));
        if (added.length > 0 || removed.length > 0)
          changes.push({ partnerType, stage, partnerKind, added, removed });
      }
    }
  }
  return changes;
}

const POLICY_LOCK_KEY = 726_300_030;

/** Serialises policy publication across instances (PostgreSQL); SQLite has one writer at a time anyway. */
async function lockPolicy(trx: Transaction<DB>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${POLICY_LOCK_KEY})`.execute(trx);
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

async function insertVersion(
  w: WriteScope,
  input: {
    version: number;
    rules: MandatoryFieldRule[];
    note: string | null;
    previous: PolicyVersion | null;
  },
): Promise<PolicyVersion> {
  const now = nowIso();
  const id = newId('policy');
  const stored = input.rules.map((r) => ({
    partnerType: r.partnerType,
    stage: r.stage,
    ...(r.partnerKind ? { partnerKind: r.partnerKind } : {}),
    fields: r.fields,
  }));
  await w.trx
    .insertInto('field_policies')
    .values({
      id,
      version: input.version,
      rules: JSON.stringify(stored),
      note: input.note,
      created_by: w.ctx.actor.id,
      created_at: now,
    })
    .execute();
  const changes = diffRules(input.previous?.rules ?? [], input.rules);
  w.audit({
    action: 'policy.published',
    entityType: 'field_policy',
    entityId: id,
    before: input.previous ? { version: input.previous.version } : null,
    after: { version: input.version, note: input.note, ruleCount: input.rules.length },
    meta: {
      version: input.version,
      previousVersion: input.previous?.version ?? null,
      fieldsAdded: changes.reduce((n, c) => n + c.added.length, 0),
      fieldsRemoved: changes.reduce((n, c) => n + c.removed.length, 0),
      changes,
    },
  });
  return {
    version: input.version,
    note: input.note,
    publishedAt: now,
    publishedBy: w.ctx.actor.id,
    stored: true,
    rules: input.rules,
  };
}

export interface PublishInput {
  rules: RuleInput[];
  note?: string | null | undefined;
  baseVersion?: number | undefined;
}

/**
 * Publishes a new version (previous + 1). When nothing is stored yet, the built-in default is stored first
 * as version 1, so the history is complete and the diff is against what was in force.
 */
export async function publishPolicy(
  store: Store,
  ctx: RequestContext,
  input: PublishInput,
): Promise<PolicyVersion> {
  assertCan(ctx.actor, 'policy.manage');
  const customFields = await loadActiveCustomFields(store.db);
  const rules = validateRules(input.rules, customFields);
  const note = input.note?.trim() ? input.note.trim() : null;
  try {
    return await writeTransaction(store, ctx, async (w) => {
      await lockPolicy(w.trx, store.dialect);
      let previous = await currentPolicy(w.trx);
      if (!previous.stored) {
        previous = await insertVersion(w, {
          version: 1,
          rules: previous.rules,
          note: previous.note,
          previous: null,
        });
      }
      if (input.baseVersion !== undefined && input.baseVersion !== previous.version) {
        throw conflict(
          `Version ${previous.version} was published after version ${input.baseVersion}, which this edit started from; reload and edit again.`,
          { currentVersion: previous.version },
        );
      }
      return insertVersion(w, { version: previous.version + 1, rules, note, previous });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('Another version was published at the same moment; reload and edit again.');
    throw err;
  }
}

class AlreadySeeded extends Error {}

/**
 * Stores the default policy as version 1 when no version exists (called at bootstrap; safe to call on every
 * start and from several instances at once).
 */
export async function ensureDefaultPolicy(store: Store): Promise<{ created: boolean; version: number }> {
  const existing = await currentPolicy(store.db);
  if (existing.stored) return { created: false, version: existing.version };
  const ctx: RequestContext = { actor: systemActor(['policy.manage'], 'policy bootstrap'), requestId: null };
  try {
    return await writeTransaction(store, ctx, async (w) => {
      await lockPolicy(w.trx, store.dialect);
      const now = await currentPolicy(w.trx);
      if (now.stored) throw new AlreadySeeded();
      const seeded = await insertVersion(w, { version: 1, rules: now.rules, note: now.note, previous: null });
      return { created: true, version: seeded.version };
    });
  } catch (err) {
    if (err instanceof AlreadySeeded || isUniqueViolation(err)) {
      return { created: false, version: (await currentPolicy(store.db)).version };
    }
    throw err;
  }
}
