// HTTP routes of events: the public inbound postback (GET|POST /postback, authenticated by a per-source
// token, optionally signed), the JSON batch API, and reading/working events, clients, the inbox, manual
// attribution decisions, event sources and programmes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'fast-querystring';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../platform/auth/actor.ts';
import { systemActor } from '../../platform/auth/actor.ts';
import { AppError, invalidField, toProblem } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http/context.ts';
import { sendProblem, toAppError } from '../../platform/http/errors.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { addHotRoute } from '../../platform/http/hot-path.ts';
import { nowMs } from '../../platform/time.ts';
import { clickParamsSchema, getClick, trackingRuntimeOf } from '../tracking/index.ts';
import {
  batchBodySchema,
  batchResultSchema,
  clickStoryWithEvidenceSchema,
  clientDetailSchema,
  clientListSchema,
  createProgrammeBodySchema,
  createSourceBodySchema,
  decideBodySchema,
  decisionListSchema,
  decisionSchema,
  eventListSchema,
  eventResultSchema,
  eventSchema,
  eventSourceSchema,
  eventSourceWithSecretsSchema,
  idParamsSchema,
  inboxItemSchema,
  inboxListSchema,
  listClientsQuerySchema,
  listDecisionsQuerySchema,
  listEventsQuerySchema,
  listInboxQuerySchema,
  patchProgrammeBodySchema,
  patchSourceBodySchema,
  programmeListSchema,
  programmeSchema,
  requestDecisionBodySchema,
  resolveInboxBodySchema,
  rotateBodySchema,
  sourceListSchema,
} from './events.schemas.ts';
import {
  clickEvidence,
  createProgramme,
  createSource,
  decide,
  getClientDetail,
  getEvent,
  getSource,
  keepInInbox,
  listClients,
  listDecisions,
  listEvents,
  listInbox,
  listProgrammes,
  listSources,
  presentClient,
  presentDecision,
  presentEvent,
  presentInbox,
  presentProgramme,
  presentSource,
  requestDecision,
  resolveInbox,
  rotateSource,
  updateProgramme,
  updateSource,
} from './events.service.ts';
import { type IngestRuntime, ingest, parseBatch, parseEvent } from './ingest.ts';
import type { EventResult } from './ingest-plan.ts';
import { Resolver, type SourceInfo } from './resolver.ts';

const runtimes = new WeakMap<object, IngestRuntime>();
/** The ingest runtime of an app (tracking QA sends its test events through it). */
export function eventsRuntimeOf(app: object): IngestRuntime | undefined {
  return runtimes.get(app);
}

export const SIGNATURE_HEADER = 'x-partnerdesk-signature';
export const SIGNATURE_TOLERANCE_S = 300;

/** Verifies `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<content>")>`. Returns why it fails, or null. */
export function checkSignature(
  secret: string,
  header: string | undefined,
  content: string,
  nowS: number,
): string | null {
  if (!header)
    return `The source requires a signature: send ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256>.`;
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  ) as Record<string, string>;
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1)
    return `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>.`;
  if (Math.abs(nowS - t) > SIGNATURE_TOLERANCE_S)
    return `The signature time is more than ${SIGNATURE_TOLERANCE_S} seconds away from ours; check the sender's clock.`;
  const want = createHmac('sha256', secret).update(`${t}.${content}`).digest();
  const got = Buffer.from(parts.v1, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return 'The signature does not match.';
  return null;
}

/** An event result as JSON, its fields in the order of eventResultSchema (as Fastify's serializer gives them). */
export function eventResultJson(r: EventResult): string {
  return JSON.stringify({
    eventId: r.eventId,
    status: r.status,
    partnerId: r.partnerId,
    attribution: r.attribution,
    attributionNote: r.attributionNote,
    isFtd: r.isFtd,
    isQualifiedFtd: r.isQualifiedFtd,
  });
}

