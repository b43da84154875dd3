import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedTransitions, PATH, type Stage } from './stages.ts';
import { median, partnerTimelines, summarizeTimelines, type TimelineRow } from './timelines.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-05T09:00:00.000Z');

/** A partner's moves: it starts in intake at `start`, then each step waits `gap` ms and takes an allowed move. */
interface History {
  partnerId: string;
  start: number;
  steps: { gap: number; choice: number }[];
}

/** The rows the application would have recorded by instant `upTo` (moves after it have not happened yet). */
function recordedRows(h: History, upTo: number): TimelineRow[] {
  if (h.start > upTo) return [];
  const rows: TimelineRow[] = [
    { partnerId: h.partnerId, stage: 'intake', enteredAt: h.start, exitedAt: null, backfilled: false },
  ];
  let at = h.start;
  let stage: Stage = 'intake';
  for (const s of h.steps) {
    const options = allowedTransitions(stage);
    if (options.length === 0) break;
    at += s.gap;
    if (at > upTo) break;
    const next = options[s.choice % options.length]?.to as Stage;
    (rows[rows.length - 1] as TimelineRow).exitedAt = at;
    rows.push({ partnerId: h.partnerId, stage: next, enteredAt: at, exitedAt: null, backfilled: false });
    stage = next;
  }
  return rows;
}

const historyArb = (id: string) =>
  fc.record({
    partnerId: fc.constant(id),
    start: fc.integer({ min: T0, max: T0 + 30 * DAY }),
    steps: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 20 * DAY }), choice: fc.nat({ max: 6 }) }), {
      maxLength: 12,
    }),
  });
const historiesArb = fc
  .array(fc.nat({ max: 9999 }), { minLength: 1, maxLength: 8 })
  .chain((ids) => fc.tuple(...[...new Set(ids)].map((n) => historyArb(`ptr_${n}`))));

