// Money is an integer number of minor units with an ISO 4217 currency; lots are integer hundredths.
// Every rounding goes through `roundHalfEven` so there is one rule to explain.
import { z } from 'zod';

/** Minor-unit exponent per currency; anything not listed uses 2. */
const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export const CURRENCIES = [
  'USD', 'EUR', 'GBP', 'AUD', 'CAD', 'CHF', 'JPY', 'NZD', 'SGD', 'HKD', 'ZAR', 'AED', 'SAR', 'KWD', 'BHD',
  'OMR', 'JOD', 'TND', 'PLN', 'CZK', 'HUF', 'SEK', 'NOK', 'DKK', 'TRY', 'BRL', 'MXN', 'CLP', 'COP', 'INR',
  'IDR', 'MYR', 'THB', 'VND', 'PHP', 'KRW', 'CNY', 'NGN', 'KES', 'EGP', 'ISK', 'USDT',
] as const;

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3,4}$/, 'must be an ISO 4217 code such as USD')
  .refine((c) => (CURRENCIES as readonly string[]).includes(c), 'is not a supported currency');

export interface Money {
  amountMinor: number;
  currency: string;
}

export const moneySchema = z.object({
  amountMinor: z.number().int('must be a whole number of minor units (cents)').min(-1e15).max(1e15),
  currency: currencySchema,
});

export function exponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** Banker's rounding of a non-integer amount of minor units. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (Math.abs(diff - 0.5) < 1e-9) return floor % 2 === 0 ? floor : floor + 1;
  return Math.round(x);
}

export function formatMoney(m: Money): string {
  const exp = exponent(m.currency);
  const sign = m.amountMinor < 0 ? '-' : '';
  const abs = Math.abs(m.amountMinor);
  const units = Math.floor(abs / 10 ** exp);
  const minor = exp > 0 ? `.${String(abs % 10 ** exp).padStart(exp, '0')}` : '';
  return `${sign}${units.toLocaleString('en-US')}${minor} ${m.currency}`;
}

/** Parses "12.34" into 1234 minor units for the currency; rejects more decimals than the currency has. */
export function parseMajor(value: string, currency: string): number | null {
  const exp = exponent(currency);
  const m = /^(-)?(\d{1,13})(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > exp) return null;
  const minor = Number(m[2]) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  return m[1] ? -minor : minor;
}

/** Lots as integer hundredths: "1.25" -> 125. */
export function parseLots(value: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function formatLots(hundredths: number): string {
  return (hundredths / 100).toFixed(2);
}