/** Query parameters as fields: a repeated parameter counts by its last value. */
function lastValues(query: Record<string, string | string[]>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) fields[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return fields;
}

const ingestCtx: RequestContext = { actor: systemActor([], 'event ingest'), requestId: null };

function redact(s: string): string {
  return s
    .replace(/([?&]token=)[^&\s"]*/g, '$1[redacted]')
    .replace(/("token"\s*:\s*")[^"]*/g, '$1[redacted]');
}

export async function eventsRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;
  const tracking = trackingRuntimeOf(app);
  if (!tracking) throw new Error('eventsRoutes needs the tracking runtime (register trackingRoutes first)');
  const resolver = new Resolver(store.db, tracking.codec);
  const rt: IngestRuntime = { writer: tracking.writer, resolver };
  runtimes.set(app, rt);
  const origin = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;
  const changed = <T>(v: T): T => {
    resolver.clear();
    return v;
  };

  // ---------- The public inbound postback ----------
  await app.register(async (p) => {
    // Bodies arrive as text: the signature covers the exact bytes, and a form body is parsed here.
    p.removeAllContentTypeParsers();
    p.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
      done(null, body),
    );

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const fields = lastValues(req.query as Record<string, string | string[]>);
      let source: SourceInfo | null = null;
      const fail = async (err: AppError) => {
        if (source) {
          await keepInInbox(store, ingestCtx, {
            channel: 'postback',
            sourceId: source.id,
            method: req.method,
            path: redact(req.url),
            contentType: ct || null,
            ip: req.ip ?? null,
            raw: redact(`${req.method} ${req.url}\n\n${raw}`),
            problem: toProblem(err, String(req.id)),
          }).catch((e) => req.log.error({ err: e }, 'could not keep a malformed postback in the inbox'));
        }
        return sendProblem(reply, err);
      };
      if (req.method === 'POST' && raw.length > 0) {
        if (ct === 'application/json') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            parsed = undefined;
          }
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            source = typeof fields.token === 'string' ? await resolver.source(fields.token) : null;
            return fail(
              new AppError('bad_request', 'The body is not a JSON object.', [
                { field: 'body', message: 'must be a JSON object' },
              ]),
            );
          }
          Object.assign(fields, parsed);
        } else if (ct === 'application/x-www-form-urlencoded' || ct === 'text/plain' || ct === '') {
          for (const [k, v] of new URLSearchParams(raw)) fields[k] = v;
        } else {
          return sendProblem(
            reply,
            new AppError(
              'unsupported_media_type',
              `Send the postback as a query string, a form or JSON (not ${ct}).`,
            ),
          );
        }
      }
      const token = fields.token;
      delete fields.token;
      if (typeof token !== 'string' || token === '')
        return sendProblem(
          reply,
          new AppError(
            'unauthenticated',
            'The token parameter is missing: every event source has its own token.',
            [{ field: 'query.token', message: 'is required' }],
          ),
        );
      source = await resolver.source(token);
      if (!source)
        return sendProblem(
          reply,
          new AppError('unauthenticated', 'The token is not the token of any event source.'),
        );
      if (source.status !== 'active')
        return fail(new AppError('forbidden', `The event source "${source.name}" is disabled.`));
      if (source.signingSecret) {
        const content = req.method === 'POST' ? raw : req.url;
        const why = checkSignature(
          source.signingSecret,
          req.headers[SIGNATURE_HEADER] as string | undefined,
          content,
          Math.floor(Date.now() / 1000),
        );
        if (why)
          return fail(
            new AppError('unauthenticated', why, [{ field: `header.${SIGNATURE_HEADER}`, message: why }]),
          );
      }
      const parsed = parseEvent(fields, 'snake', req.method === 'POST' && raw ? 'body.' : 'query.', nowMs());
      if (!parsed.ok)
        return fail(
          new AppError(
            'validation_failed',
            `The event is not valid: ${parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ')}.`,
            parsed.errors,
          ),
        );
      const [result] = await ingest(rt, source.id, [parsed.value]);
      return reply.code(200).header('cache-control', 'no-store').send(result);
    };
    for (const method of ['GET', 'POST'] as const) {
      p.route({
        method,
        url: '/postback',
        config: { access: 'public' },
        schema: {
          tags: ['events'],
          summary:
            method === 'GET'
              ? 'Inbound postback: one event in the query string (token, event, txid, click_id, client_id, ref, amount, currency, lots, instrument_group, revenue, occurred_at, country, test)'
              : 'Inbound postback: one event as a form or JSON body (same fields; the token may be in the query)',
          response: { 200: eventResultSchema },
        },
        logLevel: 'warn',
        handler,
      });
    }
  });

  // GET /postback on the lean request path in front of Fastify (platform/http/hot-path.ts): the common case
  // (a known, active source; a valid event; a good signature when the source signs) is answered there with
  // the same body and headers; every other request is passed to the handler above, which names the problem
  // and keeps it in the inbox.
  addHotRoute(app, '/postback', async (req, reply) => {
    const fields = lastValues(parseQuery(req.query) as Record<string, string | string[]>);
    const token = fields.token;
    if (typeof token !== 'string' || token === '') return 'pass';
    delete fields.token;
    const source = await resolver.source(token);
    if (!source || source.status !== 'active') return 'pass';
    if (source.signingSecret) {
      const header = req.raw.headers[SIGNATURE_HEADER];
      const url = req.raw.url ?? '';
      if (checkSignature(source.signingSecret, header as string | undefined, url, Math.floor(Date.now() / 1000)) !== null)
        return 'pass';
    }
    const parsed = parseEvent(fields, 'snake', 'query.', nowMs());
    if (!parsed.ok) return 'pass';
    const [result] = await ingest(rt, source.id, [parsed.value]);
    reply.json(200, eventResultJson(result as EventResult), { 'cache-control': 'no-store' });
    return undefined;
  });

  // ---------- The JSON batch ----------
  app.post(
    '/api/v1/events',
    {
      config: { access: 'events.ingest' },
      schema: {
        tags: ['events'],
        summary:
          'Send up to 1,000 events from one source. Idempotent on (source, type, txid): a replay answers its original result and writes nothing. All events are validated first; if any is invalid nothing is recorded.',
        body: batchBodySchema,
        response: { 200: batchResultSchema },
      },
      errorHandler: async (error, req, reply) => {
        const err = toAppError(error, req);
        if (
          err.status >= 400 &&
          err.status < 500 &&
          err.code !== 'unauthenticated' &&
          err.code !== 'forbidden'
        ) {
          const body = req.body as { sourceId?: unknown } | undefined;
          await keepInInbox(store, ingestCtx, {
            channel: 'api',
            sourceId: typeof body?.sourceId === 'string' && body.sourceId.length <= 64 ? body.sourceId : null,
            method: req.method,
            path: req.url,
            contentType: req.headers['content-type'] ?? null,
            ip: req.ip ?? null,
            raw: JSON.stringify(req.body ?? null) ?? '',
            problem: toProblem(err, String(req.id)),
          }).catch((e) => req.log.error({ err: e }, 'could not keep a malformed batch in the inbox'));
        }
        return sendProblem(reply, err);
      },
    },
    async (req) => {
      const source = await resolver.sourceById(req.body.sourceId);
      if (!source) throw invalidField('body.sourceId', `${req.body.sourceId} is not an event source.`);
      if (source.status !== 'active')
        throw invalidField('body.sourceId', `The event source "${source.name}" is disabled.`);
      const inputs = parseBatch(req.body.events as Record<string, unknown>[], nowMs());
      const results = await ingest(rt, source.id, inputs);
      const accepted = results.filter((r) => r.status === 'accepted').length;
      return { accepted, duplicates: results.length - accepted, results };
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: { access: 'events.read' },
      schema: {
        tags: ['events'],
        summary: 'List events, newest first (a partner user: its own)',
        querystring: listEventsQuerySchema,
        response: { 200: eventListSchema },
      },
    },
    async (req) => {
      const r = await listEvents(store, ctxOf(req), req.query);
      return { data: r.data.map((e) => presentEvent(e)), nextCursor: r.nextCursor };
    },
  );
  app.get(
    '/api/v1/events/:id',
    {
      config: { access: 'events.read' },
      schema: {
        tags: ['events'],
        summary: 'An event',
        params: idParamsSchema,
        response: { 200: eventSchema },
      },
    },
    async (req) => presentEvent(await getEvent(store, ctxOf(req), req.params.id)),
  );

  // ---------- The click story ----------
  app.get(
    '/api/v1/clicks/:clickId',
    {
      config: { access: 'clicks.read' },
      schema: {
        tags: ['clicks'],
        summary:
          'The click story: the click (or what its verified id proves, and whether retention pruned it), its events, the attribution and every partner postback attempt',
        params: clickParamsSchema,
        response: { 200: clickStoryWithEvidenceSchema },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      const click = await getClick(store, ctx, config.secret, req.params.clickId);
      return { ...click, ...(await clickEvidence(store, ctx, req.params.clickId)) };
    },
  );

  // ---------- Clients and manual attribution ----------
  app.get(
    '/api/v1/clients',
    {
      config: { access: 'events.read' },
      schema: {
        tags: ['clients'],
        summary: 'List clients (trading accounts) and their attribution',
        querystring: listClientsQuerySchema,
        response: { 200: clientListSchema },
      },
    },
    async (req) => {
      const r = await listClients(store, ctxOf(req), req.query);
      return { data: r.data.map(presentClient), nextCursor: r.nextCursor };
    },
  );
  app.get(
    '/api/v1/clients/:id',
    {
      config: { access: 'events.read' },
      schema: {
        tags: ['clients'],
        summary: 'A client with its events and attribution decisions',
        params: idParamsSchema,
        response: { 200: clientDetailSchema },
      },
    },
    async (req) => getClientDetail(store, ctxOf(req), req.params.id),
  );
  app.post(
    '/api/v1/clients/:id/attribution-decisions',
    {
      config: { access: 'attribution.request' },
      schema: {
        tags: ['clients'],
        summary: 'Ask for the client to belong to another partner (someone else approves)',
        params: idParamsSchema,
        body: requestDecisionBodySchema,
        response: { 201: decisionSchema },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(presentDecision(await requestDecision(store, ctxOf(req), req.params.id, req.body))),
  );
  app.get(
    '/api/v1/attribution-decisions',
    {
      config: { access: 'attribution.request' },
      schema: {
        tags: ['clients'],
        summary: 'Attribution decisions, newest first',
        querystring: listDecisionsQuerySchema,
        response: { 200: decisionListSchema },
      },
    },
    async (req) => {
      const r = await listDecisions(store, ctxOf(req), req.query);
      return { data: r.data.map(presentDecision), nextCursor: r.nextCursor };
    },
  );
  for (const verdict of ['approve', 'reject'] as const) {
    app.post(
      `/api/v1/attribution-decisions/:id/${verdict}`,
      {
        config: { access: 'attribution.approve' },
        schema: {
          tags: ['clients'],
          summary:
            verdict === 'approve'
              ? 'Approve: the client and its past events move to the new partner (rollups move with them)'
              : 'Reject the decision',
          params: idParamsSchema,
          body: decideBodySchema,
          response: { 200: decisionSchema },
        },
      },
      async (req) => presentDecision(await decide(store, ctxOf(req), req.params.id, verdict, req.body)),
    );
  }

  // ---------- Event sources and the inbox ----------
  app.get(
    '/api/v1/event-sources',
    {
      config: { access: 'event_sources.manage' },
      schema: { tags: ['event sources'], summary: 'Event sources', response: { 200: sourceListSchema } },
    },
    async (req) => ({
      data: (await listSources(store, ctxOf(req))).map((s) => presentSource(s, origin(req))),
    }),
  );
  app.post(
    '/api/v1/event-sources',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'Create an event source; its token (and signing secret) are shown once',
        body: createSourceBodySchema,
        response: { 201: eventSourceWithSecretsSchema },
      },
    },
    async (req, reply) => {
      const r = changed(await createSource(store, ctxOf(req), req.body));
      return reply
        .code(201)
        .send({ ...presentSource(r.row, origin(req)), token: r.token, signingSecret: r.signingSecret });
    },
  );
  app.get(
    '/api/v1/event-sources/:id',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'An event source',
        params: idParamsSchema,
        response: { 200: eventSourceSchema },
      },
    },
    async (req) => presentSource(await getSource(store, ctxOf(req), req.params.id), origin(req)),
  );
  app.patch(
    '/api/v1/event-sources/:id',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'Rename, describe, disable or enable an event source',
        params: idParamsSchema,
        body: patchSourceBodySchema,
        response: { 200: eventSourceSchema },
      },
    },
    async (req) =>
      presentSource(changed(await updateSource(store, ctxOf(req), req.params.id, req.body)), origin(req)),
  );
  app.post(
    '/api/v1/event-sources/:id/rotate',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'A new token (and signing secret) for the source; the old ones stop working at once',
        params: idParamsSchema,
        body: rotateBodySchema,
        response: { 200: eventSourceWithSecretsSchema },
      },
    },
    async (req) => {
      const r = changed(await rotateSource(store, ctxOf(req), req.params.id, req.body?.signed));
      return { ...presentSource(r.row, origin(req)), token: r.token, signingSecret: r.signingSecret };
    },
  );
  app.get(
    '/api/v1/event-inbox',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'Malformed inbound requests kept for investigation, newest first',
        querystring: listInboxQuerySchema,
        response: { 200: inboxListSchema },
      },
    },
    async (req) => {
      const r = await listInbox(store, ctxOf(req), req.query);
      return { data: r.data.map(presentInbox), nextCursor: r.nextCursor };
    },
  );
  app.post(
    '/api/v1/event-inbox/:id/resolve',
    {
      config: { access: 'event_sources.manage' },
      schema: {
        tags: ['event sources'],
        summary: 'Mark an inbox item resolved (say what was done)',
        params: idParamsSchema,
        body: resolveInboxBodySchema,
        response: { 200: inboxItemSchema },
      },
    },
    async (req) => presentInbox(await resolveInbox(store, ctxOf(req), req.params.id, req.body.resolution)),
  );

  // ---------- Programmes ----------
  app.get(
    '/api/v1/programmes',
    {
      config: { access: 'events.read' },
      schema: {
        tags: ['programmes'],
        summary: 'Programmes: attribution windows, FTD definition, qualification',
        response: { 200: programmeListSchema },
      },
    },
    async (req) => ({ data: (await listProgrammes(store, ctxOf(req))).map(presentProgramme) }),
  );
  app.post(
    '/api/v1/programmes',
    {
      config: { access: 'programmes.manage' },
      schema: {
        tags: ['programmes'],
        summary: 'Create a programme',
        body: createProgrammeBodySchema,
        response: { 201: programmeSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentProgramme(changed(await createProgramme(store, ctxOf(req), req.body)))),
  );
  app.patch(
    '/api/v1/programmes/:id',
    {
      config: { access: 'programmes.manage' },
      schema: {
        tags: ['programmes'],
        summary: 'Change a programme (applies to events received from now on)',
        params: idParamsSchema,
        body: patchProgrammeBodySchema,
        response: { 200: programmeSchema },
      },
    },
    async (req) =>
      presentProgramme(changed(await updateProgramme(store, ctxOf(req), req.params.id, req.body))),
  );
}
