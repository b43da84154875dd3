// Prefixed, time-sortable ids: shape, order (also within one millisecond), the time they carry, uniqueness.
import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, idTime, isId, newId, ulid } from './ids.ts';

const SHAPE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('ids', () => {
  it('are the prefix, an underscore and 26 Crockford base32 characters', () => {
    for (const kind of Object.keys(ID_PREFIXES) as (keyof typeof ID_PREFIXES)[]) {
      const id = newId(kind);
      expect(id.startsWith(`${ID_PREFIXES[kind]}_`)).toBe(true);
      expect(id.slice(4)).toMatch(SHAPE);
      expect(isId(kind, id)).toBe(true);
    }
    expect(isId('partner', newId('event'))).toBe(false);
    expect(isId('partner', 'ptr_01ARZ3NDEKTSV4RRFFQ69G5FAV'.toLowerCase())).toBe(false);
  });

  it('sort in the order they were minted, within one millisecond too, and never repeat', () => {
    const at = Date.parse('2026-12-04T10:00:00Z');
    const sameMs = Array.from({ length: 5000 }, () => ulid(at));
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(new Set(sameMs).size).toBe(sameMs.length);
    // Across milliseconds, and past many refills of the random pool (16 bytes an id, 4 KB a refill).
    const spread = Array.from({ length: 3000 }, (_, i) => ulid(at + 1 + i));
    expect([...spread].sort()).toEqual(spread);
    expect(new Set(spread).size).toBe(spread.length);
  });

  it('carry their millisecond', () => {
    const at = Date.parse('2026-12-04T10:00:00.123Z');
    expect(idTime(newId('event', at))).toBe(at);
    expect(idTime(`evt_${ulid(0)}`)).toBe(0);
  });

  it('draw fresh randomness in each new millisecond', () => {
    const at = Date.parse('2026-12-04T11:00:00Z');
    const randoms = Array.from({ length: 2000 }, (_, i) => ulid(at + i).slice(10));
    expect(new Set(randoms).size).toBe(randoms.length);
    // Every character of the alphabet turns up in the random part (a stuck or biased source would not).
    const seen = new Set(randoms.join('').slice(16).split(''));
    expect(seen.size).toBe(32);
  });
});
