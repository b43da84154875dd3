// Delivering outbound postbacks. Ingestion writes an outbox row (topic `postback.event`) in the transaction
// that stores an event; `runOutboxCycle` turns each row into one delivery job per active postback of that
// partner and event type (idempotent per outbox row and postback) and marks the row processed, in one
// transaction. `runDeliveryCycle` claims due jobs, sends each through the SSRF-safe client, logs the attempt
// and schedules the next one: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (+ up to 10% jitter),
// then the job is dead. A postback that fails 10 times in a row within 72 hours is disabled and its
// partner's owner told through a tracking risk flag.
//
// Claiming is safe across instances sharing one PostgreSQL: a job is taken by a conditional UPDATE that
// sets locked_by/locked_until only where nobody holds an unexpired lease (PostgreSQL: FOR UPDATE SKIP
// LOCKED), outbox rows are read FOR UPDATE SKIP LOCKED inside the consuming transaction, and an attempt
// number is unique per job. The lease (60 s) outlives the longest exchange (10 s), so one attempt is sent
// by one worker.
//
// Signing: with a signing secret, every request carries
//   X-Partnerdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<signed content>")>
// where the signed content is the request body for POST and the full URL as sent for GET (a GET carries
// its data in the query string). X-Partnerdesk-Delivery names the job and stays the same across attempts,
// so a receiver can drop duplicates; X-Partnerdesk-Attempt counts the attempts.
import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type RequestContext, systemActor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type {
  PartnerPostbacksTable,
  PostbackAttemptsTable,
  PostbackDeliveriesTable,
} from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { type Resolver, type SafeResponse, safeRequest } from '../../platform/net/index.ts';
import { nowIso, nowMs } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { raiseRiskFlag } from '../due-diligence/index.ts';
import { MACROS, type MacroValues, renderTemplate } from './macros.ts';
import {
  type PostbackContentType,
  type PostbackEventType,
  postbackEventPayloadSchema,
} from './postbacks.schemas.ts';

export const POSTBACK_TOPIC = 'postback.event';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** Delay before attempt n+1 after n failed attempts (index n-1). After the last one the job is dead. */
export const RETRY_DELAYS_MS = [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER_FRACTION = 0.1;
export const DISABLE_AFTER_FAILURES = 10;
export const DISABLE_WINDOW_MS = 72 * H;
export const LEASE_MS = 60 * S;
export const RESPONSE_START_BYTES = 1024;

/** The delay before the next attempt after `attemptsMade` failed ones, or null when there is none left. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return base + Math.floor(base * JITTER_FRACTION * random());
}

export interface DeliveryOptions {
  allowPrivateNetwork: boolean;
  /** Names this worker in locks and attempt rows (default: host:pid:random). */
  workerId?: string;
  resolve?: Resolver;
  /** Jobs claimed per cycle (default 20). */
  batchSize?: number;
  /** Jobs sent at the same time (default 8). */
  concurrency?: number;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const defaultWorkerId = newWorkerId();

/** The actor background work records changes as. */
export const workerCtx: RequestContext = {
  actor: systemActor(
    ['partners.read', 'risk.manage', 'postbacks.read', 'postbacks.write'],
    'postback worker',
  ),
  requestId: null,
};

type Db = Kysely<DB> | Transaction<DB>;
type PostbackRow = PartnerPostbacksTable;
type DeliveryRow = PostbackDeliveriesTable;
type AttemptRow = PostbackAttemptsTable;

// ---------- Building the request ----------

const SECRET_PARAM = /token|secret|key|pass|auth|sig|session|credential/i;

/** The URL with the values of secret-looking query parameters replaced by *** (for the attempt log). */
export function redactUrlSecrets(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* keep as written */
      }
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** Macros used by the templates that had no value. */
  empty: string[];
}

