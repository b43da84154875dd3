// The browser half of a tracking test: from the tracking link's 302, follow the redirect chain hop by hop
// through the SSRF-safe client (each hop resolved, checked and pinned like any outbound call), note where the
// click id is still in the URL, and judge the page the chain ends on. A landing page fails when it does not
// answer 2xx, and also when it answers 200 but is an error page ("soft 404"), is empty, or lacks the text the
// tester said it must show. Pure judgement functions are exported for the tests.
import { type Resolver, type SafeResponse, safeRequest } from '../../platform/net/index.ts';

export const MAX_HOPS = 10;
export const LANDING_BYTES = 64 * 1024;
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 PartnerdeskQA/1';

export interface Hop {
  n: number;
  url: string;
  statusCode: number | null;
  latencyMs: number;
  address: string | null;
  /** Whether the click id appears in this hop's URL. */
  clickIdInUrl: boolean;
  location: string | null;
  error: string | null;
}

export interface ChainResult {
  hops: Hop[];
  /** The last hop's answer, when the chain ended on a non-redirect. */
  final: { url: string; res: SafeResponse } | null;
  /** Why the chain did not reach a page (loop, too many hops, network), or null. */
  problem: string | null;
  /** The first hop whose URL no longer carries the click id (after one that did), or null. */
  lostAt: number | null;
}

/** True when the click id appears in the URL (query value, path segment or fragment), raw or encoded. */
export function clickIdInUrl(url: string, clickId: string): boolean {
  if (url.includes(clickId)) return true;
  try {
    return decodeURIComponent(url).includes(clickId);
  } catch {
    return false;
  }
}

function isRedirect(code: number | null): boolean {
  return code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
}

/** Follows the chain from `start` (the landing URL the tracking link redirected to). */
export async function followChain(
  start: string,
  clickId: string,
  opts: { allowPrivateNetwork: boolean; resolve?: Resolver; totalTimeoutMs?: number },
): Promise<ChainResult> {
  const hops: Hop[] = [];
  const seen = new Set<string>();
  let url = start;
  let lostAt: number | null = null;
  let carried = false;
  for (let n = 1; n <= MAX_HOPS; n++) {
    if (seen.has(url))
      return { hops, final: null, problem: `redirect loop: ${url} came back at hop ${n}`, lostAt };
    seen.add(url);
    const res = await safeRequest({
      url,
      method: 'GET',
      headers: {
        'user-agent': BROWSER_UA,
        accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        'accept-language': 'en-GB,en;q=0.9',
      },
      allowPrivateNetwork: opts.allowPrivateNetwork,
      maxResponseBytes: LANDING_BYTES,
      ...(opts.resolve ? { resolve: opts.resolve } : {}),
      ...(opts.totalTimeoutMs !== undefined ? { totalTimeoutMs: opts.totalTimeoutMs } : {}),
    });
    const inUrl = clickIdInUrl(url, clickId);
    if (inUrl) carried = true;
    else if (carried && lostAt === null) lostAt = n;
    const location = res.headers.location ? String(res.headers.location) : null;
    const hop: Hop = {
      n,
      url,
      statusCode: res.statusCode,
      latencyMs: res.latencyMs,
      address: res.address,
      clickIdInUrl: inUrl,
      location,
      error: res.error && res.error.kind !== 'redirect' ? res.error.message : null,
    };
    hops.push(hop);
    if (isRedirect(res.statusCode)) {
      if (!location)
        return {
          hops,
          final: null,
          problem: `hop ${n} answered ${res.statusCode} without a Location`,
          lostAt,
        };
      try {
        url = new URL(location, url).toString();
      } catch {
        return {
          hops,
          final: null,
          problem: `hop ${n} redirects to an invalid URL: ${location.slice(0, 200)}`,
          lostAt,
        };
      }
      continue;
    }
    if (res.error && res.error.kind !== 'redirect')
      return { hops, final: null, problem: `hop ${n} (${url}): ${res.error.message}`, lostAt };
    return { hops, final: { url, res }, problem: null, lostAt };
  }
  return { hops, final: null, problem: `more than ${MAX_HOPS} redirects`, lostAt };
}

const ERROR_WORDS =
  /\b(404|410|500|502|503|not found|page not found|page does not exist|no longer available|does not exist|error|oops|something went wrong|access denied|forbidden|unavailable|bad gateway|under maintenance|suspended|expired)\b/i;

function textOf(html: string, tag: string): string | null {
  const m = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html);
  if (!m?.[1]) return null;
  return m[1]
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The visible text of a page, roughly: tags, scripts and styles removed. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface LandingVerdict {
  ok: boolean;
  /** Why it failed, or null. */
  problem: string | null;
  title: string | null;
  contentType: string | null;
  bytes: number;
}

/**
 * Judges the page a chain ended on: 2xx, not an error page by its title or main heading, not empty, and
 * (when asked) showing the expected text.
 */
export function judgeLanding(
  statusCode: number | null,
  contentType: string | null,
  body: string,
  expectText: string | null,
): LandingVerdict {
  const title = textOf(body, 'title');
  const base = { title, contentType, bytes: Buffer.byteLength(body) };
  const fail = (problem: string): LandingVerdict => ({ ok: false, problem, ...base });
  if (statusCode === null) return fail('gave no answer');
  if (statusCode < 200 || statusCode > 299)
    return fail(`answered ${statusCode}; a visitor would see an error`);
  const isHtml = !contentType || /html|xml/i.test(contentType);
  if (isHtml) {
    const h1 = textOf(body, 'h1');
    for (const [where, text] of [
      ['title', title],
      ['main heading', h1],
    ] as const) {
      const m = text ? ERROR_WORDS.exec(text) : null;
      if (m)
        return fail(
          `answered ${statusCode} but is an error page: its ${where} says "${(text as string).slice(0, 120)}"`,
        );
    }
    if (visibleText(body).length < 20 && !/<(script|iframe|meta[^>]+refresh)/i.test(body))
      return fail(`answered ${statusCode} with an empty page (${base.bytes} bytes, no visible text)`);
  } else if (body.trim().length === 0) {
    return fail(`answered ${statusCode} with an empty body`);
  }
  if (
    expectText &&
    !body.toLowerCase().includes(expectText.toLowerCase()) &&
    !visibleText(body).toLowerCase().includes(expectText.toLowerCase())
  )
    return fail(`does not show the expected text "${expectText}"`);
  return { ok: true, problem: null, ...base };
}
