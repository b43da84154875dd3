// Outbound postback setup per partner and event type: list, create, change, enable/disable, rotate the
// signing secret, fire a test through the real delivery path, the delivery log and manual resend. Staff
// with postbacks.write change postbacks of partners they may change (a BDM: own partners); a partner user
// changes its own partner's postbacks. Templates are linted and the destination resolved and checked
// (no private, loopback or link-local addresses unless the operator allows them) at every save.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { diff } from '../../platform/audit/audit.ts';
import { type Actor, assertCan, type RequestContext } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type {
  PartnerPostbacksTable,
  PostbackAttemptsTable,
  PostbackDeliveriesTable,
} from '../../platform/db/schema.ts';
import { conflict, type FieldError, invalid, invalidField, notFound } from '../../platform/errors.ts';
import { isId, newId } from '../../platform/ids.ts';
import { NetRefusal, type Resolver, resolveDestination } from '../../platform/net/index.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { canChangePartner, loadPartnerFor, type PartnerRow } from '../partners/index.ts';
import {
  attemptLocked,
  createTestDelivery,
  type DeliveryOptions,
  lockForResend,
  newWorkerId,
  redactUrlSecrets,
} from './delivery.ts';
import {
  type LintProblem,
  lintBodyMacros,
  lintUrlTemplate,
  type MacroValues,
  renderTemplate,
} from './macros.ts';
import type {
  AttemptView,
  CreatePostbackInput,
  DeliveryStatus,
  DeliveryView,
  PatchPostbackInput,
  PostbackContentType,
  PostbackEventType,
  PostbackView,
} from './postbacks.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;
type PostbackRow = PartnerPostbacksTable;

export interface NetOptions {
  allowPrivateNetwork: boolean;
  resolve?: Resolver;
}

// ---------- access ----------

function isPartnerActor(actor: Actor): boolean {
  return actor.role === 'partner' || actor.partnerId !== null;
}

async function partnerForRead(db: Db, actor: Actor, partnerId: string): Promise<PartnerRow> {
  assertCan(actor, 'postbacks.read');
  return loadPartnerFor(db, actor, partnerId, 'see');
}

/**
 * What a reader sees of the templates: people who may change the postback see them whole (they edit them);
 * everyone else sees secret-looking query values (token, key, secret…) as ***, as in the attempt log.
 */
function presentFor(actor: Actor, partner: PartnerRow): (r: PostbackRow) => PostbackView {
  const whole =
    actor.permissions.has('postbacks.write') && (isPartnerActor(actor) || canChangePartner(actor, partner));
  return (r) => {
    const v = presentPostback(r);
    return whole ? v : { ...v, urlTemplate: redactUrlSecrets(v.urlTemplate) };
  };
}

async function partnerForWrite(db: Db, actor: Actor, partnerId: string): Promise<PartnerRow> {
  assertCan(actor, 'postbacks.write');
  // A partner user sets up its own tracker; staff need the right to change the partner (BDM: own ones).
  return loadPartnerFor(db, actor, partnerId, isPartnerActor(actor) ? 'see' : 'change');
}

async function loadPostback(db: Db, partnerId: string, postbackId: string): Promise<PostbackRow> {
  const row = await db
    .selectFrom('partner_postbacks')
    .selectAll()
    .where('id', '=', postbackId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!row) throw notFound(`Postback ${postbackId}`);
  return row;
}

// ---------- views ----------