export function sign(secret: string, timestamp: number, content: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${content}`).digest('hex');
}

/** The request one attempt sends: templates rendered with the values, signed when there is a secret. */
export function buildRequest(
  postback: Pick<
    PostbackRow,
    'method' | 'url_template' | 'body_template' | 'content_type' | 'signing_secret'
  >,
  values: MacroValues,
  deliveryId: string,
  attemptNo: number,
  atMs: number = nowMs(),
): OutboundRequest {
  const url = renderTemplate(postback.url_template, values, 'url');
  const empty = new Set(url.empty);
  const method = postback.method === 'POST' ? 'POST' : 'GET';
  const headers: Record<string, string> = {
    'user-agent': 'Partnerdesk-Postback/1',
    'x-partnerdesk-delivery': deliveryId,
    'x-partnerdesk-attempt': String(attemptNo),
  };
  let body: string | null = null;
  if (method === 'POST') {
    const contentType = (postback.content_type ?? 'application/json') as PostbackContentType;
    headers['content-type'] = contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType;
    if (postback.body_template) {
      const how =
        contentType === 'application/json'
          ? 'json'
          : contentType === 'application/x-www-form-urlencoded'
            ? 'form'
            : 'none';
      const r = renderTemplate(postback.body_template, values, how);
      for (const m of r.empty) empty.add(m);
      body = r.text;
    } else {
      // No body template: every macro value, as JSON or as a form.
      const all = Object.fromEntries(MACROS.map((m) => [m, values[m] ?? '']));
      body =
        contentType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(all).toString()
          : JSON.stringify(all);
    }
  }
  if (postback.signing_secret) {
    const t = Math.floor(atMs / 1000);
    headers['x-partnerdesk-signature'] =
      `t=${t},v1=${sign(postback.signing_secret, t, method === 'POST' ? (body ?? '') : url.text)}`;
  }
  return { method, url: url.text, headers, body, empty: MACROS.filter((m) => empty.has(m)) };
}

// ---------- Judging the answer ----------

const REJECT_WORDS =
  /\b(error|errors|invalid|rejected|reject|duplicate|denied|fail|failed|failure|unauthori[sz]ed|forbidden|not found)\b/i;
const REJECT_STATUS = /^(error|fail|failed|failure|rejected|invalid|duplicate|denied|ko|nok)$/i;

/** Why a 2xx answer still says no (JSON status/success flags, or a short body naming an error), or null. */
export function rejectionIn(body: string): string | null {
  const text = body.trim();
  if (!text) return null;
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        for (const key of ['status', 'result', 'state']) {
          const v = json[key];
          if (typeof v === 'string' && REJECT_STATUS.test(v.trim())) return `"${key}": "${v}"`;
        }
        for (const key of ['success', 'ok', 'accepted']) if (json[key] === false) return `"${key}": false`;
        const err = json.error ?? json.errors;
        if (
          err !== undefined &&
          err !== null &&
          err !== false &&
          err !== '' &&
          !(Array.isArray(err) && err.length === 0)
        ) {
          return `"error": ${JSON.stringify(err).slice(0, 100)}`;
        }
        return null;
      }
    } catch {
      /* not JSON: judged as text below */
    }
  }
  if (text.length <= 200) {
    const m = REJECT_WORDS.exec(text);
    if (m) return `"${m[0]}"`;
  }
  return null;
}

export type AttemptError =
  | 'timeout'
  | 'refused_private'
  | 'dns'
  | 'connection'
  | 'redirect'
  | 'invalid_url'
  | 'http_status'
  | 'rejected_body';

export interface Verdict {
  outcome: 'success' | 'failure';
  error: AttemptError | null;
  detail: string | null;
}

/** Success is a 2xx without a rejection in its body; anything else is a failure with its reason. */
export function judge(res: SafeResponse): Verdict {
  if (res.error) return { outcome: 'failure', error: res.error.kind, detail: res.error.message };
  const code = res.statusCode ?? 0;
  if (code < 200 || code > 299)
    return {
      outcome: 'failure',
      error: 'http_status',
      detail: `answered ${code}; only 2xx counts as delivered`,
    };
  const rejection = rejectionIn(res.body);
  if (rejection)
    return {
      outcome: 'failure',
      error: 'rejected_body',
      detail: `2xx with a rejection in the body (${rejection})`,
    };
  return { outcome: 'success', error: null, detail: null };
}

// ---------- Outbox → delivery jobs ----------

function parseValues(text: string): MacroValues {
  try {
    return JSON.parse(text) as MacroValues;
  } catch {
    return {};
  }
}

/** Consumes pending `postback.event` outbox rows. Returns how many rows were processed and jobs created. */
export async function runOutboxCycle(
  store: Store,
  opts: { limit?: number } = {},
): Promise<{ processed: number; created: number }> {
  // A cheap look first, so an idle instance does not open a transaction every second.
  const waiting = await store.db
    .selectFrom('outbox')
    .select('id')
    .where('topic', '=', POSTBACK_TOPIC)
    .where('processed_at', 'is', null)
    .where('available_at', '<=', nowIso())
    .limit(1)
    .executeTakeFirst();
  if (!waiting) return { processed: 0, created: 0 };
  return writeTransaction(
    store,
    workerCtx,
    async (w) => {
      const now = nowIso();
      let q = w.trx
        .selectFrom('outbox')
        .selectAll()
        .where('topic', '=', POSTBACK_TOPIC)
        .where('processed_at', 'is', null)
        .where('available_at', '<=', now)
        .orderBy('available_at')
        .orderBy('id')
        .limit(opts.limit ?? 100);
      if (store.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      let created = 0;
      for (const row of rows) {
        let error: string | null = null;
        let payload: ReturnType<typeof postbackEventPayloadSchema.parse> | null = null;
        try {
          const parsed = postbackEventPayloadSchema.safeParse(JSON.parse(row.payload));
          if (parsed.success) payload = parsed.data;
          else
            error = `invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ')}`;
        } catch {
          error = 'invalid payload: not JSON';
        }
        if (payload) {
          const postbacks = await w.trx
            .selectFrom('partner_postbacks')
            .select(['id'])
            .where('partner_id', '=', payload.partnerId)
            .where('event_type', '=', payload.eventType)
            .where('status', '=', 'active')
            .execute();
          const values: MacroValues = {
            event: payload.eventType,
            partner_id: payload.partnerId,
            ...stripNulls(payload.values),
          };
          for (const pb of postbacks) {
            const res = await w.trx
              .insertInto('postback_deliveries')
              .values({
                id: newId('postbackDelivery'),
                postback_id: pb.id,
                partner_id: payload.partnerId,
                event_id: payload.eventId,
                outbox_id: row.id,
                event_type: payload.eventType,
                macro_values: JSON.stringify(values),
                is_test: payload.isTest ? 1 : 0,
                attempt_no: 0,
                status: 'pending',
                next_attempt_at: now,
                locked_until: null,
                locked_by: null,
                last_error: null,
                created_at: now,
                updated_at: now,
                completed_at: null,
              })
              .onConflict((oc) => oc.columns(['outbox_id', 'postback_id']).doNothing())
              .executeTakeFirst();
            created += Number(res.numInsertedOrUpdatedRows ?? 0n);
          }
        }
        await w.trx
          .updateTable('outbox')
          .set({ processed_at: now, attempts: sql`attempts + 1`, last_error: error, locked_until: null })
          .where('id', '=', row.id)
          .where('processed_at', 'is', null)
          .execute();
      }
      return { processed: rows.length, created };
    },
    {
      unauditedBecause:
        'turning recorded events into delivery jobs; every attempt is logged in postback_attempts',
    },
  );
}

