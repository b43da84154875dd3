// The lean request path of the public hot routes (GET /c/{code} and GET /postback): a plain node:http request
// listener in front of Fastify's. A hot route answers its common case itself, with the same status, body and
// headers as through Fastify, and hands everything else (errors that keep an inbox row, odd URLs, bodies) to
// Fastify by answering 'pass' before it has written anything. The routes stay declared in Fastify, so the
// OpenAPI document, the route-table test, `app.inject` and every fallback see them as before.
//
// Why: on a 2-core machine the request thread was the limit of single postbacks and clicks. Fastify's
// routing, hooks, reply object and serializer cost about a fifth of the request's CPU on these routes
// (docs/BENCHMARKS.md, docs/DECISIONS.md "A lean request path for the hot public routes").
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { AppError } from '../errors.ts';
import { internalError, problemParts } from './errors.ts';
import { ulid } from '../ids.ts';
import type { App } from './types.ts';

const SENT_ID_RE = /^[A-Za-z0-9_.:-]{8,64}$/;

/** The request id: the caller's X-Request-Id when it looks like one, else a new `req_<ulid>` (as app.ts). */
export function requestIdOf(sent: string | string[] | undefined): string {
  return typeof sent === 'string' && SENT_ID_RE.test(sent) ? sent : `req_${ulid()}`;
}

/** Headers every response carries besides its request id (app.ts's onSend hook adds the same). */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // A route may set its own (the click redirect passes the referrer on to the landing page).
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
} as const;

export interface HotRequest {
  readonly raw: IncomingMessage;
  readonly id: string;
  /** The path after the route's prefix (for a prefix route), else ''. */
  readonly rest: string;
  /** The query string without '?' ('' when there is none). */
  readonly query: string;
  /** The client address, as Fastify's `req.ip` would give it under the app's trustProxy setting. */
  ip(): string | undefined;
}

export interface HotReply {
  /** Answers with the base headers plus `headers`; `headers` may override referrer-policy. */
  send(status: number, headers: Record<string, string>, body?: string): void;
  /** `body` is JSON text; `headers` (a fresh object of the caller's) gets the content type added. */
  json(status: number, body: string, headers?: Record<string, string>): void;
  /** Answers an error as problem+json, logging unexpected ones (as the app's error handler). */
  fail(err: unknown): void;
}

/** 'pass' hands the request to Fastify; allowed only before the reply has been written. */
export type HotHandler = (req: HotRequest, reply: HotReply) => undefined | 'pass' | Promise<undefined | 'pass'>;

interface HotRoute {
  path: string;
  prefix: boolean;
  handle: HotHandler;
}

const routesOf = new WeakMap<object, HotRoute[]>();
const countsOf = new WeakMap<object, HotPathCounts>();

/** How many requests the hot path answered itself and how many it passed to Fastify (tests read these). */
export interface HotPathCounts {
  answered: number;
  passed: number;
}
export function hotPathCounts(app: object): HotPathCounts {
  return countsOf.get(app) ?? { answered: 0, passed: 0 };
}

/**
 * Declares a hot GET route: `path` exactly (`/postback`), or every path under it when `prefix` (`/c/`).
 * The same route must also be declared in Fastify: it answers whatever the hot handler passes on.
 */
export function addHotRoute(app: object, path: string, handle: HotHandler, opts: { prefix?: boolean } = {}): void {
  let list = routesOf.get(app);
  if (!list) {
    list = [];
    routesOf.set(app, list);
  }
  list.push({ path, prefix: opts.prefix ?? false, handle });
}

/** Puts the hot path in front of Fastify's request listener. Call once, after every module has registered. */
export function installHotPath(app: App, opts: { trustProxy: boolean }): void {
  const routes = routesOf.get(app) ?? [];
  if (routes.length === 0) return;
  const server = app.server;
  const listeners = server.listeners('request') as RequestListener[];
  const fastify = listeners[0];
  if (listeners.length !== 1 || !fastify) throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
  server.removeListener('request', fastify);

  const exact = new Map(routes.filter((r) => !r.prefix).map((r) => [r.path, r]));
  const prefixes = routes.filter((r) => r.prefix);
  const trust = () => true;
  const ipOf = opts.trustProxy
    ? (raw: IncomingMessage) => {
        const all = proxyAddr.all(raw, trust);
        return all[all.length - 1];
      }
    : (raw: IncomingMessage) => raw.socket?.remoteAddress;
  // While the app closes, Fastify answers (503 and `connection: close`).
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  const log = app.log;
  const counts: HotPathCounts = { answered: 0, passed: 0 };
  countsOf.set(app, counts);
  const pass = (raw: IncomingMessage, res: ServerResponse) => {
    counts.passed += 1;
    fastify.call(server, raw, res);
  };

  server.on('request', function hotPath(raw: IncomingMessage, res: ServerResponse) {
    const url = raw.url ?? '';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    let route = exact.get(path);
    let rest = '';
    if (!route) {
      for (const r of prefixes) {
        if (path.startsWith(r.path)) {
          route = r;
          rest = path.slice(r.path.length);
          break;
        }
      }
      if (!route) return fastify.call(server, raw, res);
    }
    if (closing || raw.method !== 'GET' || hasBody(raw)) return pass(raw, res);
    const id = requestIdOf(raw.headers['x-request-id']);
    const req: HotRequest = { raw, id, rest, query: qi < 0 ? '' : url.slice(qi + 1), ip: () => ipOf(raw) };
    const reply = new Reply(res, id, log, counts);
    const onError = (err: unknown) => {
      if (res.headersSent) {
        log.error({ reqId: id, err }, 'hot route failed after answering');
        res.destroy();
      } else reply.fail(err);
    };
    let out: ReturnType<HotHandler>;
    try {
      out = route.handle(req, reply);
    } catch (err) {
      return onError(err);
    }
    if (out === 'pass') return pass(raw, res);
    if (out instanceof Promise) {
      out.then((r) => {
        if (r !== 'pass') return;
        if (res.headersSent) onError(new Error('a hot route passed after answering'));
        else pass(raw, res);
      }, onError);
    }
  });
}

function hasBody(raw: IncomingMessage): boolean {
  const len = raw.headers['content-length'];
  return (len !== undefined && len !== '0') || raw.headers['transfer-encoding'] !== undefined;
}

class Reply implements HotReply {
  constructor(
    private readonly res: ServerResponse,
    private readonly id: string,
    private readonly log: App['log'],
    private readonly counts: HotPathCounts,
  ) {}

  send(status: number, headers: Record<string, string>, body = ''): void {
    this.counts.answered += 1;
    const all: Record<string, string> = { 'x-request-id': this.id, ...SECURITY_HEADERS, ...headers };
    all['content-length'] = String(Buffer.byteLength(body));
    this.res.writeHead(status, all);
    this.res.end(body);
  }

  json(status: number, body: string, headers: Record<string, string> = {}): void {
    headers['content-type'] = 'application/json; charset=utf-8';
    this.send(status, headers, body);
  }

  fail(err: unknown): void {
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else {
      this.log.error({ reqId: this.id, err }, 'unhandled error');
      appError = internalError(this.id);
    }
    const { headers, body } = problemParts(appError, this.id);
    this.send(appError.status, headers, body);
  }
}
