// The traffic model: deterministic per seed, funnel rates inside the documented bands, every client's events
// in order and inside the programme window, amounts and lots well-formed, and the time compression and click
// time decoding exact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mintClickId } from '../tracking/index.ts';
import { buildPlan, clickTimeOf, compress, MAX_NOMINAL_MS, type ModelLink, RATES } from './model.ts';

const links: ModelLink[] = Array.from({ length: 12 }, (_, i) => ({
  id: `lnk_${String(i).padStart(3, '0')}`,
  code: `code${i}`,
  partnerId: `ptr_${String(i % 7).padStart(3, '0')}`,
}));

describe('traffic model', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = buildPlan(links, { clicks: 500, seed: 42 });
    const b = buildPlan([...links].reverse(), { clicks: 500, seed: 42 });
    const c = buildPlan(links, { clicks: 500, seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('keeps bots, repeats and the funnel inside the documented bands', () => {
    const plan = buildPlan(links, { clicks: 40_000, seed: 7 });
    const bots = plan.clicks.filter((c) => c.bot).length;
    const repeats = plan.clicks.filter((c) => c.repeat).length;
    const fresh = plan.clicks.filter((c) => !c.bot && !c.repeat).length;
    expect(bots / plan.clicks.length).toBeGreaterThan(RATES.bot * 0.8);
    expect(bots / plan.clicks.length).toBeLessThan(RATES.bot * 1.2);
    expect(repeats / (plan.clicks.length - bots)).toBeGreaterThan(RATES.repeat * 0.8);
    expect(plan.clicks.every((c) => !c.client || (!c.bot && !c.repeat))).toBe(true);
    const regs = plan.clients.length / fresh;
    expect(regs).toBeGreaterThanOrEqual(0.03);
    expect(regs).toBeLessThanOrEqual(0.08);
    const has = (t: string) => plan.clients.filter((c) => c.events.some((e) => e.type === t)).length;
    expect(has('kyc_approved') / plan.clients.length).toBeGreaterThan(0.22);
    expect(has('kyc_approved') / plan.clients.length).toBeLessThan(0.43);
    expect(has('ftd') / has('kyc_approved')).toBeGreaterThan(0.27);
    expect(has('ftd') / has('kyc_approved')).toBeLessThan(0.53);
    const all = plan.clients.flatMap((c) => c.events);
    const replays = all.filter((e) => e.replay).length / all.length;
    expect(replays).toBeGreaterThan(0.01);
    expect(replays).toBeLessThan(0.03);
    const groups = new Set(all.filter((e) => e.type === 'trade').map((e) => e.instrumentGroup));
    expect([...groups].sort()).toEqual(['commodities', 'crypto', 'forex', 'indices', 'metals']);
    expect(all.some((e) => e.type === 'chargeback')).toBe(true);
    expect(all.some((e) => e.type === 'withdrawal')).toBe(true);
    expect(all.some((e) => e.channel === 'postback') && all.some((e) => e.channel === 'batch')).toBe(true);
    // Sub-IDs: campaigns and creatives on human clicks; bots are real bot user agents.
    expect(plan.clicks.filter((c) => !c.bot).every((c) => c.subs[0] && c.subs[1])).toBe(true);
  });

  it('gives every client an ordered, well-formed timeline inside the programme window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const plan = buildPlan(links, { clicks: 400, seed });
        for (const c of plan.clients) {
          expect(c.events[0]?.type).toBe('registration');
          let last = 0;
          for (const e of c.events) {
            expect(e.offsetMs).toBeGreaterThan(last);
            expect(e.offsetMs).toBeLessThan(MAX_NOMINAL_MS + 100);
            last = e.offsetMs;
            if (['ftd', 'deposit', 'withdrawal', 'chargeback'].includes(e.type)) {
              expect(Number.isInteger(e.amountMinor) && (e.amountMinor as number) >= 100).toBe(true);
              expect(e.currency).toBe(c.currency);
            }
            if (e.type === 'trade') {
              expect(Number.isInteger(e.lots) && (e.lots as number) >= 1).toBe(true);
              expect(Number.isInteger(e.revenueMinor) && (e.revenueMinor as number) >= 1).toBe(true);
            }
          }
          const kinds = c.events.map((e) => e.type);
          if (kinds.includes('ftd'))
            expect(kinds.indexOf('ftd')).toBeGreaterThan(kinds.indexOf('kyc_approved'));
          expect(kinds.filter((k) => k === 'ftd').length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('compresses a timeline between click + gap and the anchor, keeping the order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: MAX_NOMINAL_MS }),
        fc.integer({ min: 0, max: MAX_NOMINAL_MS }),
        (click, extra, a, b) => {
          const anchor = click + 3000 + extra;
          const ta = compress(click, a, anchor, 3000);
          const tb = compress(click, b, anchor, 3000);
          expect(ta).toBeGreaterThanOrEqual(click + 3000);
          expect(ta).toBeLessThanOrEqual(anchor);
          if (a <= b) expect(ta).toBeLessThanOrEqual(tb);
        },
      ),
    );
  });

  it('reads the click time out of a click id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 2 ** 31 }), (ms, seq) => {
        expect(clickTimeOf(mintClickId('a secret', seq, ms))).toBe(ms);
      }),
    );
    expect(clickTimeOf('not a click id')).toBeNull();
  });
});
