// Partner records: create, read, change, archive and restore. Every rule a partner must meet lives here once
// (parent IB and hierarchy, owner, referral code, custom fields) and is used by the API, the CSV import and
// the demo seed alike; each change is one transaction with its audit entry.
import { type Kysely, sql, type Transaction } from 'kysely';
import { diff } from '../../platform/audit/audit.ts';
import { type Actor, assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { PartnersTable } from '../../platform/db/schema.ts';
import {
  AppError,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  invalidField,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso } from '../../platform/time.ts';
import { type Store, type WriteScope, writeTransaction } from '../../platform/tx.ts';
import {
  type CustomFieldDef,
  type CustomFieldValue,
  checkCustomFieldValues,
  loadActiveCustomFieldDefs,
} from './custom-fields.service.ts';
import { isUniqueViolation, NoChange, parseOrInvalid, unlessNoChange } from './parse.ts';
import {
  type ParsedPartnerInput,
  type PartnerInput,
  type PartnerPatch,
  type PartnerView,
  partnerInputSchema,
  partnerPatchSchema,
} from './partner.schemas.ts';
import { loadPartnerFor } from './partner-access.ts';
import { partnerRecord, presentPartner } from './partner-view.ts';
import { MAX_HIERARCHY_DEPTH, OWNER_ROLES, PARTNER_STAGES, type PartnerStage } from './reference-data.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** What the hierarchy rules need to know about a partner. */
export interface PartnerNode {
  id: string;
  type: string;
  parent_id: string | null;
  archived_at: string | null;
}

/**
 * Where the rules look things up. The API uses the database; the CSV import layers the rows of the file on
 * top (a row may name a parent created earlier in the same file) and answers from prefetched sets.
 */
export interface RuleEnv {
  actor: Actor;
  defs: Map<string, CustomFieldDef>;
  lookup(id: string): Promise<PartnerNode | undefined>;
  codeTaken(code: string, selfId: string | null): Promise<boolean>;
  ownerProblem(ownerId: string): Promise<string | null>;
  /** The name of a field in errors: `body.country` for the API, the CSV column for an import. */
  field(name: string): string;
  /** The API answers 403 when a BDM assigns someone else; the import reports it as a row error. */
  ownerRule: 'forbid' | 'report';
}

export function dbRuleEnv(db: Db, actor: Actor, defs: Map<string, CustomFieldDef>, prefix = 'body'): RuleEnv {
  return {
    actor,
    defs,
    lookup: (id) =>
      db
        .selectFrom('partners')
        .select(['id', 'type', 'parent_id', 'archived_at'])
        .where('id', '=', id)
        .executeTakeFirst(),
    async codeTaken(code, selfId) {
      let q = db
        .selectFrom('partners')
        .select('id')
        .where(sql<string>`lower(referral_code)`, '=', code.toLowerCase());
      if (selfId) q = q.where('id', '!=', selfId);
      return (await q.executeTakeFirst()) !== undefined;
    },
    ownerProblem: (ownerId) => ownerProblem(db, ownerId),
    field: (name) => `${prefix}.${name}`,
    ownerRule: 'forbid',
  };
}

export async function ownerProblem(db: Db, ownerId: string): Promise<string | null> {
  const user = await db
    .selectFrom('users')
    .select(['role', 'status'])
    .where('id', '=', ownerId)
    .executeTakeFirst();
  if (!user) return 'is not a user';
  if (user.status !== 'active') return 'is a disabled user';
  if (!(OWNER_ROLES as readonly string[]).includes(user.role)) {
    return `is a ${user.role} user; an owner must be a ${OWNER_ROLES.join(', ')} user`;
  }
  return null;
}

const OWNER_FORBIDDEN =
  'You can make only yourself the owner; ask a Team Lead or Ops to assign another owner.';

function checkOwnerRule(
  env: RuleEnv,
  ownerId: string | null,
  errors: FieldError[],
  allowNone: boolean,
): void {
  if (env.actor.permissions.has('partners.update_any')) return;
  if (ownerId === env.actor.id || (allowNone && ownerId === null)) return;
  if (env.ownerRule === 'forbid') throw forbidden(OWNER_FORBIDDEN);
  errors.push({ field: env.field('ownerId'), message: OWNER_FORBIDDEN });
}

/**
 * Why `parentId` cannot be the parent of partner `selfId` (null for a new partner) whose own subtree is
 * `subtreeHeight` levels deep, or null when it can: the parent must exist, be an IB, not be archived, not be
 * the partner or one of its descendants, and the hierarchy may not grow deeper than MAX_HIERARCHY_DEPTH.
 */
export async function parentProblem(
  lookup: RuleEnv['lookup'],
  selfId: string | null,
  parentId: string,
  subtreeHeight: number,
): Promise<string | null> {
  if (parentId === selfId) return 'cannot be the partner itself';
  const parent = await lookup(parentId);
  if (!parent) return `is not a partner (${parentId})`;
  if (parent.type !== 'ib') return `must be a partner of type ib (${parentId} is ${parent.type})`;
  if (parent.archived_at) return 'is archived';
  let level = 1;
  const seen = new Set([parent.id]);
  let current: PartnerNode | undefined = parent;
  while (current?.parent_id) {
    if (current.parent_id === selfId) return 'would make the partner its own ancestor (a cycle)';
    if (seen.has(current.parent_id)) return 'belongs to a hierarchy that already has a cycle';
    seen.add(current.parent_id);
    current = await lookup(current.parent_id);
    level += 1;
    if (level > MAX_HIERARCHY_DEPTH + 1) break;
  }
  if (level + 1 + subtreeHeight > MAX_HIERARCHY_DEPTH) {
    return `would make the IB hierarchy deeper than ${MAX_HIERARCHY_DEPTH} levels`;
  }
  return null;
}

/** How many levels of sub-partners sit under a partner (0 when it has none). */
async function subtreeHeight(db: Db, id: string): Promise<number> {
  const result = await sql<{ h: number | null }>`
    with recursive sub(id, lvl) as (
      select id, 1 from partners where parent_id = ${id}
      union all
      select p.id, sub.lvl + 1 from partners p join sub on p.parent_id = sub.id where sub.lvl <= ${MAX_HIERARCHY_DEPTH}
    )
    select max(lvl) as h from sub`.execute(db);
  return Number(result.rows[0]?.h ?? 0);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function randomCode(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += CODE_ALPHABET[Math.floor(Math.random() * CODE_ALPHABET.length)];
  return out;
}

export async function generateReferralCode(env: RuleEnv): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = randomCode();
    if (!(await env.codeTaken(code, null))) return code;
  }
  throw new AppError('unavailable', 'Could not generate a free referral code; try again.');
}

