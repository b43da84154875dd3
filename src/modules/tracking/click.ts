// GET /c/{code}: the public click path (contract in PRODUCT.md). Looks the link up in memory, mints the click
// id, records the click through the batched writer and answers 302 only after the click is committed.
// Unknown code: 404 page; paused or archived link (or archived partner): 410 page; writer unavailable: 503
// page with Retry-After; more clicks from one IP than its token bucket allows: 429 page with Retry-After,
// checked first and recording nothing. Never a 500 and never a stack trace.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HotHandler } from '../../platform/http/hot-path.ts';
import type { ClickIdCodec } from './click-id.ts';
import { type DuplicateDetector, type GeoIpTable, isBotUserAgent } from './enrich.ts';
import { fillLanding, parseClickQuery } from './landing.ts';
import type { LinkCache } from './link-cache.ts';
import { QA_CLICK_ID_HEADER, QA_HEADER } from './qa-marker.ts';
import type { ClickRateLimiter } from './rate-limit.ts';
import type { ClickRow } from './writer/kinds.ts';
import type { TrackingWriter } from './writer/writer.ts';

export interface ClickRuntime {
  cache: LinkCache;
  writer: TrackingWriter;
  codec: ClickIdCodec;
  dedupe: DuplicateDetector;
  geo: GeoIpTable | null;
  /** Per-IP token bucket; null = no limit (PARTNERDESK_CLICK_RATE_PER_IP=0). */
  limiter: ClickRateLimiter | null;
  /** Recognises the signed header of a tracking QA run's own click (qa-marker.ts). */
  isQaClick: (header: string | string[] | undefined) => boolean;
}

const CODE_RE = /^[A-Za-z0-9_-]{3,64}$/;
const MAX_UA = 512;
const MAX_REFERRER = 1024;

function html(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
}

const PAGES = {
  404: html(
    'Link not found',
    'This tracking link does not exist. Check the address, or ask whoever gave it to you for a new one.',
  ),
  410: html(
    'Link no longer active',
    'This tracking link has been paused or retired. Ask whoever gave it to you for a current link.',
  ),
  429: html(
    'Too many visits',
    'We received too many visits from your network in a short time. Wait a few seconds, then reload the page.',
  ),
  503: html('Please try again', 'We could not record your visit just now. Reload the page in a moment.'),
} as const;

/** What a click answers: the redirect, or one of the pages. */
export type ClickOutcome =
  | { status: 302; location: string; qaClickId: string | null }
  | { status: 404 | 410 | 429 | 503; retryAfter?: number };

/** What a click needs from its request (the same through Fastify and through the hot path). */
export interface ClickRequest {
  code: string;
  /** The query string without '?'. */
  query: string;
  ip: string | undefined;
  userAgent: string | undefined;
  referer: string | undefined;
  qaHeader: string | string[] | undefined;
  warn: (obj: object, msg: string) => void;
}

/** The status, headers and body of an outcome (the base headers of every response come on top). */
export function clickResponse(o: ClickOutcome): { status: number; headers: Record<string, string>; body: string } {
  if (o.status === 302) {
    const headers: Record<string, string> = {
      location: o.location,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer-when-downgrade',
    };
    // A tracking QA run learns its click id from this header, so it can tell where the id is lost later.
    if (o.qaClickId !== null) headers[QA_CLICK_ID_HEADER] = o.qaClickId;
    return { status: 302, headers, body: '' };
  }
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
  if (o.status === 503 || o.status === 429) headers['retry-after'] = String(o.retryAfter ?? 1);
  return { status: o.status, headers, body: PAGES[o.status] };
}

/** Checks the link, mints the click id, records the click and resolves once it is committed. */
export async function recordClick(rt: ClickRuntime, req: ClickRequest): Promise<ClickOutcome> {
  const now = Date.now();
  const isTest = req.qaHeader !== undefined && rt.isQaClick(req.qaHeader) ? 1 : 0;
  const ip = req.ip || null;
  if (rt.limiter !== null && isTest === 0) {
    const wait = rt.limiter.take(req.ip ?? '', now);
    if (wait > 0) return { status: 429, retryAfter: wait };
  }
  const code = req.code;
  if (!CODE_RE.test(code)) return { status: 404 };
  let found = rt.cache.get(code, now);
  if (found instanceof Promise) {
    try {
      found = await found;
    } catch (err) {
      req.warn({ err }, 'link lookup failed');
      return { status: 503 };
    }
  }
  if (!found) return { status: 404 };
  if (found.state !== 'active') return { status: 410 };
  const link = found;

  const q = parseClickQuery(req.query);
  const id = rt.codec.mint(link.seq, now);
  const rawUa = req.userAgent;
  const ua = rawUa === undefined ? null : rawUa.length > MAX_UA ? rawUa.slice(0, MAX_UA) : rawUa;
  const rawRef = req.referer;
  const referrer =
    rawRef === undefined ? null : rawRef.length > MAX_REFERRER ? rawRef.slice(0, MAX_REFERRER) : rawRef;
  const isBot = isBotUserAgent(ua) ? 1 : 0;
  const isDuplicate = rt.dedupe.check(`${link.id}\n${ip}\n${ua}`, now) ? 1 : 0;
  const country = rt.geo ? rt.geo.lookup(ip) : null;
  const geoAllowed = link.allowed && country ? (link.allowed.has(country) ? 1 : 0) : null;
  const s = q.subs;
  const row: ClickRow = [
    id,
    link.id,
    link.partnerId,
    new Date(now).toISOString(),
    ip,
    ua,
    referrer,
    country,
    geoAllowed,
    s[0],
    s[1],
    s[2],
    s[3],
    s[4],
    isBot,
    isDuplicate,
    isTest,
  ];
  const location = fillLanding(link.compiled, id, q);
  try {
    await rt.writer.submit('click', row);
  } catch (err) {
    req.warn({ err: (err as Error).message }, 'click not recorded');
    return { status: 503 };
  }
  return { status: 302, location, qaClickId: isTest === 1 ? id : null };
}

/** GET /c/{code} through Fastify (app.inject, and whatever the hot path passes on). */
export function clickHandler(rt: ClickRuntime) {
  return async function click(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = req.url;
    const qi = url.indexOf('?');
    const outcome = await recordClick(rt, {
      code: (req.params as { code?: string }).code ?? '',
      query: qi >= 0 ? url.slice(qi + 1) : '',
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      referer: req.headers.referer,
      qaHeader: req.headers[QA_HEADER],
      warn: (obj, msg) => req.log.warn(obj, msg),
    });
    const r = clickResponse(outcome);
    return reply.code(r.status).headers(r.headers).send(r.status === 302 ? undefined : r.body);
  };
}

/** GET /c/{code} on the hot path (platform/http/hot-path.ts): codes that need no decoding; others pass. */
export function hotClickHandler(rt: ClickRuntime, log: { warn: (obj: object, msg: string) => void }): HotHandler {
  return async (req, reply) => {
    if (!CODE_RE.test(req.rest)) return 'pass';
    const h = req.raw.headers;
    const outcome = await recordClick(rt, {
      code: req.rest,
      query: req.query,
      ip: req.ip(),
      userAgent: h['user-agent'],
      referer: h.referer,
      qaHeader: h[QA_HEADER],
      warn: (obj, msg) => log.warn({ reqId: req.id, ...obj }, msg),
    });
    const r = clickResponse(outcome);
    reply.send(r.status, r.headers, r.body);
    return undefined;
  };
}
