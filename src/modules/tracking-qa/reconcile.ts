// Reconciliation against a partner's own numbers: the partner (or Ops on its behalf) uploads the CSV its
// tracker exports — one row per day, optionally per sub-ID — and every figure it holds is compared with ours
// for the same day and sub-ID. The difference is relative to the larger of the two numbers, in basis points,
// so it is symmetric and never above 100%; bands follow the field's rule: under 2% apart is normal, 2–5% is
// worth watching, over 5% is a problem to investigate. Pure functions; the service reads our side from the
// rollups (test traffic never reaches them).
import { type FieldError, invalid } from '../../platform/errors.ts';
import { parseLots } from '../../platform/money.ts';
import { isValidIsoDate } from '../../platform/time.ts';

export const METRICS = [
  'clicks',
  'unique_clicks',
  'registrations',
  'ftds',
  'qualified_ftds',
  'deposits',
  'lots',
] as const;
export type Metric = (typeof METRICS)[number];
export type Band = 'normal' | 'watch' | 'investigate';

export const NORMAL_BELOW_BP = 200;
export const INVESTIGATE_ABOVE_BP = 500;
export const MAX_ROWS = 20_000;
export const MAX_DAYS = 93;

/** Header names a partner's export may use for each column (compared lower-cased, spaces and dashes as _). */
const ALIASES: Record<string, Metric | 'day' | 'sub1'> = {
  date: 'day',
  day: 'day',
  sub1: 'sub1',
  sub_1: 'sub1',
  sub_id: 'sub1',
  subid: 'sub1',
  sub: 'sub1',
  aff_sub: 'sub1',
  clicks: 'clicks',
  raw_clicks: 'clicks',
  unique_clicks: 'unique_clicks',
  uniques: 'unique_clicks',
  registrations: 'registrations',
  signups: 'registrations',
  sign_ups: 'registrations',
  leads: 'registrations',
  ftd: 'ftds',
  ftds: 'ftds',
  first_deposits: 'ftds',
  qualified_ftds: 'qualified_ftds',
  qftd: 'qualified_ftds',
  qftds: 'qualified_ftds',
  cpa: 'qualified_ftds',
  deposits: 'deposits',
  lots: 'lots',
  volume_lots: 'lots',
};

export interface TheirRow {
  day: string;
  sub1: string;
  values: Partial<Record<Metric, number>>;
}

export interface ParsedFile {
  /** Whether the file has a sub-ID column (else the comparison is per day). */
  bySub: boolean;
  metrics: Metric[];
  rows: TheirRow[];
  from: string;
  to: string;
}

/** Reads the partner's CSV (already split into cells). Names every bad cell; nothing partial. */
export function readPartnerFile(cells: string[][]): ParsedFile {
  const [header, ...body] = cells.filter((r) => r.some((c) => c.trim() !== ''));
  const errors: FieldError[] = [];
  if (!header)
    throw invalid([{ field: 'body.csv', message: 'is empty: send a header line and one row per day' }]);
  const columns = header.map(
    (h) =>
      ALIASES[
        h
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, '_')
      ] ?? null,
  );
  const dayCol = columns.indexOf('day');
  const subCol = columns.indexOf('sub1');
  if (dayCol < 0)
    errors.push({
      field: 'body.csv',
      message: 'has no date column (name it "date" or "day", values YYYY-MM-DD)',
    });
  const metricCols: [Metric, number][] = [];
  columns.forEach((c, i) => {
    if (c && c !== 'day' && c !== 'sub1') {
      if (metricCols.some(([m]) => m === c))
        errors.push({ field: 'body.csv', message: `has two columns for ${c} ("${header[i]}")` });
      else metricCols.push([c, i]);
    }
  });
  if (metricCols.length === 0)
    errors.push({
      field: 'body.csv',
      message: `has no figure to compare: name at least one column ${METRICS.join(', ')} (or signups, leads, ftd, cpa, volume_lots)`,
    });
  if (errors.length > 0) throw invalid(errors, errors[0]?.message);
  if (body.length > MAX_ROWS)
    throw invalid([
      { field: 'body.csv', message: `has ${body.length} rows; at most ${MAX_ROWS} are compared at once` },
    ]);

  const rows = new Map<string, TheirRow>();
  body.forEach((r, i) => {
    const line = i + 1; // data rows, counted after the header
    const day = (r[dayCol] ?? '').trim();
    if (!isValidIsoDate(day)) {
      errors.push({ field: `body.csv[row ${line}].date`, message: `"${day}" is not a date as YYYY-MM-DD` });
      return;
    }
    const sub1 = subCol >= 0 ? (r[subCol] ?? '').trim() : '';
    const key = `${day}\u0000${sub1}`;
    if (rows.has(key)) {
      errors.push({
        field: `body.csv[row ${line}]`,
        message: `repeats ${day}${subCol >= 0 ? ` / sub-ID "${sub1}"` : ''}; one row per day${subCol >= 0 ? ' and sub-ID' : ''}`,
      });
      return;
    }
    const values: Partial<Record<Metric, number>> = {};
    for (const [m, c] of metricCols) {
      const raw = (r[c] ?? '').trim().replace(/[\s,_](?=\d{3}\b)/g, '');
      if (raw === '') continue;
      const v = m === 'lots' ? parseLots(raw) : /^\d+$/.test(raw) ? Number(raw) : null;
      if (v === null || !Number.isSafeInteger(v) || v < 0) {
        errors.push({
          field: `body.csv[row ${line}].${header[c]?.trim()}`,
          message: `"${r[c]}" is not ${m === 'lots' ? 'a number of lots with at most 2 decimals' : 'a whole number'}`,
        });
        continue;
      }
      values[m] = v;
    }
    rows.set(key, { day, sub1, values });
  });
  if (errors.length > 0)
    throw invalid(
      errors.slice(0, 100),
      `${errors.length} cells are not valid; nothing was compared. ${errors[0]?.field} ${errors[0]?.message}.`,
    );
  if (rows.size === 0) throw invalid([{ field: 'body.csv', message: 'has a header but no rows' }]);
  const days = [...rows.values()].map((r) => r.day).sort();
  const from = days[0] as string;
  const to = days[days.length - 1] as string;
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (span > MAX_DAYS)
    throw invalid([
      {
        field: 'body.csv',
        message: `covers ${span} days (${from}..${to}); compare at most ${MAX_DAYS} days at once`,
      },
    ]);
  return { bySub: subCol >= 0, metrics: metricCols.map(([m]) => m), rows: [...rows.values()], from, to };
}

