// HTTP routes of tracking: the public click path /c/{code}, links, link stats and the click story. Also wires
// the tracking runtime (link cache, click id codec, duplicate detector, GeoIP table, batched writer) to the
// app's life cycle: the writer starts with the server and is flushed and stopped by app.close().
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { addHotRoute } from '../../platform/http/hot-path.ts';
import { type ClickRuntime, clickHandler, hotClickHandler } from './click.ts';
import { clickIdCodec } from './click-id.ts';
import { DuplicateDetector, GeoIpTable } from './enrich.ts';
import { LinkCache } from './link-cache.ts';
import {
  createLinkBodySchema,
  linkListSchema,
  linkParamsSchema,
  linkSchema,
  linkStatsSchema,
  listLinksQuerySchema,
  patchLinkBodySchema,
  statsQuerySchema,
} from './links.schemas.ts';
import {
  createLink,
  getLink,
  linkStats,
  listLinks,
  presentLink,
  setLinkStatus,
  updateLink,
} from './links.service.ts';
import { qaMarkerChecker } from './qa-marker.ts';
import { clickRateLimiter } from './rate-limit.ts';
import { PostgresBackend, SqliteWorkerBackend, TrackingWriter, type WriterOptions } from './writer/writer.ts';

export interface TrackingRuntime extends ClickRuntime {}

const runtimes = new WeakMap<object, TrackingRuntime>();

/** The tracking runtime of an app (tests use it to reach the writer). */
export function trackingRuntimeOf(app: object): TrackingRuntime | undefined {
  return runtimes.get(app);
}

/** Batching: send a batch on the next turn of the event loop; while one is committing, the next one gathers. */
export const WRITER_OPTIONS: Record<'sqlite' | 'postgres', WriterOptions> = {
  sqlite: { flushDelayMs: 0, maxBatch: 2000, maxInFlight: 1, maxQueue: 50_000 },
  postgres: { flushDelayMs: 0, maxBatch: 2000, maxInFlight: 4, maxQueue: 50_000 },
};

export function createTrackingRuntime(
  deps: Deps,
  opts: { testWorkerDelayMs?: number; log?: (msg: string) => void } = {},
): TrackingRuntime {
  const { store, config } = deps;
  const backend =
    store.dialect === 'sqlite'
      ? // The same file openDatabase opens (platform/db/index.ts).
        new SqliteWorkerBackend(path.join(config.dataDir, 'partnerdesk.sqlite'), {
          testDelayMs: opts.testWorkerDelayMs,
          onRestart: (why) => opts.log?.(`tracking writer restarted: ${why}`),
        })
      : new PostgresBackend(store.db);
  return {
    cache: new LinkCache(store.db),
    writer: new TrackingWriter(backend, WRITER_OPTIONS[store.dialect]),
    codec: clickIdCodec(config.secret),
    dedupe: new DuplicateDetector(),
    geo: config.geoipCsv ? GeoIpTable.fromFile(config.geoipCsv) : null,
    limiter: clickRateLimiter(config.clickRatePerIp, config.clickBurstPerIp),
    isQaClick: qaMarkerChecker(config.secret),
  };
}

export async function trackingRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;
  const rt = createTrackingRuntime(deps, { log: (m) => app.log.error(m) });
  runtimes.set(app, rt);
  // A listening server starts the writer thread at once, so the first click does not wait for it.
  app.addHook('onListen', async () => {
    await rt.writer.start();
  });
  app.addHook('onClose', async () => {
    await rt.writer.close();
  });

  const origin = (req: FastifyRequest) => config.publicUrl ?? `${req.protocol}://${req.host}`;
  const changed = <T>(v: T): T => {
    rt.cache.clear();
    return v;
  };

  // The click path in its own context: no body, no schema compilation, request logging only for problems
  // (every click is recorded in the database anyway). The access guard still sees access 'public'.
  await app.register(async (c) => {
    c.get(
      '/c/:code',
      { config: { access: 'public' }, schema: { hide: true }, logLevel: 'warn', exposeHeadRoute: false },
      clickHandler(rt),
    );
  });
  // The same route on the lean request path in front of Fastify (platform/http/hot-path.ts).
  addHotRoute(app, '/c/', hotClickHandler(rt, app.log), { prefix: true });

  const tags = ['links'];
  app.get(
    '/api/v1/links',
    {
      config: { access: 'links.read' },
      schema: {
        tags,
        summary: 'List tracking links (a partner user: its own)',
        querystring: listLinksQuerySchema,
        response: { 200: linkListSchema },
      },
    },
    async (req) => {
      const page = await listLinks(store, ctxOf(req), req.query);
      return { data: page.data.map((r) => presentLink(r, origin(req))), nextCursor: page.nextCursor };
    },
  );
  app.post(
    '/api/v1/links',
    {
      config: { access: 'links.write' },
      schema: {
        tags,
        summary: 'Create a tracking link for a partner (code generated when absent)',
        body: createLinkBodySchema,
        response: { 201: linkSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentLink(changed(await createLink(store, ctxOf(req), req.body)), origin(req))),
  );
  app.get(
    '/api/v1/links/:id',
    {
      config: { access: 'links.read' },
      schema: { tags, summary: 'A tracking link', params: linkParamsSchema, response: { 200: linkSchema } },
    },
    async (req) => presentLink(await getLink(store, ctxOf(req), req.params.id), origin(req)),
  );
  app.patch(
    '/api/v1/links/:id',
    {
      config: { access: 'links.write' },
      schema: {
        tags,
        summary: 'Change name, landing URL, campaign or allowed countries (the code never changes)',
        params: linkParamsSchema,
        body: patchLinkBodySchema,
        response: { 200: linkSchema },
      },
    },
    async (req) =>
      presentLink(changed(await updateLink(store, ctxOf(req), req.params.id, req.body)), origin(req)),
  );
  const reasonBody = z
    .object({ reason: z.string().trim().max(1000).nullish() })
    .strict()
    .nullish();
  for (const [op, summary] of [
    ['pause', 'Pause a link: its clicks answer 410 until it is activated again'],
    ['activate', 'Activate a paused link'],
    ['archive', 'Archive a link for good: its clicks answer 410'],
  ] as const) {
    app.post(
      `/api/v1/links/:id/${op}`,
      {
        config: { access: 'links.write' },
        schema: { tags, summary, params: linkParamsSchema, body: reasonBody, response: { 200: linkSchema } },
      },
      async (req) =>
        presentLink(
          changed(await setLinkStatus(store, ctxOf(req), req.params.id, op, req.body?.reason)),
          origin(req),
        ),
    );
  }
  app.get(
    '/api/v1/links/:id/stats',
    {
      config: { access: 'links.read' },
      schema: {
        tags,
        summary:
          'Clicks, unique clicks and bots per day and per sub1 (from daily rollups; default the last 30 days)',
        params: linkParamsSchema,
        querystring: statsQuerySchema,
        response: { 200: linkStatsSchema },
      },
    },
    async (req) => linkStats(store, ctxOf(req), req.params.id, req.query),
  );

  // The click story (GET /api/v1/clicks/{clickId}) is served by the events module: it adds the events,
  // attribution and postback attempts to what getClick answers.
}
