import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessHours,
  addBusinessMs,
  type BusinessCalendar,
  businessMsBetween,
  businessMsBetweenMs,
  calendarProblems,
  HOUR_MS,
  isWithinBusinessHours,
} from './business-hours.ts';

const nicosia: BusinessCalendar = {
  timeZone: 'Europe/Nicosia',
  workingDays: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
  holidays: ['2025-01-06', '2025-04-18', '2025-12-25', '2026-01-01'],
};
const dubai: BusinessCalendar = {
  timeZone: 'Asia/Dubai',
  workingDays: [1, 2, 3, 4, 5],
  start: '08:30',
  end: '17:30',
  holidays: ['2025-12-02', '2025-12-03'],
};
/** Every day, all day: DST days are 23 or 25 hours long. */
const nicosiaAllDay: BusinessCalendar = {
  timeZone: 'Europe/Nicosia',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  start: '00:00',
  end: '24:00',
  holidays: [],
};
/** A working day that spans the spring-forward and fall-back hours (02:00-05:00 local on Sundays). */
const nicosiaNight: BusinessCalendar = {
  timeZone: 'Europe/Nicosia',
  workingDays: [7],
  start: '01:00',
  end: '06:00',
  holidays: [],
};
const newYork: BusinessCalendar = {
  timeZone: 'America/New_York',
  workingDays: [1, 2, 3, 4, 6],
  start: '07:15',
  end: '15:45',
  holidays: ['2025-07-04', '2025-11-27'],
};
const CALENDARS = [nicosia, dubai, nicosiaAllDay, nicosiaNight, newYork];

const localDate = (ms: number, tz: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
const localWeekday = (ms: number, tz: string) =>
  ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' }).format(new Date(ms)),
  ) + 1;

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2027, 11, 31);
const instant = fc.integer({ min: FROM, max: TO });
const calendar = fc.constantFrom(...CALENDARS);
/** Business time in whole minutes, up to 200 hours. */
const duration = fc.integer({ min: 0, max: 200 * 60 }).map((m) => m * 60_000);

