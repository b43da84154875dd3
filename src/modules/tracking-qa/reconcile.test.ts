// Reading a partner's CSV and comparing it with our numbers: bands, symmetry, and every bad cell named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { parseCsv } from '../partners/index.ts';
import { bandOf, compare, differenceBp, type Metric, readPartnerFile } from './reconcile.ts';

const read = (text: string) => readPartnerFile(parseCsv(text));
const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.errors.map((x) => `${x.field}: ${x.message}`);
    throw e;
  }
  throw new Error('no error');
};

describe('differenceBp and bands', () => {
  it('puts the field bands at 2% and 5%', () => {
    expect(bandOf(differenceBp(1000, 1019))).toBe('normal');
    // relative to the larger number: 20 of 1,020 is 1.96%, still normal; 21 of 1,021 is 2.06%
    expect(differenceBp(1000, 1020)).toBe(196);
    expect(bandOf(differenceBp(1000, 1020))).toBe('normal');
    expect(bandOf(differenceBp(1000, 1021))).toBe('watch');
    expect(bandOf(differenceBp(100, 102))).toBe('normal');
    expect(bandOf(differenceBp(100, 103))).toBe('watch');
    expect(bandOf(differenceBp(100, 105))).toBe('watch');
    expect(bandOf(differenceBp(100, 106))).toBe('investigate');
    expect(differenceBp(0, 0)).toBe(0);
    expect(differenceBp(0, 7)).toBe(10_000);
  });
  it('is symmetric, bounded by 100% and zero only for equal numbers (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (a, b) => {
        const d = differenceBp(a, b);
        expect(d).toBe(differenceBp(b, a));
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(10_000);
        if (a !== b && Math.abs(a - b) * 20_000 >= Math.max(a, b)) expect(d).toBeGreaterThan(0);
        if (a === b) expect(d).toBe(0);
      }),
    );
  });
});

describe('readPartnerFile', () => {
  it('reads aliases, sub-IDs, thousands separators and lots', () => {
    const f = read(
      'Date,Sub ID,Signups,FTD,Volume Lots,Notes\n2026-11-02,fb,"1,204",31,12.50,ok\n2026-11-01,fb,900,20,3,\n',
    );
    expect(f).toMatchObject({
      bySub: true,
      from: '2026-11-01',
      to: '2026-11-02',
      metrics: ['registrations', 'ftds', 'lots'],
    });
    expect(f.rows.find((r) => r.day === '2026-11-02')?.values).toEqual({
      registrations: 1204,
      ftds: 31,
      lots: 1250,
    });
  });
  it('names every bad cell and writes nothing', () => {
    const errors = fieldsOf(() =>
      read('date,clicks,lots\n2026-13-01,10,1\n2026-11-02,ten,1.234\n2026-11-02,5,1\n'),
    );
    expect(errors).toEqual([
      'body.csv[row 1].date: "2026-13-01" is not a date as YYYY-MM-DD',
      'body.csv[row 2].clicks: "ten" is not a whole number',
      'body.csv[row 2].lots: "1.234" is not a number of lots with at most 2 decimals',
      'body.csv[row 3]: repeats 2026-11-02; one row per day',
    ]);
  });
  it('explains a file without a date column or without figures', () => {
    expect(fieldsOf(() => read('day_of_week,clicks\nmon,1\n'))[0]).toMatch(/no date column/);
    expect(fieldsOf(() => read('date,comment\n2026-11-01,x\n'))[0]).toMatch(/no figure to compare/);
    expect(fieldsOf(() => read('date,clicks\n2026-01-01,1\n2026-06-01,1\n'))[0]).toMatch(/covers 152 days/);
  });
});

describe('compare', () => {
  it('compares per day and sub-ID, counts rows only we have as zero on their side, and totals', () => {
    const file = read('date,sub1,clicks,ftds\n2026-11-01,a,1000,10\n2026-11-01,b,200,\n2026-11-02,a,990,9\n');
    const ours = new Map<string, Partial<Record<Metric, number>>>([
      ['2026-11-01\u0000a', { clicks: 1010, ftds: 10 }],
      ['2026-11-01\u0000b', { clicks: 215, ftds: 3 }],
      ['2026-11-02\u0000a', { clicks: 1000, ftds: 10 }],
      ['2026-11-02\u0000c', { clicks: 40, ftds: 0 }],
      ['2026-10-31\u0000a', { clicks: 5 }], // outside the file's days: ignored
    ]);
    const c = compare(file, ours);
    expect(c.rows.map((r) => [r.day, r.sub1, r.band, r.inFile])).toEqual([
      ['2026-11-01', 'a', 'normal', true],
      ['2026-11-01', 'b', 'investigate', true], // 200 vs 215 clicks = 7%; their ftds cell is empty: not compared
      ['2026-11-02', 'a', 'investigate', true], // 9 vs 10 FTDs = 10%
      ['2026-11-02', 'c', 'investigate', false],
    ]);
    expect(c.rows[1]?.figures.ftds).toBeUndefined();
    expect(c.totals.clicks).toMatchObject({ ours: 2265, theirs: 2190, difference: -75 });
    expect(c.band).toBe('investigate');
    expect(c.counts).toEqual({ normal: 1, watch: 0, investigate: 3 });
  });
  it('agrees with a recount whatever the numbers (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            day: fc.integer({ min: 1, max: 28 }),
            sub: fc.constantFrom('a', 'b', 'c'),
            ours: fc.nat(5000),
            theirs: fc.nat(5000),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (rows) => {
          const seen = new Map<string, { ours: number; theirs: number }>();
          for (const r of rows)
            seen.set(`2026-11-${String(r.day).padStart(2, '0')}\u0000${r.sub}`, {
              ours: r.ours,
              theirs: r.theirs,
            });
          const csv = [
            'date,sub1,clicks',
            ...[...seen].map(([k, v]) => `${k.replace('\u0000', ',')},${v.theirs}`),
          ].join('\n');
          const ours = new Map([...seen].map(([k, v]) => [k, { clicks: v.ours }]));
          const c = compare(read(csv), ours);
          const sumO = [...seen.values()].reduce((n, v) => n + v.ours, 0);
          const sumT = [...seen.values()].reduce((n, v) => n + v.theirs, 0);
          expect(c.totals.clicks).toMatchObject({ ours: sumO, theirs: sumT, difference: sumT - sumO });
          for (const r of c.rows) expect(r.band).toBe(bandOf(r.figures.clicks?.differenceBp ?? 0));
        },
      ),
    );
  });
});
