import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_CONTENT_TYPES,
  contentDisposition,
  MAX_FILE_NAME_LENGTH,
  matchesMagic,
  normalizeContentType,
  sanitizeFileName,
} from './document-files.ts';

/** True when a name holds a path separator, a control character, a bidi control or a zero-width character. */
function hasUnsafeChar(name: string): boolean {
  return Array.from(name).some((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return (
      ch === '/' ||
      ch === '\\' ||
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0xfeff
    );
  });
}

describe('sanitizeFileName', () => {
  it('never returns an empty, path-bearing, control-carrying or over-long name', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 600 }),
        fc.constantFrom(...ALLOWED_CONTENT_TYPES),
        (raw, type) => {
          const name = sanitizeFileName(raw, type);
          expect(name.length).toBeGreaterThan(0);
          expect(hasUnsafeChar(name)).toBe(false);
          expect(name.startsWith('.')).toBe(false);
          expect(Array.from(name).length).toBeLessThanOrEqual(MAX_FILE_NAME_LENGTH);
        },
      ),
    );
  });

  it('keeps ordinary names and the extension of long ones', () => {
    expect(sanitizeFileName('Passport scan 2026.pdf', 'application/pdf')).toBe('Passport scan 2026.pdf');
    expect(sanitizeFileName('C:\\Users\\me\\bill.png', 'image/png')).toBe('bill.png');
    expect(sanitizeFileName('../../etc/passwd', 'application/pdf')).toBe('passwd');
    expect(sanitizeFileName('', 'image/jpeg')).toBe('document.jpg');
    expect(sanitizeFileName('. .hidden.pdf', 'application/pdf')).toBe('hidden.pdf');
    expect(sanitizeFileName('\u202e\u0000', 'image/webp')).toBe('document.webp');
    const long = sanitizeFileName(`${'a'.repeat(500)}.pdf`, 'application/pdf');
    expect(long).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('round-trips any name through filename* and keeps the fallback to safe ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }), (name) => {
        const header = contentDisposition(name);
        const m = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9%!._~-]*)$/.exec(
          header,
        );
        expect(m).not.toBeNull();
        expect(m?.[1]).not.toMatch(/["\\]/);
        expect(decodeURIComponent(m?.[2] ?? '')).toBe(name);
      }),
    );
  });
});

describe('matchesMagic', () => {
  it('knows each allowed type by its first bytes and tells them apart', () => {
    const samples = {
      'application/pdf': Buffer.from('%PDF-1.7\n%\xe2\xe3'),
      'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]),
      'image/webp': Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'),
    } as const;
    for (const declared of ALLOWED_CONTENT_TYPES) {
      for (const [actual, head] of Object.entries(samples)) {
        expect(matchesMagic(declared, head), `${declared} vs ${actual}`).toBe(declared === actual);
      }
    }
    expect(matchesMagic('application/pdf', Buffer.from('<html>%PDF-'))).toBe(false);
    expect(matchesMagic('image/webp', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBe(false);
    expect(matchesMagic('image/png', Buffer.alloc(0))).toBe(false);
  });

  it('normalizes declared content types', () => {
    expect(normalizeContentType('Application/PDF; name="x"')).toBe('application/pdf');
    expect(normalizeContentType(undefined)).toBe('');
  });
});