export function searchTextOf(p: {
  display_name: string;
  legal_name: string | null;
  email: string | null;
  referral_code: string;
}): string {
  return [p.display_name, p.legal_name, p.email, p.referral_code]
    .filter((v): v is string => !!v)
    .join('\n')
    .toLowerCase();
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/**
 * Checks a new partner against every rule and builds its row. Returns the errors instead of throwing so the
 * import can report every row; the API throws them as one 422.
 */
export async function prepareNewPartner(
  env: RuleEnv,
  input: ParsedPartnerInput,
  stage: PartnerStage = 'intake',
): Promise<{ row: PartnersTable; errors: FieldError[] }> {
  const errors: FieldError[] = [];
  const id = newId('partner');
  const now = nowIso();
  const type = input.type ?? 'affiliate';
  const defaultOwner = env.actor.type === 'user' && env.actor.role === 'bdm' ? env.actor.id : null;
  const ownerId = input.ownerId !== undefined ? input.ownerId : defaultOwner;
  checkOwnerRule(env, ownerId, errors, true);
  if (ownerId !== null) {
    const problem = await env.ownerProblem(ownerId);
    if (problem) errors.push({ field: env.field('ownerId'), message: problem });
  }
  const parentId = input.parentId ?? null;
  if (parentId !== null) {
    const problem = await parentProblem(env.lookup, null, parentId, 0);
    if (problem) errors.push({ field: env.field('parentId'), message: problem });
  }
  let referralCode = input.referralCode ?? null;
  if (referralCode !== null && (await env.codeTaken(referralCode, null))) {
    errors.push({ field: env.field('referralCode'), message: 'is already used by another partner' });
  }
  if (referralCode === null) referralCode = await generateReferralCode(env);
  const custom = checkCustomFieldValues(env.defs, type, input.customFields ?? {}, {}, (k) =>
    env.field(`customFields.${k}`),
  );
  errors.push(...custom.errors);
  const tags = unique(input.tags ?? []);
  const row: PartnersTable = {
    id,
    display_name: input.displayName,
    legal_name: input.legalName ?? null,
    kind: input.kind ?? 'company',
    type,
    stage,
    parent_id: parentId,
    country: input.country ?? null,
    languages: JSON.stringify(unique(input.languages ?? [])),
    websites: JSON.stringify(unique(input.websites ?? [])),
    traffic_sources: JSON.stringify(unique(input.trafficSources ?? [])),
    email: input.email ?? null,
    phone: input.phone ?? null,
    owner_id: ownerId,
    tier: input.tier ?? null,
    referral_code: referralCode,
    tags: JSON.stringify(tags),
    custom_fields: JSON.stringify(custom.values),
    search_text: '',
    archived_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  row.search_text = searchTextOf(row);
  return { row, errors };
}

/**
 * What other modules do, in the same transaction, when partners are created: onboarding opens the first
 * stage and its tasks. Hooks register from their module's index.ts (partners cannot import onboarding,
 * which builds on partners).
 */
export type PartnerCreatedHook = (w: WriteScope, partners: readonly PartnersTable[]) => Promise<void>;
const partnerCreatedHooks: PartnerCreatedHook[] = [];

export function onPartnersCreated(hook: PartnerCreatedHook): void {
  if (!partnerCreatedHooks.includes(hook)) partnerCreatedHooks.push(hook);
}

/** Inserts new partners (rows, tags) and runs the creation hooks, inside the caller's write transaction. */
export async function insertPartners(w: WriteScope, rows: PartnersTable[]): Promise<void> {
  await insertPartnerRows(w.trx, rows);
  for (const hook of partnerCreatedHooks) await hook(w, rows);
}

/** Inserts new partner rows and their tags (in chunks); a referral code taken meanwhile is a 409. */
export async function insertPartnerRows(trx: Transaction<DB>, rows: PartnersTable[]): Promise<void> {
  const CHUNK = 200;
  try {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      await trx.insertInto('partners').values(chunk).execute();
      const tags = chunk.flatMap((r) =>
        (JSON.parse(r.tags) as string[]).map((tag) => ({ partner_id: r.id, tag })),
      );
      for (let j = 0; j < tags.length; j += 500) {
        await trx
          .insertInto('partner_tags')
          .values(tags.slice(j, j + 500))
          .execute();
      }
    }
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict('The referral code was taken by another partner at the same moment; try again.', {
        errors: [{ field: 'body.referralCode', message: 'is already used by another partner' }],
      });
    }
    throw err;
  }
}