function stripNulls(values: MacroValues): MacroValues {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== null && v !== undefined),
  ) as MacroValues;
}

// ---------- Claiming and sending ----------

/** Claims up to `limit` due jobs for this worker. A job held by an unexpired lease is never taken. */
export async function claimDueDeliveries(store: Store, workerId: string, limit: number): Promise<string[]> {
  const now = nowIso();
  const until = new Date(nowMs() + LEASE_MS).toISOString();
  if (store.dialect === 'postgres') {
    const res = await sql<{ id: string }>`
      update postback_deliveries set locked_by = ${workerId}, locked_until = ${until}
      where id in (
        select id from postback_deliveries
        where status = 'pending' and next_attempt_at <= ${now} and (locked_until is null or locked_until < ${now})
        order by next_attempt_at
        limit ${limit}
        for update skip locked
      )
      and status = 'pending' and (locked_until is null or locked_until < ${now})
      returning id`.execute(store.db);
    return res.rows.map((r) => r.id);
  }
  const candidates = await store.db
    .selectFrom('postback_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const won: string[] = [];
  for (const c of candidates) {
    const res = await tryLock(store.db, c.id, workerId, now, until, true);
    if (res) won.push(c.id);
  }
  return won;
}

/** Conditional lock of one job; true when this caller now holds it. */
async function tryLock(
  db: Db,
  id: string,
  workerId: string,
  now: string,
  until: string,
  onlyPending: boolean,
): Promise<boolean> {
  let q = db
    .updateTable('postback_deliveries')
    .set({ locked_by: workerId, locked_until: until })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
  if (onlyPending) q = q.where('status', '=', 'pending');
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Locks a job for a manual resend (any status); false when a worker holds it right now. */
export async function lockForResend(db: Db, id: string, workerId: string): Promise<boolean> {
  return tryLock(db, id, workerId, nowIso(), new Date(nowMs() + LEASE_MS).toISOString(), false);
}

export interface AttemptOutcome {
  attempt: AttemptRow;
  delivery: DeliveryRow;
  /** True when this attempt disabled the postback. */
  disabledPostback: boolean;
}

/**
 * Sends the next attempt of a job this worker holds, records it and releases the job. `via` says why:
 * the schedule, a manual resend, or a test fire. Returns null when the job was not ours or has no postback.
 */
export async function attemptLocked(
  store: Store,
  opts: DeliveryOptions,
  deliveryId: string,
  via: 'schedule' | 'resend' | 'test',
): Promise<AttemptOutcome | null> {
  const workerId = opts.workerId ?? defaultWorkerId;
  const delivery = await store.db
    .selectFrom('postback_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  if (!delivery) return null;
  const postback = await store.db
    .selectFrom('partner_postbacks')
    .selectAll()
    .where('id', '=', delivery.postback_id)
    .executeTakeFirst();
  if (!postback || (postback.status !== 'active' && via === 'schedule')) {
    await store.db
      .updateTable('postback_deliveries')
      .set({
        status: 'cancelled',
        last_error: 'the postback is disabled',
        locked_by: null,
        locked_until: null,
        updated_at: nowIso(),
        completed_at: nowIso(),
      })
      .where('id', '=', deliveryId)
      .where('locked_by', '=', workerId)
      .execute();
    return null;
  }

  const attemptNo = delivery.attempt_no + 1;
  const startedAt = nowIso();
  const startedMs = nowMs();
  const request = buildRequest(
    postback,
    parseValues(delivery.macro_values),
    delivery.id,
    attemptNo,
    startedMs,
  );
  const res = await safeRequest({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    allowPrivateNetwork: opts.allowPrivateNetwork,
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.totalTimeoutMs !== undefined ? { totalTimeoutMs: opts.totalTimeoutMs } : {}),
  });
  const verdict = judge(res);
  return recordAttempt(store, opts, {
    delivery,
    postback,
    attemptNo,
    via,
    startedAt,
    request,
    res,
    verdict,
    workerId,
  });
}

async function recordAttempt(
  store: Store,
  opts: DeliveryOptions,
  a: {
    delivery: DeliveryRow;
    postback: PostbackRow;
    attemptNo: number;
    via: 'schedule' | 'resend' | 'test';
    startedAt: string;
    request: OutboundRequest;
    res: SafeResponse;
    verdict: Verdict;
    workerId: string;
  },
): Promise<AttemptOutcome> {
  const { delivery, postback, verdict } = a;
  const outcome = await writeTransaction(
    store,
    workerCtx,
    async (w) => {
      const now = nowIso();
      const attempt: AttemptRow = {
        id: newId('postbackAttempt'),
        delivery_id: delivery.id,
        postback_id: postback.id,
        partner_id: postback.partner_id,
        attempt_no: a.attemptNo,
        via: a.via,
        method: a.request.method,
        url: redactUrlSecrets(a.request.url),
        started_at: a.startedAt,
        latency_ms: a.res.latencyMs,
        status_code: a.res.statusCode,
        error: verdict.error,
        error_detail: verdict.detail,
        response_start: a.res.statusCode === null ? null : a.res.body.slice(0, RESPONSE_START_BYTES),
        outcome: verdict.outcome,
        worker: a.workerId,
      };
      // Read the job again under this transaction: it may have been cancelled while the request ran.
      const current = await w.trx
        .selectFrom('postback_deliveries')
        .selectAll()
        .where('id', '=', delivery.id)
        .where('locked_by', '=', a.workerId)
        .where('attempt_no', '=', delivery.attempt_no)
        .executeTakeFirst();
      if (!current)
        throw new Error(
          `delivery ${delivery.id} was taken over by another worker while attempt ${a.attemptNo} ran`,
        );
      await w.trx.insertInto('postback_attempts').values(attempt).execute();

      const isTest = Number(current.is_test) === 1;
      let status = current.status;
      let next: string | null = current.next_attempt_at;
      if (verdict.outcome === 'success') {
        status = 'succeeded';
        next = null;
      } else if (isTest) {
        status = 'failed';
        next = null;
      } else if (current.status === 'pending') {
        const delay = retryDelayMs(a.attemptNo);
        if (delay === null) {
          status = 'dead';
          next = null;
        } else {
          next = new Date(nowMs() + delay).toISOString();
        }
      }
      const done = status !== 'pending';
      const upd = await w.trx
        .updateTable('postback_deliveries')
        .set({
          attempt_no: a.attemptNo,
          status,
          next_attempt_at: next,
          last_error: verdict.detail,
          locked_by: null,
          locked_until: null,
          updated_at: now,
          completed_at: done
            ? current.completed_at && status === current.status
              ? current.completed_at
              : now
            : null,
        })
        .where('id', '=', delivery.id)
        .where('locked_by', '=', a.workerId)
        .where('attempt_no', '=', delivery.attempt_no)
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) {
        throw new Error(
          `delivery ${delivery.id} was taken over by another worker while attempt ${a.attemptNo} ran`,
        );
      }

      let disabledPostback = false;
      if (!isTest) {
        if (verdict.outcome === 'success') {
          await w.trx
            .updateTable('partner_postbacks')
            .set({
              consecutive_failures: 0,
              first_failure_at: null,
              last_attempt_at: now,
              last_success_at: now,
            })
            .where('id', '=', postback.id)
            .execute();
        } else {
          await w.trx
            .updateTable('partner_postbacks')
            .set({
              consecutive_failures: sql`consecutive_failures + 1`,
              first_failure_at: sql`coalesce(first_failure_at, ${now})`,
              last_attempt_at: now,
            })
            .where('id', '=', postback.id)
            .execute();
          disabledPostback = await disableIfFailing(w, postback.id, now);
        }
      }
      const after = await w.trx
        .selectFrom('postback_deliveries')
        .selectAll()
        .where('id', '=', delivery.id)
        .executeTakeFirstOrThrow();
      return { attempt, delivery: after, disabledPostback };
    },
    { unauditedBecause: 'each delivery attempt is logged in postback_attempts' },
  );
  if (outcome.disabledPostback) await tellOwner(store, opts, postback, verdict);
  return outcome;
}

/**
 * Disables the postback when its last DISABLE_AFTER_FAILURES attempts (not tests) all failed within the
 * window and none succeeded since. Cancels its pending jobs. True when this call disabled it.
 */
async function disableIfFailing(
  w: Parameters<Parameters<typeof writeTransaction>[2]>[0],
  postbackId: string,
  now: string,
): Promise<boolean> {
  const pb = await w.trx
    .selectFrom('partner_postbacks')
    .selectAll()
    .where('id', '=', postbackId)
    .executeTakeFirstOrThrow();
  if (pb.status !== 'active') return false;
  // Failures since the last success and within the window (a success ends a streak).
  const windowStart = new Date(nowMs() - DISABLE_WINDOW_MS).toISOString();
  const afterSuccess = pb.last_success_at !== null && pb.last_success_at >= windowStart;
  const row = await w.trx
    .selectFrom('postback_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('postback_id', '=', postbackId)
    .where('outcome', '=', 'failure')
    .where('via', '!=', 'test')
    .where(
      'started_at',
      afterSuccess ? '>' : '>=',
      afterSuccess ? (pb.last_success_at as string) : windowStart,
    )
    .executeTakeFirst();
  const failures = Number(row?.n ?? 0);
  if (failures < DISABLE_AFTER_FAILURES) return false;
  const reason = `Disabled automatically: ${failures} consecutive failed deliveries within 72 hours.`;
  const res = await w.trx
    .updateTable('partner_postbacks')
    .set({ status: 'disabled', disabled_reason: reason, updated_at: now, version: pb.version + 1 })
    .where('id', '=', postbackId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await w.trx
    .updateTable('postback_deliveries')
    .set({
      status: 'cancelled',
      last_error: 'the postback was disabled',
      next_attempt_at: null,
      updated_at: now,
      completed_at: now,
    })
    .where('postback_id', '=', postbackId)
    .where('status', '=', 'pending')
    .execute();
  w.audit({
    action: 'postback.disabled',
    entityType: 'postback',
    entityId: postbackId,
    partnerId: pb.partner_id,
    before: { status: 'active' },
    after: { status: 'disabled' },
    reason,
    meta: { automatic: true, failures },
  });
  return true;
}

/** Tells the partner's owner: a tracking risk flag on the partner (shown on the partner page and the risk list). */
async function tellOwner(
  store: Store,
  opts: DeliveryOptions,
  postback: PostbackRow,
  verdict: Verdict,
): Promise<void> {
  try {
    await raiseRiskFlag(store, workerCtx, {
      partnerId: postback.partner_id,
      category: 'tracking',
      severity: 'high',
      blocking: false,
      title: `Postback for ${postback.event_type} disabled after ${DISABLE_AFTER_FAILURES} consecutive failures`,
      details:
        `Postback ${postback.id} (${postback.method} ${redactUrlSecrets(postback.url_template).slice(0, 300)}) failed ` +
        `${DISABLE_AFTER_FAILURES} times in a row within 72 hours and was disabled; pending deliveries were cancelled. ` +
        `Last failure: ${verdict.detail ?? verdict.error ?? 'unknown'}. Fix the endpoint, send a test, then enable it again.`,
    });
  } catch (err) {
    opts.log?.error(
      { err, postbackId: postback.id },
      'could not raise the risk flag for a disabled postback',
    );
  }
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/** One delivery cycle: claim due jobs, send them, log and schedule. Returns what happened. */
export async function runDeliveryCycle(
  store: Store,
  opts: DeliveryOptions,
): Promise<{ claimed: number; succeeded: number; failed: number }> {
  const workerId = opts.workerId ?? defaultWorkerId;
  const ids = await claimDueDeliveries(store, workerId, opts.batchSize ?? 20);
  let succeeded = 0;
  let failed = 0;
  await inParallel(ids, opts.concurrency ?? 8, async (id) => {
    try {
      const r = await attemptLocked(store, { ...opts, workerId }, id, 'schedule');
      if (r?.attempt.outcome === 'success') succeeded += 1;
      else if (r) failed += 1;
    } catch (err) {
      opts.log?.error({ err, deliveryId: id }, 'postback delivery attempt could not be recorded');
    }
  });
  return { claimed: ids.length, succeeded, failed };
}

/** Creates a test job (no event) with the given values, sends it now and returns the attempt. */
export async function createTestDelivery(
  w: { trx: Transaction<DB> },
  postback: PostbackRow,
  values: MacroValues,
  workerId: string,
): Promise<string> {
  const now = nowIso();
  const id = newId('postbackDelivery');
  await w.trx
    .insertInto('postback_deliveries')
    .values({
      id,
      postback_id: postback.id,
      partner_id: postback.partner_id,
      event_id: null,
      outbox_id: null,
      event_type: postback.event_type as PostbackEventType,
      macro_values: JSON.stringify(values),
      is_test: 1,
      attempt_no: 0,
      status: 'pending',
      next_attempt_at: null, // never picked by the schedule: sent at once by the caller
      locked_until: new Date(nowMs() + LEASE_MS).toISOString(),
      locked_by: workerId,
      last_error: null,
      created_at: now,
      updated_at: now,
      completed_at: null,
    })
    .execute();
  return id;
}
