// GET /c/{code}: the public click path (contract in PRODUCT.md). Looks the link up in memory, mints the click
// id, records the click through the batched writer and answers 302 only after the click is committed.
// Unknown code: 404 page; paused or archived link (or archived partner): 410 page; writer unavailable: 503
// page with Retry-After; more clicks from one IP than its token bucket allows: 429 page with Retry-After,
// checked first and recording nothing. Never a 500 and never a stack trace.
import type { FastifyReply, FastifyRequest } from 'fastify';
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

function page(reply: FastifyReply, status: 404 | 410 | 429 | 503, retryAfter = 1): FastifyReply {
  reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
  if (status === 503 || status === 429) reply.header('retry-after', String(retryAfter));
  return reply.send(PAGES[status]);
}

export function clickHandler(rt: ClickRuntime) {
  return async function click(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const now = Date.now();
    const qaHeader = req.headers[QA_HEADER];
    const isTest = qaHeader !== undefined && rt.isQaClick(qaHeader) ? 1 : 0;
    if (rt.limiter !== null && isTest === 0) {
      const wait = rt.limiter.take(req.ip, now);
      if (wait > 0) return page(reply, 429, wait);
    }
    const code = (req.params as { code?: string }).code ?? '';
    if (!CODE_RE.test(code)) return page(reply, 404);
    let found = rt.cache.get(code, now);
    if (found instanceof Promise) {
      try {
        found = await found;
      } catch (err) {
        req.log.warn({ err }, 'link lookup failed');
        return page(reply, 503);
      }
    }
    if (!found) return page(reply, 404);
    if (found.state !== 'active') return page(reply, 410);
    const link = found;

    const url = req.url;
    const qi = url.indexOf('?');
    const q = parseClickQuery(qi >= 0 ? url.slice(qi + 1) : '');
    const id = rt.codec.mint(link.seq, now);
    const rawUa = req.headers['user-agent'];
    const ua = rawUa === undefined ? null : rawUa.length > MAX_UA ? rawUa.slice(0, MAX_UA) : rawUa;
    const rawRef = req.headers.referer;
    const referrer =
      rawRef === undefined ? null : rawRef.length > MAX_REFERRER ? rawRef.slice(0, MAX_REFERRER) : rawRef;
    const ip = req.ip || null;
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
      req.log.warn({ err: (err as Error).message }, 'click not recorded');
      return page(reply, 503);
    }
    // A tracking QA run learns its click id from this header, so it can tell where the id is lost later.
    if (isTest === 1) reply.header(QA_CLICK_ID_HEADER, id);
    return reply
      .code(302)
      .header('location', location)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer-when-downgrade')
      .send();
  };
}