export interface CreatePartnerOptions {
  /** The stage to start in; only the system actor (demo seed, migrations) may choose one. Default intake. */
  stage?: PartnerStage;
}

/** Creates a partner. Usable by any module (and the demo seed, with the system actor and a stage). */
export async function createPartner(
  store: Store,
  ctx: RequestContext,
  input: PartnerInput,
  opts: CreatePartnerOptions = {},
): Promise<PartnerView> {
  assertCan(ctx.actor, 'partners.create');
  if (ctx.actor.partnerId || ctx.actor.role === 'partner')
    throw forbidden('Partner users cannot create partners.');
  if (opts.stage !== undefined) {
    if (ctx.actor.type !== 'system')
      throw forbidden('Only the system can create a partner at a given stage.');
    if (!(PARTNER_STAGES as readonly string[]).includes(opts.stage))
      throw invalidField('stage', `Unknown stage "${opts.stage}".`);
  }
  const parsed = parseOrInvalid(partnerInputSchema, input, 'body');
  return writeTransaction(store, ctx, async (w) => {
    const env = dbRuleEnv(w.trx, ctx.actor, await loadActiveCustomFieldDefs(w.trx));
    const { row, errors } = await prepareNewPartner(env, parsed, opts.stage);
    if (errors.length > 0) throw invalid(errors);
    await insertPartners(w, [row]);
    w.audit({
      action: 'partner.created',
      entityType: 'partner',
      entityId: row.id,
      partnerId: row.id,
      after: partnerRecord(row),
    });
    return presentPartner(w.trx, row);
  });
}

