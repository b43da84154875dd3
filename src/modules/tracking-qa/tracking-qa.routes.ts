// HTTP routes of tracking QA: run and read tracking tests, monitors per link, attribution checks, and
// reconciliations against a partner's own CSV. Also wires the runner (tests run in this process, in the
// background of the request that started them) and, with workers on, the monitor schedule.
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { attributionChecks } from './checks.service.ts';
import { listMonitors, type MonitorJob, putMonitor, startMonitors } from './monitors.ts';
import { getReconciliation, listReconciliations, reconcile } from './reconcile.service.ts';
import type { QaRuntime } from './run.ts';
import { getTest, listTests, presentTest, startTest, TestRunner } from './tests.service.ts';
import {
  checksQuerySchema,
  checksSchema,
  idParamsSchema,
  listQuerySchema,
  monitorListQuerySchema,
  monitorListSchema,
  monitorSchema,
  putMonitorBodySchema,
  reconcileBodySchema,
  reconciliationListSchema,
  reconciliationParamsSchema,
  reconciliationSchema,
  runTestBodySchema,
  runTestQuerySchema,
  testListQuerySchema,
  testListSchema,
  trackingTestSchema,
} from './tracking-qa.schemas.ts';

const runners = new WeakMap<object, TestRunner>();
/** The test runner of an app (tests and the CLI reach it to wait for runs). */
export function trackingQaRunnerOf(app: object): TestRunner | undefined {
  return runners.get(app);
}

export const WAIT_LIMIT_MS = 120_000;

export async function trackingQaRoutes(
  app: App,
  deps: Deps,
  opts: { runtime?: Partial<QaRuntime>; monitors?: boolean } = {},
): Promise<void> {
  const { store, config } = deps;
  const runner = new TestRunner({
    app,
    store,
    config,
    log: app.log,
    instanceId: `${process.pid}`,
    ...(opts.runtime ?? {}),
  });
  runners.set(app, runner);
  let monitors: MonitorJob | null = null;
  if (opts.monitors ?? config.workers) {
    app.addHook('onReady', async () => {
      monitors = startMonitors(store, runner, { log: app.log });
    });
  }
  app.addHook('onClose', async () => {
    await monitors?.stop();
    await runner.drain();
  });

  const tags = ['tracking-qa'];
  app.post(
    '/api/v1/tracking-tests',
    {
      config: { access: 'tracking_qa.run' },
      schema: {
        tags,
        summary:
          'Run a tracking test of a link end to end (click → redirects → landing → test events → attribution → partner postbacks)',
        description:
          'Answers 202 with the running test at once (poll GET /api/v1/tracking-tests/{id}), or with `wait=true` the finished test (201). ' +
          'The result is the setup record kept on the partner file: what was configured and every step with its evidence. ' +
          'A passed test is the onboarding gate\'s "tracking QA passed" fact and puts the link under a daily monitor.',
        querystring: runTestQuerySchema,
        body: runTestBodySchema,
        response: { 201: trackingTestSchema, 202: trackingTestSchema },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const origin = config.publicUrl ?? `${req.protocol}://${req.host}`;
      const row = await startTest(store, runner, ctx, req.body, 'manual', origin);
      reply.header('location', `/api/v1/tracking-tests/${row.id}`);
      if (req.query.wait !== 'true') return reply.code(202).send(presentTest(row));
      await runner.wait(row.id, WAIT_LIMIT_MS);
      const done = await getTest(store, ctx, row.id);
      return reply.code(done.status === 'running' ? 202 : 201).send(presentTest(done));
    },
  );
  app.get(
    '/api/v1/tracking-tests',
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary: 'Tracking tests, newest first (a partner user: its own)',
        querystring: testListQuerySchema,
        response: { 200: testListSchema },
      },
    },
    async (req) => {
      const page = await listTests(store, ctxOf(req), req.query);
      return {
        data: page.data.map((r) => {
          const { setup: _s, steps: _st, ...rest } = presentTest(r);
          return rest;
        }),
        nextCursor: page.nextCursor,
      };
    },
  );
  app.get(
    '/api/v1/tracking-tests/:id',
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary: 'A tracking test with its setup and every step with evidence (progress while it runs)',
        params: idParamsSchema,
        response: { 200: trackingTestSchema },
      },
    },
    async (req) => presentTest(await getTest(store, ctxOf(req), req.params.id)),
  );

  app.get(
    '/api/v1/tracking-monitors',
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary: 'Monitors: links whose tracking test re-runs on a schedule while the partner is active',
        querystring: monitorListQuerySchema,
        response: { 200: monitorListSchema },
      },
    },
    async (req) => listMonitors(store, ctxOf(req), req.query),
  );
  app.put(
    '/api/v1/links/:id/monitor',
    {
      config: { access: 'tracking_qa.run' },
      schema: {
        tags,
        summary: "Turn a link's monitor on or off and set how often it re-runs",
        params: idParamsSchema,
        body: putMonitorBodySchema,
        response: { 200: monitorSchema },
      },
    },
    async (req) => putMonitor(store, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/tracking-checks',
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary:
          'Attribution checks over a period: orphan events, duplicate txids, clicks from restricted countries, postback failure rates',
        querystring: checksQuerySchema,
        response: { 200: checksSchema },
      },
    },
    async (req) => attributionChecks(store, config, ctxOf(req), req.query),
  );

  const recBase = '/api/v1/partners/:id/reconciliations';
  app.post(
    recBase,
    {
      config: { access: 'tracking_qa.run' },
      schema: {
        tags,
        summary: "Compare a partner's own CSV (per day, optionally per sub-ID) with our numbers",
        description:
          'Columns: `date` (YYYY-MM-DD), optionally `sub1`/`sub_id`, and any of clicks, unique_clicks, registrations (signups, leads), ' +
          'ftds, qualified_ftds (cpa), deposits, lots. Each figure is compared with ours; the difference is relative to the larger ' +
          'number: under 2% normal, 2–5% watch, over 5% investigate.',
        params: idParamsSchema,
        body: reconcileBodySchema,
        response: { 201: reconciliationSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await reconcile(store, ctxOf(req), req.params.id, req.body)),
  );
  app.get(
    recBase,
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary: "A partner's reconciliations, newest first",
        params: idParamsSchema,
        querystring: listQuerySchema,
        response: { 200: reconciliationListSchema },
      },
    },
    async (req) => listReconciliations(store, ctxOf(req), req.params.id, req.query),
  );
  app.get(
    `${recBase}/:reconciliationId`,
    {
      config: { access: 'tracking_qa.read' },
      schema: {
        tags,
        summary: 'A reconciliation with every row compared',
        params: reconciliationParamsSchema,
        response: { 200: reconciliationSchema },
      },
    },
    async (req) => getReconciliation(store, ctxOf(req), req.params.id, req.params.reconciliationId),
  );
}
