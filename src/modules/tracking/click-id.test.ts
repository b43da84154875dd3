import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLICK_ID_LENGTH, CLICK_ID_RE, clickIdCodec } from './click-id.ts';

const codec = clickIdCodec('a-test-secret-that-is-long-enough-000000');
const other = clickIdCodec('another-secret-that-is-long-enough-11111');
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const timeArb = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const seqArb = fc.integer({ min: 0, max: 0xffffffff });

describe('click ids', () => {
  it('round-trips time and link seq', () => {
    fc.assert(
      fc.property(timeArb, seqArb, (time, seq) => {
        const id = codec.mint(seq, time);
        expect(id).toHaveLength(CLICK_ID_LENGTH);
        expect(id).toMatch(CLICK_ID_RE);
        expect(codec.parse(id)).toEqual({ ok: true, time, linkSeq: seq });
      }),
      { numRuns: 500 },
    );
  });

  it('detects any single-character change (malformed or forged)', () => {
    const anyChar = fc.oneof(
      fc.constantFrom(...ALPHABET.split('')),
      fc.constantFrom('a', 'z', 'I', 'L', 'O', 'U', '-', '_', '0', ' ', 'é'),
    );
    fc.assert(
      fc.property(timeArb, seqArb, fc.nat(), anyChar, (time, seq, at, ch) => {
        const id = codec.mint(seq, time);
        const pos = at % id.length;
        fc.pre(id[pos] !== ch);
        const changed = id.slice(0, pos) + ch + id.slice(pos + 1);
        const parsed = codec.parse(changed);
        expect(parsed.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('calls a valid-looking id with a wrong MAC forged, and garbage malformed', () => {
    const id = other.mint(7, Date.now());
    expect(codec.parse(id)).toEqual({ ok: false, reason: 'forged' });
    expect(codec.parse('')).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.parse(id.toLowerCase())).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.parse(`${id}0`)).toEqual({ ok: false, reason: 'malformed' });
    expect(codec.parse(id.slice(0, -1))).toEqual({ ok: false, reason: 'malformed' });
    // The last character carries one pad bit, which must be zero.
    const last = ALPHABET.indexOf(id[id.length - 1] as string);
    expect(codec.parse(id.slice(0, -1) + ALPHABET[last ^ 1])).toEqual({ ok: false, reason: 'malformed' });
  });

  it('sorts by time', () => {
    fc.assert(
      fc.property(timeArb, timeArb, seqArb, seqArb, (t1, t2, s1, s2) => {
        fc.pre(t1 !== t2);
        const a = codec.mint(s1, t1);
        const b = codec.mint(s2, t2);
        expect(a < b).toBe(t1 < t2);
      }),
      { numRuns: 1000 },
    );
  });

  it('never repeats within a process, even in one millisecond on one link', () => {
    const now = Date.now();
    const ids = new Set<string>();
    for (let i = 0; i < 50_000; i++) ids.add(codec.mint(42, now));
    expect(ids.size).toBe(50_000);
  });
});