/** One partner as the actor may see it (404 when they may not). */
export async function getPartner(db: Db, ctx: RequestContext, id: string): Promise<PartnerView> {
  assertCan(ctx.actor, 'partners.read');
  const row = await loadPartnerFor(db, ctx.actor, id, 'see');
  return presentPartner(db, row);
}

export async function updatePartner(
  store: Store,
  ctx: RequestContext,
  id: string,
  patch: PartnerPatch,
): Promise<PartnerView> {
  assertCan(ctx.actor, 'partners.update');
  const body = parseOrInvalid(partnerPatchSchema, patch, 'body');
  const write = writeTransaction(store, ctx, async (w) => {
    const current = await loadPartnerFor(w.trx, ctx.actor, id, 'change');
    if (body.version !== undefined && body.version !== current.version) {
      throw conflict(
        `The partner changed since you read it (you sent version ${body.version}, it is now ${current.version}). Reload and try again.`,
        { currentVersion: current.version },
      );
    }
    const env = dbRuleEnv(w.trx, ctx.actor, await loadActiveCustomFieldDefs(w.trx));
    const errors: FieldError[] = [];
    const type = body.type ?? current.type;

    const ownerId = body.ownerId !== undefined ? body.ownerId : current.owner_id;
    if (ownerId !== current.owner_id) {
      checkOwnerRule(env, ownerId, errors, false);
      if (ownerId !== null) {
        const problem = await env.ownerProblem(ownerId);
        if (problem) errors.push({ field: 'body.ownerId', message: problem });
      }
    }

    const parentId = body.parentId !== undefined ? body.parentId : current.parent_id;
    if (parentId !== null && parentId !== current.parent_id) {
      const problem = await parentProblem(env.lookup, id, parentId, await subtreeHeight(w.trx, id));
      if (problem) errors.push({ field: 'body.parentId', message: problem });
    }

    if (current.type === 'ib' && type !== 'ib') {
      const child = await w.trx
        .selectFrom('partners')
        .select('id')
        .where('parent_id', '=', id)
        .executeTakeFirst();
      if (child)
        errors.push({ field: 'body.type', message: 'must stay ib while the partner has sub-partners' });
    }

    const referralCode = body.referralCode ?? current.referral_code;
    if (referralCode !== current.referral_code && (await env.codeTaken(referralCode, id))) {
      errors.push({ field: 'body.referralCode', message: 'is already used by another partner' });
    }

    const custom = checkCustomFieldValues(
      env.defs,
      type,
      body.customFields ?? {},
      JSON.parse(current.custom_fields) as Record<string, CustomFieldValue>,
      (k) => `body.customFields.${k}`,
    );
    errors.push(...custom.errors);
    if (errors.length > 0) throw invalid(errors);

    const next: PartnersTable = {
      ...current,
      display_name: body.displayName ?? current.display_name,
      legal_name: body.legalName !== undefined ? body.legalName : current.legal_name,
      kind: body.kind ?? current.kind,
      type,
      parent_id: parentId,
      country: body.country !== undefined ? body.country : current.country,
      languages: body.languages ? JSON.stringify(unique(body.languages)) : current.languages,
      websites: body.websites ? JSON.stringify(unique(body.websites)) : current.websites,
      traffic_sources: body.trafficSources
        ? JSON.stringify(unique(body.trafficSources))
        : current.traffic_sources,
      email: body.email !== undefined ? body.email : current.email,
      phone: body.phone !== undefined ? body.phone : current.phone,
      owner_id: ownerId,
      tier: body.tier !== undefined ? body.tier : current.tier,
      referral_code: referralCode,
      tags: body.tags ? JSON.stringify(unique(body.tags)) : current.tags,
      custom_fields: JSON.stringify(custom.values),
    };
    next.search_text = searchTextOf(next);
    const changes = diff(partnerRecord(current), partnerRecord(next));
    if (!changes) throw new NoChange(await presentPartner(w.trx, current));

    next.updated_at = nowIso();
    next.version = current.version + 1;
    try {
      const result = await w.trx
        .updateTable('partners')
        .set({ ...next, id: undefined })
        .where('id', '=', id)
        .where('version', '=', current.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw conflict('The partner changed while this change was being saved. Reload and try again.');
      }
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('The referral code was taken by another partner at the same moment.', {
          errors: [{ field: 'body.referralCode', message: 'is already used by another partner' }],
        });
      }
      throw err;
    }
    if (next.tags !== current.tags) {
      await w.trx.deleteFrom('partner_tags').where('partner_id', '=', id).execute();
      const tags = JSON.parse(next.tags) as string[];
      if (tags.length > 0) {
        await w.trx
          .insertInto('partner_tags')
          .values(tags.map((tag) => ({ partner_id: id, tag })))
          .execute();
      }
    }
    w.audit({ action: 'partner.updated', entityType: 'partner', entityId: id, partnerId: id, ...changes });
    return presentPartner(w.trx, next);
  });
  return unlessNoChange(write);
}