describe('addBusinessHours: examples', () => {
  it('stays on the same day when there is time left', () => {
    // Tuesday 10:00 Nicosia (UTC+2 in January) + 3h = 13:00 local.
    expect(addBusinessHours('2025-01-07T08:00:00.000Z', 3, nicosia)).toBe('2025-01-07T11:00:00.000Z');
  });

  it('carries over the night and the weekend', () => {
    // Friday 17:00 local + 2h: 1h on Friday, 1h on Monday from 09:00.
    expect(addBusinessHours('2025-01-10T15:00:00.000Z', 2, nicosia)).toBe('2025-01-13T08:00:00.000Z');
    // Saturday: the clock starts on Monday at 09:00.
    expect(addBusinessHours('2025-01-11T12:00:00.000Z', 1, nicosia)).toBe('2025-01-13T08:00:00.000Z');
  });

  it('skips holidays', () => {
    // Friday 3 January 17:00 + 2h: Monday 6 January is a holiday, so the second hour is Tuesday 09:00–10:00.
    expect(addBusinessHours('2025-01-03T15:00:00.000Z', 2, nicosia)).toBe('2025-01-07T08:00:00.000Z');
  });

  it('ends exactly at the close of the day rather than the next morning', () => {
    expect(addBusinessHours('2025-01-07T07:00:00.000Z', 9, nicosia)).toBe('2025-01-07T16:00:00.000Z');
    expect(isWithinBusinessHours('2025-01-07T16:00:00.000Z', nicosia)).toBe(true);
  });

  it('zero hours is the start itself, even outside working hours', () => {
    expect(addBusinessHours('2025-01-11T12:00:00.000Z', 0, nicosia)).toBe('2025-01-11T12:00:00.000Z');
  });

  it('Europe/Nicosia spring forward: Friday EET, Monday EEST', () => {
    // Fri 28 Mar 2025 17:00 EET (15:00Z) + 2h → Mon 31 Mar 10:00 EEST (07:00Z).
    expect(addBusinessHours('2025-03-28T15:00:00.000Z', 2, nicosia)).toBe('2025-03-31T07:00:00.000Z');
    expect(businessMsBetween('2025-03-28T15:00:00.000Z', '2025-03-31T07:00:00.000Z', nicosia)).toBe(
      2 * HOUR_MS,
    );
  });

  it('Europe/Nicosia fall back: Friday EEST, Monday EET', () => {
    // Fri 24 Oct 2025 17:00 EEST (14:00Z) + 2h → Mon 27 Oct 10:00 EET (08:00Z).
    expect(addBusinessHours('2025-10-24T14:00:00.000Z', 2, nicosia)).toBe('2025-10-27T08:00:00.000Z');
  });

  it('DST days are 23 and 25 business hours long in an all-day calendar', () => {
    // Local midnight to midnight on Sunday 30 March 2025 (starts EET, ends EEST).
    expect(businessMsBetween('2025-03-29T22:00:00.000Z', '2025-03-30T21:00:00.000Z', nicosiaAllDay)).toBe(
      23 * HOUR_MS,
    );
    // Sunday 26 October 2025 (starts EEST, ends EET).
    expect(businessMsBetween('2025-10-25T21:00:00.000Z', '2025-10-26T22:00:00.000Z', nicosiaAllDay)).toBe(
      25 * HOUR_MS,
    );
    // From Sunday 00:00 local, 23 business hours reach Monday 00:00 local; 24 more reach Tuesday 00:00.
    expect(addBusinessHours('2025-03-29T22:00:00.000Z', 23, nicosiaAllDay)).toBe('2025-03-30T21:00:00.000Z');
    expect(addBusinessHours('2025-03-29T22:00:00.000Z', 23 + 24, nicosiaAllDay)).toBe(
      '2025-03-31T21:00:00.000Z',
    );
    expect(addBusinessHours('2025-10-25T21:00:00.000Z', 25, nicosiaAllDay)).toBe('2025-10-26T22:00:00.000Z');
  });

  it('working hours that contain the DST jump count real time', () => {
    // 01:00–06:00 local on 30 March 2025 is 4 real hours (03:00 becomes 04:00).
    expect(businessMsBetween('2025-03-29T12:00:00.000Z', '2025-03-31T12:00:00.000Z', nicosiaNight)).toBe(
      4 * HOUR_MS,
    );
    // 01:00–06:00 local on 26 October 2025 is 6 real hours (04:00 happens twice).
    expect(businessMsBetween('2025-10-25T12:00:00.000Z', '2025-10-27T12:00:00.000Z', nicosiaNight)).toBe(
      6 * HOUR_MS,
    );
  });

  it('Asia/Dubai (UTC+4, no DST) uses its own day and holidays', () => {
    // Friday 3 Jan 2025 17:00 local (13:00Z) + 1h: 0.5h Friday, 0.5h Monday from 08:30 → 09:00 local (05:00Z).
    expect(addBusinessHours('2025-01-03T13:00:00.000Z', 1, dubai)).toBe('2025-01-06T05:00:00.000Z');
    // Monday 1 Dec 17:00 + 1h: Tue 2 and Wed 3 Dec are holidays → Thursday 09:00 local.
    expect(addBusinessHours('2025-12-01T13:00:00.000Z', 1, dubai)).toBe('2025-12-04T05:00:00.000Z');
    // Summer: still UTC+4.
    expect(addBusinessHours('2025-07-07T04:30:00.000Z', 1, dubai)).toBe('2025-07-07T05:30:00.000Z');
  });

  it('negative intervals are measured backwards', () => {
    expect(businessMsBetween('2025-01-07T11:00:00.000Z', '2025-01-07T08:00:00.000Z', nicosia)).toBe(
      -3 * HOUR_MS,
    );
  });
});

