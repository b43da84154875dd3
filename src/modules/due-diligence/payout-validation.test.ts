import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bicProblem,
  ethAddressProblem,
  ibanMod97,
  ibanProblem,
  maskEmail,
  maskMiddle,
  normalizeIban,
  tronAddressProblem,
} from './payout-validation.ts';

/** Builds a valid IBAN from a country and BBAN by computing the check digits (ISO 13616). */
function withCheckDigits(country: string, bban: string): string {
  const provisional = `${country}00${bban}`;
  const check = 98 - ibanMod97(provisional);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

describe('IBAN', () => {
  it('accepts published examples and rejects a changed digit', () => {
    for (const iban of [
      'DE89 3704 0044 0532 0130 00',
      'GB82 WEST 1234 5698 7654 32',
      'CY17 0020 0128 0000 0012 0052 7600',
      'NO93 8601 1117 947',
    ]) {
      expect(ibanProblem(iban), iban).toBeNull();
    }
    expect(ibanProblem('DE89 3704 0044 0532 0130 01')).toContain('mod 97');
    expect(ibanProblem('DE89 3704 0044 0532 0130')).toContain('22 characters');
    expect(ibanProblem('ZZ89 3704 0044 0532 0130 00')).toContain('not a country code');
    expect(ibanProblem('hello')).toContain('must be an IBAN');
  });

  it('every single-digit substitution of a valid IBAN is caught (mod 97 detects all of them)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 18, maxLength: 18 }),
        fc.nat({ max: 17 }),
        fc.integer({ min: 1, max: 9 }),
        (bban, pos, delta) => {
          const iban = withCheckDigits('DE', bban);
          expect(ibanProblem(iban)).toBeNull();
          const digit = (Number(bban[pos]) + delta) % 10;
          const changed =
            withCheckDigits('DE', bban).slice(0, 4) + bban.slice(0, pos) + digit + bban.slice(pos + 1);
          expect(ibanProblem(changed)).not.toBeNull();
        },
      ),
    );
  });

  it('normalises spaces and case', () => {
    expect(normalizeIban(' de89 3704 0044 0532 0130 00 ')).toBe('DE89370400440532013000');
  });
});

describe('SWIFT/BIC and wallet addresses', () => {
  it('checks BIC shape and country', () => {
    expect(bicProblem('COBADEFFXXX')).toBeNull();
    expect(bicProblem('DEUTDEFF')).toBeNull();
    expect(bicProblem('COBADEFFXX')).not.toBeNull();
    expect(bicProblem('COBAZZFF')).toContain('not a country code');
  });

  it('checks the TRON base58check and the Ethereum shape', () => {
    expect(tronAddressProblem('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toBeNull();
    expect(tronAddressProblem('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u')).toContain('checksum');
    expect(tronAddressProblem('0xdAC17F958D2ee523a2206206994597C13D831ec7')).not.toBeNull();
    expect(ethAddressProblem('0xdAC17F958D2ee523a2206206994597C13D831ec7')).toBeNull();
    expect(ethAddressProblem('0xdAC17F958D2ee523a2206206994597C13D831ec')).not.toBeNull();
  });

  it('masking never reveals more than the first characters and the last four', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 40 }), fc.nat({ max: 6 }), (value, keep) => {
        const masked = maskMiddle(value, keep);
        if (value.length <= keep + 4) expect(masked).toBe('•'.repeat(value.length));
        else expect(masked).toBe(`${value.slice(0, keep)}••••${value.slice(-4)}`);
      }),
    );
    expect(maskEmail('payments@alpha.example')).toBe('p•••@alpha.example');
  });
});
