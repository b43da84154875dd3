// The lean request path of GET /c/{code} and GET /postback (src/platform/http/hot-path.ts) answers exactly as
// Fastify does: each case goes once over real HTTP (the hot path, when it takes the request) and once through
// app.inject (always Fastify), and the two answers must match in status, headers and body, ids aside. The
// counters show which requests the hot path answered and which it passed on.
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingRuntimeOf } from '../src/modules/tracking/index.ts';
import { hotPathCounts } from '../src/platform/http/hot-path.ts';
import { createTestApp, type TestApp } from './support/app.ts';

const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that belong to the connection or the moment, not to the answer. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
const ID_RE = /\b[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}\b/g;
const CLICK_ID_RE = /\bcid=[^&]+/g;

function normalize(a: Answer): Answer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.headers)) {
    if (TRANSPORT.has(k)) continue;
    headers[k] = k === 'content-length' && a.body !== '' ? 'n' : v.replace(ID_RE, '<id>').replace(CLICK_ID_RE, 'cid=<click>');
  }
  const body = a.body.replace(ID_RE, '<id>').replace(/"requestId":"[^"]*"/, '"requestId":"<req>"');
  return { status: a.status, headers, body };
}

async function httpGet(
  base: string,
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${url}`, {
        method,
        headers: { ...headers, connection: 'close', ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : String(v);
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function injectGet(
  t: TestApp,
  url: string,
  headers: Record<string, string> = {},
  method: 'GET' | 'HEAD' = 'GET',
  body?: string,
): Promise<Answer> {
  const res = await t.app.inject({ method, url, headers, ...(body !== undefined ? { payload: body } : {}) });
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return { status: res.statusCode, headers: h, body: res.body };
}

describe('the hot path answers as Fastify does', () => {
  let t: TestApp;
  let base: string;
  let ops: Record<string, string>;
  let active: string;
  let paused: string;
  let token: string;
  let signed: { token: string; secret: string };
  let disabledToken: string;

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_WORKERS: 'false', PARTNERDESK_TRUST_PROXY: 'true' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    ops = await t.keyFor('ops');
    const partner = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: { displayName: 'Hot Path Media' },
    });
    expect(partner.statusCode).toBe(201);
    const partnerId = partner.json().id as string;
    const mk = async (name: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/links',
        headers: ops,
        payload: { partnerId, name, landingUrl: 'https://broker.example/open?cid={click_id}&s={sub1}' },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string; code: string };
    };
    active = (await mk('Active')).code;
    const p = await mk('Paused');
    paused = p.code;
    const pause = await t.app.inject({ method: 'POST', url: `/api/v1/links/${p.id}/pause`, headers: ops, payload: {} });
    expect(pause.statusCode).toBe(200);
    const source = async (payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/event-sources', headers: ops, payload });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string; token: string; signingSecret: string | null };
    };
    token = (await source({ name: 'Back office', kind: 'back_office' })).token;
    const s = await source({ name: 'Payments', kind: 'payments', signed: true });
    signed = { token: s.token, secret: s.signingSecret as string };
    const d = await source({ name: 'Old CRM', kind: 'crm' });
    disabledToken = d.token;
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/event-sources/${d.id}`,
      headers: ops,
      payload: { status: 'disabled' },
    });
    expect(off.statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  /** Sends a case over HTTP, then (with `vary` applied, for a fresh txid) through inject; expects equal answers. */
  async function same(
    url: (n: number) => string,
    opts: { headers?: (url: string) => Record<string, string>; expect: 'answered' | 'passed'; method?: 'GET' | 'HEAD'; body?: string },
  ): Promise<Answer> {
    const before = { ...hotPathCounts(t.app) };
    const u1 = url(1);
    const viaHttp = await httpGet(base, u1, opts.headers?.(u1), opts.method, opts.body);
    const after = hotPathCounts(t.app);
    expect({ answered: after.answered - before.answered, passed: after.passed - before.passed }).toEqual(
      opts.expect === 'answered' ? { answered: 1, passed: 0 } : { answered: 0, passed: 1 },
    );
    const u2 = url(2);
    const viaInject = await injectGet(t, u2, opts.headers?.(u2), opts.method, opts.body);
    const a = normalize(viaHttp);
    const b = normalize(viaInject);
    // A body of the same shape differs only in its ids, so compare its length only through the body itself.
    expect(a).toEqual(b);
    return viaHttp;
  }

  it('answers a click: 302 to the filled landing URL, the same headers', async () => {
    const r = await same(() => `/c/${active}?sub1=s1&utm_source=x`, {
      headers: () => ({ 'user-agent': BROWSER }),
      expect: 'answered',
    });
    expect(r.status).toBe(302);
    expect(r.headers.location).toMatch(/^https:\/\/broker\.example\/open\?cid=[0-9A-Za-z]{20,}&s=s1&utm_source=x$/);
    expect(r.headers['referrer-policy']).toBe('no-referrer-when-downgrade');
    expect(r.headers['x-request-id']).toMatch(/^req_/);
  });

  it('echoes a sent request id and records the forwarded client address (trust proxy on)', async () => {
    const r = await httpGet(base, `/c/${active}?sub1=fwd`, {
      'user-agent': BROWSER,
      'x-request-id': 'edge-12345678',
      'x-forwarded-for': '203.0.113.9, 10.0.0.2',
    });
    expect(r.status).toBe(302);
    expect(r.headers['x-request-id']).toBe('edge-12345678');
    const clickId = new URL(r.headers.location as string).searchParams.get('cid') as string;
    const row = await t.store.db.selectFrom('clicks').select(['ip', 'sub1']).where('id', '=', clickId).executeTakeFirst();
    expect(row).toEqual({ ip: '203.0.113.9', sub1: 'fwd' });
  });

  it('answers the pages of unknown and paused links', async () => {
    expect((await same(() => '/c/nosuchcode', { expect: 'answered' })).status).toBe(404);
    expect((await same(() => `/c/${paused}`, { expect: 'answered' })).status).toBe(410);
  });

  it('passes odd click URLs to Fastify', async () => {
    expect((await same(() => '/c/ab', { expect: 'passed' })).status).toBe(404);
    expect((await same(() => `/c/${active}%41`, { expect: 'passed' })).status).toBe(404);
    expect((await same(() => `/c/${active}/more`, { expect: 'passed' })).status).toBe(404);
    expect((await same(() => `/c/${active}`, { expect: 'passed', method: 'HEAD' })).status).toBe(404);
  });

  const later = () => new Date(Date.now() + 60_000).toISOString();

  it('answers a postback: 200 with the event result; a replay answers duplicate', async () => {
    const q = (n: number) => `/postback?token=${token}&event=registration&txid=hot-${n}&client_id=HOT-${n}&occurred_at=${later()}`;
    const r = await same(q, { expect: 'answered' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body)).toMatchObject({ status: 'accepted', attribution: 'none' });
    const replay = await same(q, { expect: 'answered' });
    expect(JSON.parse(replay.body).status).toBe('duplicate');
    // A repeated parameter counts by its last value, as through Fastify.
    const twice = await same((n) => `/postback?token=${token}&event=deposit&event=registration&txid=hot-rep-${n}`, {
      expect: 'answered',
    });
    expect(JSON.parse(twice.body).status).toBe('accepted');
  });

  it('answers a signed postback with a good signature and passes a bad one', async () => {
    const url = (n: number) => `/postback?token=${signed.token}&event=registration&txid=sig-hot-${n}`;
    const sign = (u: string) => {
      const ts = Math.floor(Date.now() / 1000);
      return { 'x-partnerdesk-signature': `t=${ts},v1=${createHmac('sha256', signed.secret).update(`${ts}.${u}`).digest('hex')}` };
    };
    expect((await same(url, { headers: sign, expect: 'answered' })).status).toBe(200);
    const bad = await same(url, { headers: (u) => sign(`${u}x`), expect: 'passed' });
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });

  it('passes every problem to Fastify, which names it and keeps it in the inbox', async () => {
    const inbox = async () =>
      Number((await t.store.db.selectFrom('event_inbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect((await same(() => '/postback?event=registration&txid=x', { expect: 'passed' })).status).toBe(401);
    expect((await same(() => '/postback?token=pds_nope&event=registration&txid=x', { expect: 'passed' })).status).toBe(401);
    expect((await same(() => `/postback?token=${disabledToken}&event=registration&txid=x`, { expect: 'passed' })).status).toBe(403);
    const before = await inbox();
    const invalid = await same((n) => `/postback?token=${token}&event=teleport&txid=bad-${n}`, { expect: 'passed' });
    expect(invalid.status).toBe(422);
    expect(JSON.parse(invalid.body).errors[0].field).toBe('query.event');
    expect(await inbox()).toBe(before + 2);
    // A GET with a body goes to Fastify too (it owns body limits).
    const withBody = await same((n) => `/postback?token=${token}&event=registration&txid=body-${n}`, {
      expect: 'passed',
      body: 'x=1',
    });
    expect(withBody.status).toBe(200);
  });

  it('answers 503 like Fastify when the writer cannot take writes (run last: it closes the writer)', async () => {
    await (trackingRuntimeOf(t.app) as NonNullable<ReturnType<typeof trackingRuntimeOf>>).writer.close();
    const pb = await same((n) => `/postback?token=${token}&event=registration&txid=closed-${n}`, { expect: 'answered' });
    expect(pb.status).toBe(503);
    expect(pb.headers['retry-after']).toBe('1');
    expect(JSON.parse(pb.body)).toMatchObject({ code: 'unavailable', status: 503 });
    const click = await same(() => `/c/${active}`, { headers: () => ({ 'user-agent': BROWSER }), expect: 'answered' });
    expect(click.status).toBe(503);
    expect(click.headers['retry-after']).toBe('1');
  });

  it('leaves every other route to Fastify', async () => {
    const before = { ...hotPathCounts(t.app) };
    const r = await httpGet(base, '/healthz');
    expect(r.status).toBe(200);
    expect(hotPathCounts(t.app)).toEqual(before);
  });
});

describe('PARTNERDESK_HOT_PATH=false', () => {
  let t: TestApp;
  afterAll(async () => t?.close());

  it('answers every request through Fastify', async () => {
    t = await createTestApp({ PARTNERDESK_WORKERS: 'false', PARTNERDESK_HOT_PATH: 'false' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const r = await httpGet(base, '/c/nosuchcode');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(hotPathCounts(t.app)).toEqual({ answered: 0, passed: 0 });
  });
});