export function presentPostback(r: PostbackRow): PostbackView {
  return {
    id: r.id,
    partnerId: r.partner_id,
    eventType: r.event_type as PostbackEventType,
    method: r.method === 'POST' ? 'POST' : 'GET',
    urlTemplate: r.url_template,
    bodyTemplate: r.body_template,
    contentType: (r.content_type as PostbackContentType | null) ?? null,
    signed: r.signing_secret !== null,
    status: r.status === 'disabled' ? 'disabled' : 'active',
    disabledReason: r.disabled_reason,
    consecutiveFailures: Number(r.consecutive_failures),
    firstFailureAt: r.first_failure_at,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

export function presentAttempt(a: PostbackAttemptsTable): AttemptView {
  return {
    id: a.id,
    deliveryId: a.delivery_id,
    attemptNo: Number(a.attempt_no),
    via: a.via as AttemptView['via'],
    method: a.method === 'POST' ? 'POST' : 'GET',
    url: a.url,
    startedAt: a.started_at,
    latencyMs: Number(a.latency_ms),
    statusCode: a.status_code === null ? null : Number(a.status_code),
    error: a.error as AttemptView['error'],
    errorDetail: a.error_detail,
    responseStart: a.response_start,
    outcome: a.outcome === 'success' ? 'success' : 'failure',
  };
}

export function presentDelivery(d: PostbackDeliveriesTable, attempts: PostbackAttemptsTable[]): DeliveryView {
  return {
    id: d.id,
    postbackId: d.postback_id,
    partnerId: d.partner_id,
    eventId: d.event_id,
    eventType: d.event_type as PostbackEventType,
    test: Number(d.is_test) === 1,
    status: d.status as DeliveryStatus,
    attemptCount: Number(d.attempt_no),
    nextAttemptAt: d.next_attempt_at,
    lastError: d.last_error,
    createdAt: d.created_at,
    completedAt: d.completed_at,
    attempts: attempts
      .filter((a) => a.delivery_id === d.id)
      .sort((x, y) => x.attempt_no - y.attempt_no)
      .map(presentAttempt),
  };
}

// ---------- validation ----------

/** Values used for test fires and to check that templates render into something sendable. */
export function sampleValues(partnerId: string, eventType: string): MacroValues {
  const stamp = Math.floor(nowMs() / 1000);
  return {
    click_id: `test-${stamp.toString(36)}-${randomBytes(3).toString('hex')}`,
    sub1: 'test-sub1',
    sub2: 'test-sub2',
    sub3: 'test-sub3',
    sub4: 'test-sub4',
    sub5: 'test-sub5',
    event: eventType,
    txid: `test-tx-${randomBytes(4).toString('hex')}`,
    amount: '100.00',
    currency: 'USD',
    payout: '25.00',
    partner_id: partnerId,
    link_code: 'TEST',
    country: 'CY',
    timestamp: String(stamp),
  };
}

interface Shape {
  method: 'GET' | 'POST';
  urlTemplate: string;
  bodyTemplate: string | null;
  contentType: PostbackContentType | null;
}

function lintErrors(field: string, problems: LintProblem[]): FieldError[] {
  return problems.filter((p) => p.severity === 'error').map((p) => ({ field, message: p.message }));
}

/** Lints the templates and checks the destination now. Throws 422 naming each problem; returns warnings. */
async function checkShape(
  shape: Shape,
  partnerId: string,
  eventType: string,
  net: NetOptions,
): Promise<LintProblem[]> {
  const urlProblems = lintUrlTemplate(shape.urlTemplate);
  const errors = lintErrors('body.urlTemplate', urlProblems);
  const warnings = urlProblems.filter((p) => p.severity === 'warning');
  if (shape.method === 'GET' && shape.bodyTemplate !== null) {
    errors.push({
      field: 'body.bodyTemplate',
      message: 'Only POST postbacks have a body; remove it or use POST.',
    });
  }
  if (shape.method === 'GET' && shape.contentType !== null) {
    errors.push({ field: 'body.contentType', message: 'Only POST postbacks have a content type.' });
  }
  if (shape.bodyTemplate !== null) {
    const bodyProblems = lintBodyMacros(shape.bodyTemplate);
    errors.push(...lintErrors('body.bodyTemplate', bodyProblems));
    warnings.push(...bodyProblems.filter((p) => p.severity === 'warning'));
    if (
      bodyProblems.every((p) => p.severity !== 'error') &&
      (shape.contentType ?? 'application/json') === 'application/json'
    ) {
      const rendered = renderTemplate(shape.bodyTemplate, sampleValues(partnerId, eventType), 'json').text;
      try {
        JSON.parse(rendered);
      } catch {
        errors.push({
          field: 'body.bodyTemplate',
          message:
            'is not valid JSON once the macros are filled in; put string macros in quotes, e.g. {"click": "{click_id}"}.',
        });
      }
    }
  }
  if (errors.length > 0) throw invalid(errors, 'The postback has problems; each is named below.');
  try {
    await resolveDestination(
      renderTemplate(shape.urlTemplate, sampleValues(partnerId, eventType), 'url').text,
      net,
    );
  } catch (err) {
    if (err instanceof NetRefusal) {
      const hint =
        err.kind === 'refused_private'
          ? ' (an operator can allow private networks with PARTNERDESK_ALLOW_PRIVATE_NETWORK=true)'
          : '';
      throw invalidField('body.urlTemplate', `The URL ${err.message}${hint}`);
    }
    throw err;
  }
  return warnings;
}

function newSecret(): string {
  return `pbsec_${randomBytes(32).toString('base64url')}`;
}

/** What the audit log keeps of a postback: no secret, and secret-looking query values redacted. */
function auditShape(
  r: Pick<PostbackRow, 'event_type' | 'method' | 'url_template' | 'body_template' | 'content_type'>,
) {
  return {
    eventType: r.event_type,
    method: r.method,
    urlTemplate: redactUrlSecrets(r.url_template),
    bodyTemplate: r.body_template,
    contentType: r.content_type,
  };
}

// ---------- postbacks ----------

export async function listPostbacks(
  store: Store,
  actor: Actor,
  partnerId: string,
  q: {
    eventType?: string | undefined;
    status?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ data: PostbackView[]; nextCursor: string | null }> {
  const partner = await partnerForRead(store.db, actor, partnerId);
  let query = store.db.selectFrom('partner_postbacks').selectAll().where('partner_id', '=', partner.id);
  if (q.eventType) query = query.where('event_type', '=', q.eventType);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) {
    if (!isId('postback', q.cursor)) throw invalidField('query.cursor', 'is not a cursor from this list.');
    query = query.where('id', '>', q.cursor);
  }
  const rows = await query
    .orderBy('id')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    data: page.map(presentFor(actor, partner)),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getPostback(
  store: Store,
  actor: Actor,
  partnerId: string,
  postbackId: string,
): Promise<PostbackView> {
  const partner = await partnerForRead(store.db, actor, partnerId);
  return presentFor(actor, partner)(await loadPostback(store.db, partner.id, postbackId));
}

export async function createPostback(
  store: Store,
  ctx: RequestContext,
  net: NetOptions,
  partnerId: string,
  body: CreatePostbackInput,
) {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const shape: Shape = {
    method: body.method,
    urlTemplate: body.urlTemplate,
    bodyTemplate: body.bodyTemplate ?? null,
    contentType: body.contentType ?? null,
  };
  const warnings = await checkShape(shape, partner.id, body.eventType, net);
  const secret = body.generateSigningSecret ? newSecret() : null;
  const now = nowIso();
  const row: PostbackRow = {
    id: newId('postback'),
    partner_id: partner.id,
    event_type: body.eventType,
    method: shape.method,
    url_template: shape.urlTemplate,
    body_template: shape.bodyTemplate,
    content_type: shape.method === 'POST' ? (shape.contentType ?? 'application/json') : null,
    signing_secret: secret,
    status: 'active',
    disabled_reason: null,
    consecutive_failures: 0,
    first_failure_at: null,
    last_attempt_at: null,
    last_success_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  await writeTransaction(store, ctx, async (w) => {
    await loadPartnerFor(w.trx, ctx.actor, partner.id, 'see');
    await w.trx.insertInto('partner_postbacks').values(row).execute();
    w.audit({
      action: 'postback.created',
      entityType: 'postback',
      entityId: row.id,
      partnerId: partner.id,
      after: { ...auditShape(row), signed: secret !== null, status: 'active' },
    });
  });
  return { ...presentPostback(row), signingSecret: secret, warnings };
}

export async function updatePostback(
  store: Store,
  ctx: RequestContext,
  net: NetOptions,
  partnerId: string,
  postbackId: string,
  body: PatchPostbackInput,
) {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const current = await loadPostback(store.db, partner.id, postbackId);
  if (body.version !== undefined && body.version !== current.version) {
    throw conflict(
      `The postback changed since you read it (version ${current.version} now, you sent ${body.version}); reload and try again.`,
      {
        currentVersion: current.version,
      },
    );
  }
  const method = body.method ?? (current.method === 'POST' ? 'POST' : 'GET');
  const shape: Shape = {
    method,
    urlTemplate: body.urlTemplate ?? current.url_template,
    // Switching to GET drops the body settings unless the request sets them explicitly.
    bodyTemplate:
      body.bodyTemplate !== undefined ? body.bodyTemplate : method === 'GET' ? null : current.body_template,
    contentType:
      body.contentType !== undefined
        ? body.contentType
        : method === 'GET'
          ? null
          : ((current.content_type as PostbackContentType | null) ?? 'application/json'),
  };
  const eventType = body.eventType ?? current.event_type;
  const warnings = await checkShape(shape, partner.id, eventType, net);
  const next = {
    event_type: eventType,
    method: shape.method,
    url_template: shape.urlTemplate,
    body_template: shape.bodyTemplate,
    content_type: shape.method === 'POST' ? (shape.contentType ?? 'application/json') : null,
  };
  const changes = diff(auditShape(current), auditShape(next));
  if (!changes && next.url_template === current.url_template) {
    return { ...presentPostback(current), signingSecret: null, warnings };
  }
  const now = nowIso();
  await writeTransaction(store, ctx, async (w) => {
    const res = await w.trx
      .updateTable('partner_postbacks')
      .set({ ...next, updated_at: now, version: current.version + 1 })
      .where('id', '=', current.id)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict('The postback was changed at the same moment; reload and try again.');
    w.audit({
      action: 'postback.updated',
      entityType: 'postback',
      entityId: current.id,
      partnerId: partner.id,
      before: changes?.before ?? { urlTemplate: '(changed secret query values)' },
      after: changes?.after ?? { urlTemplate: '(changed secret query values)' },
    });
  });
  return {
    ...presentPostback(await loadPostback(store.db, partner.id, current.id)),
    signingSecret: null,
    warnings,
  };
}

async function setStatus(
  store: Store,
  ctx: RequestContext,
  net: NetOptions,
  partnerId: string,
  postbackId: string,
  to: 'active' | 'disabled',
  reason: string | null,
): Promise<PostbackView> {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const current = await loadPostback(store.db, partner.id, postbackId);
  if (current.status === to) throw conflict(`The postback is already ${to}.`);
  if (to === 'active') {
    // The destination may have moved since it was saved: check it again before sending anything.
    await checkShape(
      {
        method: current.method === 'POST' ? 'POST' : 'GET',
        urlTemplate: current.url_template,
        bodyTemplate: current.body_template,
        contentType:
          current.method === 'POST'
            ? ((current.content_type as PostbackContentType | null) ?? 'application/json')
            : null,
      },
      partner.id,
      current.event_type,
      net,
    );
  }
  const now = nowIso();
  await writeTransaction(store, ctx, async (w) => {
    const res = await w.trx
      .updateTable('partner_postbacks')
      .set({
        status: to,
        disabled_reason: to === 'disabled' ? reason : null,
        // A fresh start: the failure streak that disabled it does not carry over.
        ...(to === 'active' ? { consecutive_failures: 0, first_failure_at: null } : {}),
        updated_at: now,
        version: current.version + 1,
      })
      .where('id', '=', current.id)
      .where('status', '=', current.status)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw conflict('The postback was changed at the same moment; reload and try again.');
    if (to === 'disabled') {
      await w.trx
        .updateTable('postback_deliveries')
        .set({
          status: 'cancelled',
          last_error: 'the postback was disabled',
          next_attempt_at: null,
          updated_at: now,
          completed_at: now,
        })
        .where('postback_id', '=', current.id)
        .where('status', '=', 'pending')
        .where('is_test', '=', 0)
        .execute();
    }
    w.audit({
      action: to === 'active' ? 'postback.enabled' : 'postback.disabled',
      entityType: 'postback',
      entityId: current.id,
      partnerId: partner.id,
      before: { status: current.status },
      after: { status: to },
      reason,
    });
  });
  return presentPostback(await loadPostback(store.db, partner.id, current.id));
}

export function enablePostback(
  store: Store,
  ctx: RequestContext,
  net: NetOptions,
  partnerId: string,
  postbackId: string,
) {
  return setStatus(store, ctx, net, partnerId, postbackId, 'active', null);
}

export function disablePostback(
  store: Store,
  ctx: RequestContext,
  net: NetOptions,
  partnerId: string,
  postbackId: string,
  reason: string,
) {
  return setStatus(store, ctx, net, partnerId, postbackId, 'disabled', reason);
}

export async function rotateSecret(store: Store, ctx: RequestContext, partnerId: string, postbackId: string) {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const current = await loadPostback(store.db, partner.id, postbackId);
  const secret = newSecret();
  await writeTransaction(store, ctx, async (w) => {
    await w.trx
      .updateTable('partner_postbacks')
      .set({ signing_secret: secret, updated_at: nowIso(), version: current.version + 1 })
      .where('id', '=', current.id)
      .execute();
    w.audit({
      action: 'postback.secret_rotated',
      entityType: 'postback',
      entityId: current.id,
      partnerId: partner.id,
      before: { signed: current.signing_secret !== null },
      after: { signed: true },
    });
  });
  return { postbackId: current.id, signingSecret: secret };
}

// ---------- test fire, delivery log, resend ----------

async function deliveryView(db: Db, deliveryId: string): Promise<DeliveryView> {
  const d = await db
    .selectFrom('postback_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  const attempts = await db
    .selectFrom('postback_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .execute();
  return presentDelivery(d, attempts);
}

/** Fires a test delivery with sample values (or the given ones) through the real delivery path. */
export async function testPostback(
  store: Store,
  ctx: RequestContext,
  net: NetOptions & Omit<DeliveryOptions, 'allowPrivateNetwork'>,
  partnerId: string,
  postbackId: string,
  overrides: MacroValues = {},
): Promise<{ delivery: DeliveryView; attempt: AttemptView }> {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const postback = await loadPostback(store.db, partner.id, postbackId);
  const values: MacroValues = { ...sampleValues(partner.id, postback.event_type), ...stripEmpty(overrides) };
  const workerId = `test:${newWorkerId()}`;
  const deliveryId = await writeTransaction(store, ctx, async (w) => {
    const id = await createTestDelivery(w, postback, values, workerId);
    w.audit({
      action: 'postback.tested',
      entityType: 'postback',
      entityId: postback.id,
      partnerId: partner.id,
      meta: { deliveryId: id },
    });
    return id;
  });
  const result = await attemptLocked(store, { ...net, workerId }, deliveryId, 'test');
  if (!result) throw conflict('The test delivery could not be sent; try again.');
  return { delivery: await deliveryView(store.db, deliveryId), attempt: presentAttempt(result.attempt) };
}

function stripEmpty(v: MacroValues): MacroValues {
  return Object.fromEntries(
    Object.entries(v).filter(([, x]) => x !== undefined && x !== null),
  ) as MacroValues;
}

export async function listDeliveries(
  store: Store,
  actor: Actor,
  partnerId: string,
  q: {
    postbackId?: string | undefined;
    status?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  const partner = await partnerForRead(store.db, actor, partnerId);
  let query = store.db.selectFrom('postback_deliveries').selectAll().where('partner_id', '=', partner.id);
  if (q.postbackId) query = query.where('postback_id', '=', q.postbackId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) {
    if (!isId('postbackDelivery', q.cursor))
      throw invalidField('query.cursor', 'is not a cursor from this list.');
    query = query.where('id', '<', q.cursor);
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const attempts =
    page.length === 0
      ? []
      : await store.db
          .selectFrom('postback_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            page.map((d) => d.id),
          )
          .execute();
  return {
    data: page.map((d) => presentDelivery(d, attempts)),
    nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Sends a delivery again now (a new attempt, whatever its status), audited. */
export async function resendDelivery(
  store: Store,
  ctx: RequestContext,
  net: NetOptions & Omit<DeliveryOptions, 'allowPrivateNetwork'>,
  partnerId: string,
  deliveryId: string,
): Promise<{ delivery: DeliveryView; attempt: AttemptView }> {
  const partner = await partnerForWrite(store.db, ctx.actor, partnerId);
  const delivery = await store.db
    .selectFrom('postback_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('partner_id', '=', partner.id)
    .executeTakeFirst();
  if (!delivery) throw notFound(`Delivery ${deliveryId}`);
  const postback = await loadPostback(store.db, partner.id, delivery.postback_id);
  if (postback.status !== 'active') {
    throw conflict('The postback is disabled; enable it (or send a test) before resending deliveries.');
  }
  const workerId = `resend:${newWorkerId()}`;
  await writeTransaction(store, ctx, async (w) => {
    if (!(await lockForResend(w.trx, delivery.id, workerId))) {
      throw conflict(
        'An attempt of this delivery is being sent right now; look at the log in a few seconds.',
      );
    }
    w.audit({
      action: 'postback.resend',
      entityType: 'postback',
      entityId: postback.id,
      partnerId: partner.id,
      meta: { deliveryId: delivery.id, attemptNo: delivery.attempt_no + 1, statusBefore: delivery.status },
    });
  });
  const result = await attemptLocked(store, { ...net, workerId }, delivery.id, 'resend');
  if (!result) throw conflict('The delivery could not be sent; try again.');
  return { delivery: await deliveryView(store.db, delivery.id), attempt: presentAttempt(result.attempt) };
}

/** Every attempt for an event, oldest first (the click story shows them). */
export async function attemptsForEvent(store: Store, eventId: string): Promise<DeliveryView[]> {
  const deliveries = await store.db
    .selectFrom('postback_deliveries')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('id')
    .execute();
  if (deliveries.length === 0) return [];
  const attempts = await store.db
    .selectFrom('postback_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      deliveries.map((d) => d.id),
    )
    .execute();
  return deliveries.map((d) => presentDelivery(d, attempts));
}
