// Business time: a calendar of working days and hours in one IANA time zone, minus holidays, and pure
// functions that add business hours to an instant or measure the business time between two instants.
// Time zones come from the platform's Intl data (no dependency). Pauses are the caller's business: the due
// time of a paused clock moves by the business time spent paused.

export interface BusinessCalendar {
  /** IANA time zone, e.g. "Europe/Nicosia". */
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** Local start and end of the working day, "HH:MM" (24 h), start before end. */
  start: string;
  end: string;
  /** Local dates (YYYY-MM-DD) that are not working days. */
  holidays: string[];
}

export const DEFAULT_CALENDAR: BusinessCalendar = {
  timeZone: 'Europe/Nicosia',
  workingDays: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
  holidays: [],
};

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How far ahead (in calendar days) a computation may look before the calendar is declared unusable. */
const MAX_DAYS = 366 * 20;

const hhmmRe = /^([01]\d|2[0-3]):([0-5]\d)$/;
const dateRe = /^\d{4}-\d{2}-\d{2}$/;

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(hhmm: string): number {
  const m = hhmmRe.exec(hhmm);
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

function validDate(s: string): boolean {
  if (!dateRe.test(s)) return false;
  const d = new Date(`${s}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Problems with a calendar, each naming its field; empty when the calendar is usable. */
export function calendarProblems(cal: BusinessCalendar): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (!isValidTimeZone(cal.timeZone))
    out.push({ field: 'timeZone', message: 'Use an IANA time zone such as Europe/Nicosia.' });
  if (
    !Array.isArray(cal.workingDays) ||
    cal.workingDays.length === 0 ||
    cal.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7) ||
    new Set(cal.workingDays).size !== cal.workingDays.length
  ) {
    out.push({
      field: 'workingDays',
      message: 'Give one or more distinct ISO weekdays (1 = Monday … 7 = Sunday).',
    });
  }
  const s = minutesOf(cal.start);
  const e = minutesOf(cal.end);
  if (Number.isNaN(s)) out.push({ field: 'start', message: 'Use HH:MM (24 hour).' });
  if (Number.isNaN(e) && cal.end !== '24:00') out.push({ field: 'end', message: 'Use HH:MM (24 hour).' });
  const eMin = cal.end === '24:00' ? 1440 : e;
  if (!Number.isNaN(s) && !Number.isNaN(eMin) && eMin <= s)
    out.push({ field: 'end', message: 'The working day must end after it starts.' });
  (cal.holidays ?? []).forEach((h, i) => {
    if (!validDate(h)) out.push({ field: `holidays.${i}`, message: 'Use a date YYYY-MM-DD.' });
  });
  return out;
}

// ---- time-zone arithmetic ----

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface LocalParts {
  y: number;
  m: number; // 1-12
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

function localParts(ms: number, tz: string): LocalParts {
  const parts = formatter(tz).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return {
    y: get('year'),
    m: get('month'),
    d: get('day'),
    hh: get('hour') % 24,
    mm: get('minute'),
    ss: get('second'),
  };
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset). Whole seconds only. */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` shows the given local time. A local time that does not exist
 * (skipped by a DST jump) maps to the instant the clock jumps past it; an ambiguous one to the earlier.
 */
function zonedToUtc(y: number, m: number, d: number, minutes: number, tz: string): number {
  const local = Date.UTC(y, m - 1, d) + minutes * 60_000;
  const o1 = offsetAt(local - 14 * HOUR_MS, tz);
  const o2 = offsetAt(local + 14 * HOUR_MS, tz);
  const candidates = [local - o1, local - o2]
    .filter((t) => t + offsetAt(t, tz) === local)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0] as number;
  // In a gap: the wall clock never shows this time. Use the offset before the jump, which lands after it.
  return local - Math.min(o1, o2);
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

function nextDate(ld: LocalDate): LocalDate {
  const t = new Date(Date.UTC(ld.y, ld.m - 1, ld.d) + DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function dateKey(ld: LocalDate): string {
  return `${String(ld.y).padStart(4, '0')}-${String(ld.m).padStart(2, '0')}-${String(ld.d).padStart(2, '0')}`;
}

function isoWeekday(ld: LocalDate): number {
  return new Date(Date.UTC(ld.y, ld.m - 1, ld.d)).getUTCDay() || 7;
}

interface Prepared {
  tz: string;
  days: Set<number>;
  startMin: number;
  endMin: number;
  holidays: Set<string>;
}

function prepare(cal: BusinessCalendar): Prepared {
  const problems = calendarProblems(cal);
  if (problems.length > 0) {
    throw new RangeError(
      `Invalid business calendar: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    );
  }
  return {
    tz: cal.timeZone,
    days: new Set(cal.workingDays),
    startMin: minutesOf(cal.start),
    endMin: cal.end === '24:00' ? 1440 : minutesOf(cal.end),
    holidays: new Set(cal.holidays),
  };
}

/** The working interval [start, end) of a local date as UTC ms, or null when the date is not worked. */
function workingInterval(p: Prepared, ld: LocalDate): [number, number] | null {
  if (!p.days.has(isoWeekday(ld)) || p.holidays.has(dateKey(ld))) return null;
  const s = zonedToUtc(ld.y, ld.m, ld.d, p.startMin, p.tz);
  const e =
    p.endMin === 1440
      ? zonedToUtc(nextDate(ld).y, nextDate(ld).m, nextDate(ld).d, 0, p.tz)
      : zonedToUtc(ld.y, ld.m, ld.d, p.endMin, p.tz);
  return e > s ? [s, e] : null;
}

function localDateOf(ms: number, tz: string): LocalDate {
  const p = localParts(ms, tz);
  return { y: p.y, m: p.m, d: p.d };
}

function parseIso(iso: string, name: string): number {
  const t = Date.parse(iso);
  if (typeof iso !== 'string' || Number.isNaN(t)) throw new RangeError(`${name} is not an ISO time: ${iso}`);
  return t;
}

/** The instant `ms` business milliseconds after `startMs`. Zero returns the start unchanged. */
export function addBusinessMs(startMs: number, ms: number, cal: BusinessCalendar): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError('Business time to add must be a non-negative number.');
  if (ms === 0) return startMs;
  const p = prepare(cal);
  let remaining = Math.round(ms);
  let ld = localDateOf(startMs, p.tz);
  for (let i = 0; i < MAX_DAYS; i++, ld = nextDate(ld)) {
    const iv = workingInterval(p, ld);
    if (!iv) continue;
    const from = Math.max(iv[0], startMs);
    if (from >= iv[1]) continue;
    const avail = iv[1] - from;
    if (remaining <= avail) return from + remaining;
    remaining -= avail;
  }
  throw new RangeError('The business calendar has no working time in the next twenty years.');
}

/** Business milliseconds between two instants; negative when b is before a. */
export function businessMsBetweenMs(a: number, b: number, cal: BusinessCalendar): number {
  if (b < a) {
    const back = businessMsBetweenMs(b, a, cal);
    return back === 0 ? 0 : -back;
  }
  if (b === a) return 0;
  const p = prepare(cal);
  let total = 0;
  let ld = localDateOf(a, p.tz);
  const last = dateKey(localDateOf(b, p.tz));
  for (let i = 0; i < MAX_DAYS * 2; i++, ld = nextDate(ld)) {
    const iv = workingInterval(p, ld);
    if (iv) {
      const from = Math.max(iv[0], a);
      const to = Math.min(iv[1], b);
      if (to > from) total += to - from;
    }
    if (dateKey(ld) >= last) return total;
  }
  throw new RangeError('The interval is too long to measure in business time.');
}

/** The ISO instant `hours` business hours after `startIso`. */
export function addBusinessHours(startIso: string, hours: number, cal: BusinessCalendar): string {
  return new Date(addBusinessMs(parseIso(startIso, 'startIso'), hours * HOUR_MS, cal)).toISOString();
}

/** Business milliseconds between two ISO instants (negative when b is before a). */
export function businessMsBetween(aIso: string, bIso: string, cal: BusinessCalendar): number {
  return businessMsBetweenMs(parseIso(aIso, 'aIso'), parseIso(bIso, 'bIso'), cal);
}

/** True when the instant falls inside working hours (both ends included). */
export function isWithinBusinessHours(iso: string, cal: BusinessCalendar): boolean {
  const p = prepare(cal);
  const t = parseIso(iso, 'iso');
  const today = localDateOf(t, p.tz);
  const yesterday = localDateOf(t - DAY_MS, p.tz);
  for (const ld of [yesterday, today]) {
    const iv = workingInterval(p, ld);
    if (iv && t >= iv[0] && t <= iv[1]) return true;
  }
  return false;
}