describe('activation timelines', () => {
  it('as of any past instant, the answer equals what the history recorded by then gives', () => {
    fc.assert(
      fc.property(historiesArb, fc.integer({ min: T0 - DAY, max: T0 + 200 * DAY }), (histories, asOf) => {
        const full = histories.flatMap((h) => recordedRows(h, Number.POSITIVE_INFINITY));
        const thenRows = histories.flatMap((h) => recordedRows(h, asOf));
        expect(partnerTimelines(full, asOf)).toEqual(partnerTimelines(thenRows, asOf));
        const owners = new Map(histories.map((h, i) => [h.partnerId, i % 2 === 0 ? 'usr_a' : null]));
        const window = { asOf, from: T0 + 5 * DAY, to: T0 + 90 * DAY };
        expect(summarizeTimelines(full, owners, window, PATH)).toEqual(
          summarizeTimelines(thenRows, owners, window, PATH),
        );
      }),
    );
  });

  it('stage durations of a partner add up to the time since it entered intake, and intake→active is exact', () => {
    fc.assert(
      fc.property(historiesArb, fc.integer({ min: T0, max: T0 + 300 * DAY }), (histories, asOf) => {
        const rows = histories.flatMap((h) => recordedRows(h, Number.POSITIVE_INFINITY));
        for (const p of partnerTimelines(rows, asOf)) {
          const h = histories.find((x) => x.partnerId === p.partnerId) as History;
          const total = Object.values(p.stages).reduce((sum, s) => sum + (s?.durationMs ?? 0), 0);
          const mine = rows.filter((r) => r.partnerId === p.partnerId);
          // Every history ends in an open row (offboarded included), so the stages cover intake entry → asOf.
          expect(total).toBe(asOf - h.start);
          const firstActive = mine.find((r) => r.stage === 'active' && r.enteredAt <= asOf);
          expect(p.intakeToActiveMs).toBe(firstActive ? firstActive.enteredAt - h.start : null);
          expect(p.currentStage).toBe([...mine].reverse().find((r) => r.enteredAt <= asOf)?.stage ?? null);
        }
      }),
    );
  });

  it('medians: the middle value, or the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 30 }), (xs) => {
        const m = median(xs) as number;
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(m).toBeLessThanOrEqual(Math.max(...xs));
        expect(xs.filter((x) => x < m).length).toBeLessThanOrEqual(Math.floor(xs.length / 2));
        expect(xs.filter((x) => x > m).length).toBeLessThanOrEqual(Math.floor(xs.length / 2));
      }),
    );
  });

  it('a crafted history: exact durations, medians per stage and per owner, and backfilled rows left out', () => {
    const row = (
      partnerId: string,
      stage: Stage,
      from: number,
      to: number | null,
      backfilled = false,
    ): TimelineRow => ({
      partnerId,
      stage,
      enteredAt: T0 + from * DAY,
      exitedAt: to === null ? null : T0 + to * DAY,
      backfilled,
    });
    const rows = [
      row('a', 'intake', 0, 2),
      row('a', 'due_diligence', 2, 5),
      row('a', 'tracking_setup', 5, 6),
      row('a', 'activation_readiness', 6, 10),
      row('a', 'handover', 10, 10.5),
      row('a', 'active', 10.5, null),
      row('b', 'intake', 1, 5),
      row('b', 'due_diligence', 5, 6),
      row('b', 'tracking_setup', 6, 7),
      row('b', 'activation_readiness', 7, 8),
      row('b', 'handover', 8, 9),
      row('b', 'active', 9, null),
      row('c', 'tracking_setup', 0, 4, true),
      row('c', 'activation_readiness', 4, null),
    ];
    const owners = new Map([
      ['a', 'usr_1'],
      ['b', 'usr_2'],
      ['c', 'usr_1'],
    ]);
    const asOf = T0 + 20 * DAY;
    const all = partnerTimelines(rows, asOf);
    // ordered by first entry, then id
    expect(all.map((p) => p.partnerId)).toEqual(['a', 'c', 'b']);
    const [a, c, b] = all;
    expect(a?.intakeToActiveMs).toBe(10.5 * DAY);
    expect(b?.intakeToActiveMs).toBe(8 * DAY);
    expect(c?.intakeToActiveMs).toBeNull();
    expect(c?.stages.tracking_setup).toEqual({ durationMs: 4 * DAY, visits: 1, open: false, exact: false });
    expect(a?.stages.active).toEqual({ durationMs: 9.5 * DAY, visits: 1, open: true, exact: true });
    const s = summarizeTimelines(rows, owners, { asOf, from: null, to: null }, PATH);
    expect(s.intakeToActive).toEqual({ activations: 2, medianMs: 9.25 * DAY });
    expect(s.stages.find((x) => x.stage === 'due_diligence')).toEqual({
      stage: 'due_diligence',
      visits: 2,
      medianMs: 2 * DAY,
    });
    // c's backfilled tracking visit is left out of the median
    expect(s.stages.find((x) => x.stage === 'tracking_setup')).toEqual({
      stage: 'tracking_setup',
      visits: 2,
      medianMs: 1 * DAY,
    });
    expect(s.byOwner.find((o) => o.ownerId === 'usr_1')?.medianIntakeToActiveMs).toBe(10.5 * DAY);

    // As of day 5.5, a is in tracking setup, b in due diligence; nobody is active yet.
    const mid = partnerTimelines(rows, T0 + 5.5 * DAY);
    expect(mid.map((p) => p.currentStage)).toEqual([
      'tracking_setup',
      'activation_readiness',
      'due_diligence',
    ]);
    expect(mid[0]?.stages.tracking_setup?.durationMs).toBe(0.5 * DAY);
    expect(mid[0]?.activatedAt).toBeNull();
    // Window: only activations within [day 9, day 10) count
    const w = summarizeTimelines(rows, owners, { asOf, from: T0 + 9 * DAY, to: T0 + 10 * DAY }, PATH);
    expect(w.intakeToActive).toEqual({ activations: 1, medianMs: 8 * DAY });
  });
});