async function setArchived(
  store: Store,
  ctx: RequestContext,
  id: string,
  archive: boolean,
  reason: string | null,
): Promise<PartnerView> {
  assertCan(ctx.actor, 'partners.archive');
  return writeTransaction(store, ctx, async (w) => {
    const current = await loadPartnerFor(w.trx, ctx.actor, id, 'change');
    if (archive && current.archived_at) throw conflict(`Partner ${id} is already archived.`);
    if (!archive && !current.archived_at) throw conflict(`Partner ${id} is not archived.`);
    const now = nowIso();
    const next: PartnersTable = {
      ...current,
      archived_at: archive ? now : null,
      updated_at: now,
      version: current.version + 1,
    };
    const result = await w.trx
      .updateTable('partners')
      .set({ archived_at: next.archived_at, updated_at: now, version: next.version })
      .where('id', '=', id)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw conflict('The partner changed at the same moment. Try again.');
    w.audit({
      action: archive ? 'partner.archived' : 'partner.restored',
      entityType: 'partner',
      entityId: id,
      partnerId: id,
      before: { archivedAt: current.archived_at },
      after: { archivedAt: next.archived_at },
      reason,
    });
    return presentPartner(w.trx, next);
  });
}

export function archivePartner(store: Store, ctx: RequestContext, id: string, reason: string | null = null) {
  return setArchived(store, ctx, id, true, reason);
}

export function restorePartner(store: Store, ctx: RequestContext, id: string, reason: string | null = null) {
  return setArchived(store, ctx, id, false, reason);
}