describe('calendar validation', () => {
  it('names every bad field', () => {
    const fields = calendarProblems({
      timeZone: 'Mars/Olympus',
      workingDays: [0, 8],
      start: '18:00',
      end: '09:00',
      holidays: ['2025-02-30'],
    }).map((p) => p.field);
    expect(fields).toEqual(['timeZone', 'workingDays', 'end', 'holidays.0']);
    expect(calendarProblems(nicosia)).toEqual([]);
    expect(() => addBusinessHours('2025-01-01T00:00:00.000Z', 1, { ...nicosia, workingDays: [] })).toThrow(
      RangeError,
    );
  });
});

describe('business time: properties', () => {
  it('adding h1 then h2 is adding h1 + h2', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, (cal, s, h1, h2) => {
        expect(addBusinessMs(addBusinessMs(s, h1, cal), h2, cal)).toBe(addBusinessMs(s, h1 + h2, cal));
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the duration and in the start', () => {
    fc.assert(
      fc.property(calendar, instant, instant, duration, duration, (cal, a, b, h1, h2) => {
        const [lo, hi] = h1 <= h2 ? [h1, h2] : [h2, h1];
        expect(addBusinessMs(a, lo, cal)).toBeLessThanOrEqual(addBusinessMs(a, hi, cal));
        const [s1, s2] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMs(s1, h1, cal)).toBeLessThanOrEqual(addBusinessMs(s2, h1, cal));
      }),
      { numRuns: 300 },
    );
  });

  it('lands inside working hours, on a working day that is not a holiday, unless the duration is zero', () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, s, h) => {
        const due = addBusinessMs(s, h, cal);
        if (h === 0) {
          expect(due).toBe(s);
          return;
        }
        expect(due).toBeGreaterThan(s);
        expect(isWithinBusinessHours(new Date(due).toISOString(), cal)).toBe(true);
        // The last business millisecond used is on a working, non-holiday day.
        const last = due - 1;
        expect(cal.workingDays).toContain(localWeekday(last, cal.timeZone));
        expect(cal.holidays).not.toContain(localDate(last, cal.timeZone));
      }),
      { numRuns: 300 },
    );
  });

  it('measuring back gives the business time added', () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, s, h) => {
        expect(businessMsBetweenMs(s, addBusinessMs(s, h, cal), cal)).toBe(h);
      }),
      { numRuns: 300 },
    );
  });

  it('business time between instants is additive, antisymmetric and never more than real time', () => {
    fc.assert(
      fc.property(calendar, instant, instant, instant, (cal, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        const ab = businessMsBetweenMs(a, b, cal);
        const bc = businessMsBetweenMs(b, c, cal);
        expect(businessMsBetweenMs(a, c, cal)).toBe(ab + bc);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(b - a);
        expect(businessMsBetweenMs(b, a, cal) + ab).toBe(0);
      }),
      { numRuns: 80 },
    );
  });

  it('a pause shifts the due time by the business time paused', () => {
    fc.assert(
      fc.property(
        calendar,
        instant,
        duration,
        duration,
        duration,
        (cal, created, sla, beforePause, pauseLen) => {
          // The clock runs `beforePause` (less than the SLA), stops for `pauseLen` business time, then restarts.
          const run = Math.min(beforePause, sla);
          const pausedAt = addBusinessMs(created, run, cal);
          const resumedAt = addBusinessMs(pausedAt, pauseLen, cal);
          const paused = businessMsBetweenMs(pausedAt, resumedAt, cal);
          const due = addBusinessMs(created, sla + paused, cal);
          // Business time counted while running is exactly the SLA.
          expect(businessMsBetweenMs(created, due, cal) - paused).toBe(sla);
          expect(due).toBe(addBusinessMs(addBusinessMs(created, sla, cal), paused, cal));
        },
      ),
      { numRuns: 200 },
    );
  });
});
