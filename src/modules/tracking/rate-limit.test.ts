import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { ConfigError, loadConfig } from '../../platform/config.ts';
import { ClickRateLimiter, clickRateLimiter } from './rate-limit.ts';
import { trackingRuntimeOf } from './tracking.routes.ts';

describe('per-IP token bucket', () => {
  it('allows the burst at once, then the rate, and says how long to wait', () => {
    const l = new ClickRateLimiter(2, 5);
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(l.take('1.2.3.4', t0)).toBe(0);
    expect(l.take('1.2.3.4', t0)).toBe(1); // empty: one token comes back in 0.5 s → Retry-After 1
    expect(l.take('5.6.7.8', t0)).toBe(0); // another address has its own bucket
    expect(l.take('1.2.3.4', t0 + 499)).toBe(1);
    expect(l.take('1.2.3.4', t0 + 500)).toBe(0);
    expect(l.take('1.2.3.4', t0 + 500)).toBe(1);
    // After a long pause the bucket is full again, but never more than the burst.
    for (let i = 0; i < 5; i++) expect(l.take('1.2.3.4', t0 + 3_600_000)).toBe(0);
    expect(l.take('1.2.3.4', t0 + 3_600_000)).toBe(1);
    expect(l.refused).toBe(4);
  });

  it('Retry-After covers the wait at a slow rate', () => {
    const l = new ClickRateLimiter(0.1, 1); // one click per 10 s
    expect(l.take('a', 0)).toBe(0);
    expect(l.take('a', 0)).toBe(10);
    expect(l.take('a', 4_000)).toBe(6);
  });

  it('never lets one address through faster than burst + rate × time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 400 }),
        (rate, burst, gaps) => {
          const l = new ClickRateLimiter(rate, burst);
          let now = 0;
          let allowed = 0;
          for (const g of gaps) {
            now += g;
            if (l.take('ip', now) === 0) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(burst + Math.floor((rate * now) / 1000) + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays bounded: drops refilled buckets first, and an address over its limit stays limited', () => {
    const l = new ClickRateLimiter(1, 2, 100);
    expect(l.take('busy', 0)).toBe(0);
    expect(l.take('busy', 0)).toBe(0);
    expect(l.take('busy', 0)).toBe(1);
    for (let i = 0; i < 98; i++) l.take(`idle-${i}`, 0);
    expect(l.size).toBe(99);
    // Time passes: the idle buckets refill completely; "busy" keeps spending.
    for (let t = 1000; t <= 5000; t += 1000) expect(l.take('busy', t)).toBe(0);
    expect(l.take('busy', 5000)).toBe(1);
    l.take('new-1', 5000);
    l.take('new-2', 5000); // the map is full: the sweep drops the refilled idle buckets only
    expect(l.size).toBeLessThanOrEqual(75);
    expect(l.take('busy', 5000)).toBe(1); // still empty, not forgotten
    // Nothing refilled: the oldest go, and the size still stays bounded.
    const l2 = new ClickRateLimiter(1, 10, 100);
    for (let i = 0; i < 1000; i++) l2.take(`a-${i}`, 0);
    expect(l2.size).toBeLessThanOrEqual(100);
  });

  it('a rate of 0 means no limiter', () => {
    expect(clickRateLimiter(0, 100)).toBeNull();
    expect(clickRateLimiter(20, 100)).toBeInstanceOf(ClickRateLimiter);
  });

  it('config: generous defaults, 0 turns it off, bad values are refused with the variable named', () => {
    const base = { PARTNERDESK_DATA_DIR: '/tmp/pd-rate-config', PARTNERDESK_SECRET: 'x'.repeat(40) };
    const c = loadConfig(base, { createDataDir: false });
    expect([c.clickRatePerIp, c.clickBurstPerIp, c.clickRetentionDays]).toEqual([20, 100, 180]);
    const off = loadConfig(
      { ...base, PARTNERDESK_CLICK_RATE_PER_IP: '0', PARTNERDESK_CLICK_RETENTION_DAYS: '0' },
      { createDataDir: false },
    );
    expect([off.clickRatePerIp, off.clickRetentionDays]).toEqual([0, 0]);
    for (const [name, value] of [
      ['PARTNERDESK_CLICK_RATE_PER_IP', '-1'],
      ['PARTNERDESK_CLICK_BURST_PER_IP', '0'],
      ['PARTNERDESK_CLICK_RETENTION_DAYS', 'forever'],
    ] as const) {
      let thrown: unknown;
      try {
        loadConfig({ ...base, [name]: value }, { createDataDir: false });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toContain(name);
    }
  });
});

describe('/c/{code} with a per-IP limit', () => {
  let t: TestApp;
  let code: string;
  let linkId: string;

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_CLICK_RATE_PER_IP: '1', PARTNERDESK_CLICK_BURST_PER_IP: '3' });
    const ops = await t.keyFor('ops');
    const partner = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: { displayName: 'Rate Partner', kind: 'company', type: 'affiliate', country: 'CY' },
    });
    expect(partner.statusCode, partner.body).toBe(201);
    const link = await t.app.inject({
      method: 'POST',
      url: '/api/v1/links',
      headers: ops,
      payload: { partnerId: partner.json().id, name: 'Rate', landingUrl: 'https://b.example/' },
    });
    expect(link.statusCode, link.body).toBe(201);
    code = link.json().code;
    linkId = link.json().id;
  });
  afterAll(async () => t?.close());

  const click = (remoteAddress: string, c = code) =>
    t.app.inject({
      method: 'GET',
      url: `/c/${c}?sub1=x`,
      headers: { 'user-agent': 'Mozilla/5.0' },
      remoteAddress,
    });

  it('answers 429 with a short page and Retry-After past the burst, and records nothing for it', async () => {
    const rt = trackingRuntimeOf(t.app);
    // Built from the configuration...
    expect([rt?.limiter?.ratePerSecond, rt?.limiter?.burst]).toEqual([1, 3]);
    // ...then swapped for one refilling once in 1000 s, so a slow machine cannot refill a token mid-test.
    if (rt) rt.limiter = new ClickRateLimiter(0.001, 3);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await click('192.0.2.10')).statusCode);
    expect(codes).toEqual([302, 302, 302]);
    const refused = await click('192.0.2.10');
    expect(refused.statusCode).toBe(429);
    // Seconds until the next token: just under 1000 (a little has refilled since the first click).
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(900);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(1000);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.headers.location).toBeUndefined();
    expect(refused.body).toMatch(/Too many visits/);
    // Unknown codes from the same address are refused too (a scanner spends its tokens), not looked up.
    expect((await click('192.0.2.10', 'NoSuchCode')).statusCode).toBe(429);
    // Another address behind its own bucket is not affected.
    expect((await click('192.0.2.11')).statusCode).toBe(302);

    const rows = await t.store.db.selectFrom('clicks').select(['ip']).where('link_id', '=', linkId).execute();
    expect(rows.map((r) => r.ip).sort()).toEqual(['192.0.2.10', '192.0.2.10', '192.0.2.10', '192.0.2.11']);
    const rollup = await t.store.db
      .selectFrom('click_rollups')
      .select((eb) => eb.fn.sum<number>('clicks').as('n'))
      .where('link_id', '=', linkId)
      .executeTakeFirstOrThrow();
    expect(Number(rollup.n)).toBe(4);
  });
});
