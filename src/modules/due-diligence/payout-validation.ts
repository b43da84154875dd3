// Pure checks of payout account identifiers: IBAN (registry length + ISO 13616 mod-97), SWIFT/BIC shape,
// TRON (base58check) and Ethereum address shapes, and the masking shown to roles that may not verify details.
import { createHash } from 'node:crypto';
import { COUNTRY_CODES } from '../partners/index.ts';

/** IBAN length per country, from the SWIFT IBAN registry. Countries not listed are checked by mod-97 only. */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

/** Upper-cased, without spaces (how IBANs are stored). */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, remainder mod 97 is 1. */
export function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

/** Why the IBAN is not valid, or null when it is. */
export function ibanProblem(raw: string): string | null {
  const iban = normalizeIban(raw);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return 'must be an IBAN: two letters, two check digits, then 11 to 30 letters or digits';
  }
  const country = iban.slice(0, 2);
  if (!COUNTRY_CODES.has(country) && country !== 'XK')
    return `starts with ${country}, which is not a country code`;
  const expected = IBAN_LENGTHS[country];
  if (expected !== undefined && iban.length !== expected) {
    return `a ${country} IBAN has ${expected} characters, this one has ${iban.length}`;
  }
  if (ibanMod97(iban) !== 1) return 'fails the IBAN check digits (mod 97); check for a typing error';
  return null;
}

/** Why the SWIFT/BIC code is not valid, or null when it is (ISO 9362: 8 or 11 characters). */
export function bicProblem(raw: string): string | null {
  const bic = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) {
    return 'must be a SWIFT/BIC code: 4 letters (bank), 2 letters (country), 2 letters or digits, optional 3 (branch)';
  }
  const country = bic.slice(4, 6);
  if (!COUNTRY_CODES.has(country) && country !== 'XK')
    return `has country part ${country}, which is not a country code`;
  return null;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(s: string): Uint8Array | null {
  let n = 0n;
  for (const ch of s) {
    const v = BASE58.indexOf(ch);
    if (v < 0) return null;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  for (const ch of s) {
    if (ch !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** Why the TRON (TRC-20) address is not valid, or null: base58check of 0x41 + 20 bytes. */
export function tronAddressProblem(address: string): string | null {
  if (!/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address)) {
    return 'must be a TRON address: 34 base58 characters starting with T';
  }
  const bytes = base58Decode(address);
  if (bytes === null || bytes.length !== 25 || bytes[0] !== 0x41) return 'is not a TRON mainnet address';
  const body = bytes.subarray(0, 21);
  const check = sha256(sha256(body)).subarray(0, 4);
  if (!check.equals(Buffer.from(bytes.subarray(21))))
    return 'fails the address checksum; check for a typing error';
  return null;
}

/** Why the Ethereum (ERC-20) address is not valid, or null. (The EIP-55 mixed-case checksum needs Keccak and is not checked.) */
export function ethAddressProblem(address: string): string | null {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    return 'must be an Ethereum address: 0x followed by 40 hexadecimal digits';
  return null;
}

/** Keeps the start and the last four characters: DE89 •••• 3000. */
export function maskMiddle(value: string, keepStart: number): string {
  if (value.length <= keepStart + 4) return '•'.repeat(value.length);
  return `${value.slice(0, keepStart)}••••${value.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '••••';
  return `${email[0]}•••${email.slice(at)}`;
}
