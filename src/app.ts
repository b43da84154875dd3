// Builds the HTTP application: platform plugins (errors, request ids, access guard, OpenAPI), every module's
// routes, and the web UI. `cli.ts serve` listens with it; tests call `buildApp` and `inject`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerModules } from './modules/index.ts';
import { type PostbackWorker, startPostbackWorker } from './modules/postbacks/index.ts';
import { type RetentionJob, startClickRetention } from './modules/tracking/retention.ts';
import { AppError } from './platform/errors.ts';
import { sendProblem, toAppError } from './platform/http/errors.ts';
import { accessGuard } from './platform/http/guard.ts';
import { installHotPath, requestIdOf, SECURITY_HEADERS } from './platform/http/hot-path.ts';
import type { App, Deps } from './platform/http/types.ts';

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Serve the built web UI (web/dist) when it exists. */
  serveWeb?: boolean;
  /** Called for every route as it is added, before any module registers (the route-table test uses it). */
  onRoute?: (route: RouteOptions) => void;
  /** Run the background workers (postback delivery) while the app is up; default config.workers. */
  workers?: boolean;
}

export async function buildApp(deps: Deps, opts: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    ajv: { customOptions: { coerceTypes: false } },
    routerOptions: { maxParamLength: 256 },
    // Errors raised by the router or body parsers before any handler runs (too-long URLs, bad
    // content-length) still leave as problem+json.
    frameworkErrors: (error, req, reply) => {
      sendProblem(reply, toAppError(error, req));
    },
  }).withTypeProvider<ZodTypeProvider>();

  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Callback-style (not async) hooks: they run on every request, the click path included, and skip a promise each.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', String(req.id));
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('x-content-type-options', SECURITY_HEADERS['x-content-type-options']);
    // A route may set its own policy (the click redirect passes the referrer on to the landing page).
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', SECURITY_HEADERS['referrer-policy']);
    reply.header('x-frame-options', SECURITY_HEADERS['x-frame-options']);
    done(null, payload);
  });

  app.setErrorHandler((error, req, reply) => {
    const appError = toAppError(error, req);
    if (appError.code === 'forbidden') {
      req.log.warn({ denied: true, actor: req.actor?.id, route: req.routeOptions.url, reason: appError.message }, 'access denied');
    }
    return sendProblem(reply, appError);
  });

  await app.register(fastifyCookie, { secret: deps.config.secret });
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.config.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024 },
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Partnerdesk API',
        version: '1',
        description:
          'The API of Partnerdesk, the operating system of an FX/CFD broker\'s partnerships department. ' +
          'Authenticate with `Authorization: Bearer <api key>` (create one with `partnerdesk apikey create`). ' +
          'Errors are `application/problem+json` with a stable `code` and the invalid fields named in `errors`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (pdk_...)' },
          session: { type: 'apiKey', in: 'cookie', name: 'pd_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // The API reference page and the web UI's files are public; their plugins' routes are marked so here.
  await app.register(async (docs) => {
    docs.addHook('onRoute', markPublic);
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/api/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true },
      staticCSP: true,
    });
  });

  app.addHook('onRequest', accessGuard(deps));

  app.get(
    '/api/openapi.json',
    { config: { access: 'public' }, schema: { hide: true } },
    async () => app.swagger(),
  );

  await registerModules(app, deps);

  if (opts.workers ?? deps.config.workers) {
    // Background delivery of outbound postbacks: starts when the app is ready, stops (after the cycle in
    // flight) when it closes. Several instances may run it against one PostgreSQL.
    let worker: PostbackWorker | null = null;
    // Raw click retention (PARTNERDESK_CLICK_RETENTION_DAYS; 0 = keep for ever): daily, rollups untouched.
    let retention: RetentionJob | null = null;
    app.addHook('onReady', async () => {
      worker = startPostbackWorker(deps.store, { allowPrivateNetwork: deps.config.allowPrivateNetwork, log: app.log });
      const days = deps.config.clickRetentionDays;
      if (days > 0) retention = startClickRetention(deps.store, { days, log: app.log });
    });
    app.addHook('onClose', async () => {
      await worker?.stop();
      await retention?.stop();
    });
  }

  const indexHtml = opts.serveWeb !== false ? readWebIndex() : null;
  if (indexHtml !== null) {
    await app.register(async (web) => {
      web.addHook('onRoute', markPublic);
      await web.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: false });
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const wantsApi = req.url.startsWith('/api/') || req.url === '/api' || req.method !== 'GET';
    // Client-side routes (/partners/ptr_...) get the single-page app, which shows its own "not found".
    if (!wantsApi && indexHtml !== null) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
    }
    return sendProblem(reply, new AppError('not_found', `There is no ${req.method} ${req.url.split('?')[0]}.`));
  });

  // GET /c/{code} and GET /postback answer their common case on a lean path in front of Fastify.
  // PARTNERDESK_HOT_PATH=false answers them through Fastify too (the benchmarks compare the two).
  if (deps.config.hotPath) installHotPath(app, { trustProxy: deps.config.trustProxy });

  return app;
}

function markPublic(route: RouteOptions): void {
  route.config = { ...(route.config as object), access: 'public' };
}

function readWebIndex(): string | null {
  const file = path.join(WEB_DIST, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}
