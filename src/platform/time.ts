// All times are UTC ISO-8601 strings with millisecond precision ("2026-11-23T19:01:29.123Z"), stored as
// text in both databases so that they sort and compare the same way everywhere.
export type IsoTime = string;

let clock: () => number = () => Date.now();

export function nowIso(): IsoTime {
  return new Date(clock()).toISOString();
}

export function nowMs(): number {
  return clock();
}

/** Tests may pin the clock; production never calls this. */
export function setClockForTests(fn: (() => number) | null): void {
  clock = fn ?? (() => Date.now());
}

export const isoDateRe = /^\d{4}-\d{2}-\d{2}$/;

export function isValidIsoDate(s: string): boolean {
  if (!isoDateRe.test(s)) return false;
  const d = new Date(`${s}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

export function todayUtc(): string {
  return nowIso().slice(0, 10);
}

/** ISO week label (YYYY-Www) of a date. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
