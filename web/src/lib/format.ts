// How values read on screen: times in local time with the UTC instant in a tooltip, money with its currency
// (integer minor units → major units), lots from hundredths, ids shortened.

const CURRENCY_DIGITS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

export function currencyDigits(currency: string): number {
  return CURRENCY_DIGITS[currency.toUpperCase()] ?? 2;
}

/** 150000 USD → "USD 1,500.00" */
export function formatMoney(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return '—';
  const digits = currencyDigits(currency);
  const major = minor / 10 ** digits;
  return `${currency} ${major.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/**
 * "1,500.5" in major units → 150050 minor units, exactly (string arithmetic, no float rounding).
 * Returns null when the text is not a non-negative decimal with at most `digits` decimals.
 */
export function parseDecimalToInt(text: string, digits: number): number | null {
  const t = text.trim().replaceAll(',', '').replaceAll('_', '');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const [whole = '0', frac = ''] = t.split('.');
  if (frac.length > digits) return null;
  const n = Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || '0');
  return Number.isSafeInteger(n) ? n : null;
}

export function intToDecimal(n: number, digits: number): string {
  if (digits === 0) return String(n);
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(digits + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** Lots are integer hundredths: 250 → "2.50". */
export function formatLots(hundredths: number | null | undefined): string {
  return hundredths === null || hundredths === undefined ? '—' : intToDecimal(hundredths, 2);
}

/** A count with thousands separators: 12345 → "12,345". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString();
}

/** Basis points → "25.00%". */
export function formatBps(bps: number | null | undefined): string {
  return bps === null || bps === undefined ? '—' : `${intToDecimal(bps, 2)}%`;
}

const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const df = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatLocal(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
}

export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** A YYYY-MM-DD date stays a date (no timezone shift). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return formatLocal(date);
  return df.format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

export function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Days from today to a YYYY-MM-DD date (negative when past). */
export function daysUntil(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const target = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
  const now = new Date();
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((target - today) / 86_400_000);
}

export function relativeTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const diff = Date.now() - Date.parse(iso);
  const abs = Math.abs(diff);
  const fmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const sign = diff > 0 ? -1 : 1;
  if (abs < 60_000) return 'just now';
  if (abs < 3_600_000) return fmt.format(sign * Math.round(abs / 60_000), 'minute');
  if (abs < 86_400_000) return fmt.format(sign * Math.round(abs / 3_600_000), 'hour');
  if (abs < 30 * 86_400_000) return fmt.format(sign * Math.round(abs / 86_400_000), 'day');
  return formatLocal(iso);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const WORDS: Record<string, string> = {
  bdm: 'BDM',
  team_lead: 'Team Lead',
  read_only: 'Read-only',
  ib: 'IB',
  pending_approval: 'Pending approval',
  api_key: 'API key',
};

/** "due_diligence" → "Due diligence" (roles and a few terms keep their usual spelling). */
export function humanize(s: string | null | undefined): string {
  if (!s) return '—';
  if (WORDS[s]) return WORDS[s];
  const t = s.replaceAll('_', ' ').replaceAll('.', ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}