/** Header names the reader ignored (shown to the user so a misspelt column is not silently skipped). */
export function ignoredColumns(header: string[]): string[] {
  return header
    .filter(
      (h) =>
        !ALIASES[
          h
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, '_')
        ],
    )
    .map((h) => h.trim());
}

/** The difference of two counts in basis points of the larger one (0 when both are 0). */
export function differenceBp(ours: number, theirs: number): number {
  const top = Math.max(ours, theirs);
  if (top === 0) return 0;
  return Math.round((Math.abs(ours - theirs) * 10_000) / top);
}

export function bandOf(bp: number): Band {
  if (bp < NORMAL_BELOW_BP) return 'normal';
  if (bp > INVESTIGATE_ABOVE_BP) return 'investigate';
  return 'watch';
}

const BAND_ORDER: Record<Band, number> = { normal: 0, watch: 1, investigate: 2 };
export function worst(bands: Band[]): Band {
  return bands.reduce<Band>((w, b) => (BAND_ORDER[b] > BAND_ORDER[w] ? b : w), 'normal');
}

export interface Cell {
  ours: number;
  theirs: number;
  difference: number;
  differenceBp: number;
  band: Band;
}

export interface CompareRow {
  day: string;
  sub1: string | null;
  /** Whether the partner's file has this row (an absent row counts as zero on its side). */
  inFile: boolean;
  figures: Partial<Record<Metric, Cell>>;
  band: Band;
}

export interface Comparison {
  from: string;
  to: string;
  bySub: boolean;
  metrics: Metric[];
  totals: Partial<Record<Metric, Cell>>;
  rows: CompareRow[];
  band: Band;
  counts: Record<Band, number>;
}

function cell(ours: number, theirs: number): Cell {
  const bp = differenceBp(ours, theirs);
  return { ours, theirs, difference: theirs - ours, differenceBp: bp, band: bandOf(bp) };
}

/**
 * Compares the file with our figures (keyed by day and sub-ID: '' when the file has no sub-ID column, in which
 * case `ours` must already be summed per day). Rows only we have count as zero in the file.
 */
export function compare(file: ParsedFile, ours: Map<string, Partial<Record<Metric, number>>>): Comparison {
  const keys = new Set<string>([...file.rows.map((r) => `${r.day}\u0000${r.sub1}`), ...ours.keys()]);
  const theirs = new Map(file.rows.map((r) => [`${r.day}\u0000${r.sub1}`, r]));
  const rows: CompareRow[] = [];
  const sumOurs: Partial<Record<Metric, number>> = {};
  const sumTheirs: Partial<Record<Metric, number>> = {};
  for (const key of [...keys].sort()) {
    const [day, sub1] = key.split('\u0000') as [string, string];
    if (day < file.from || day > file.to) continue;
    const t = theirs.get(key);
    const o = ours.get(key) ?? {};
    const figures: Partial<Record<Metric, Cell>> = {};
    for (const m of file.metrics) {
      const ov = o[m] ?? 0;
      const tv = t?.values[m] ?? 0;
      if (t && t.values[m] === undefined) continue; // the partner left the cell empty: nothing to compare
      figures[m] = cell(ov, tv);
      sumOurs[m] = (sumOurs[m] ?? 0) + ov;
      sumTheirs[m] = (sumTheirs[m] ?? 0) + tv;
    }
    const cells = Object.values(figures);
    if (!t && cells.every((c) => c.ours === 0)) continue;
    rows.push({
      day,
      sub1: file.bySub ? sub1 : null,
      inFile: t !== undefined,
      figures,
      band: worst(cells.map((c) => c.band)),
    });
  }
  const totals: Partial<Record<Metric, Cell>> = {};
  for (const m of file.metrics) totals[m] = cell(sumOurs[m] ?? 0, sumTheirs[m] ?? 0);
  const counts: Record<Band, number> = { normal: 0, watch: 0, investigate: 0 };
  for (const r of rows) counts[r.band] += 1;
  return {
    from: file.from,
    to: file.to,
    bySub: file.bySub,
    metrics: file.metrics,
    totals,
    rows,
    band: worst(rows.map((r) => r.band)),
    counts,
  };
}
