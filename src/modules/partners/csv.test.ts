import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvRecord, defuseFormula, isLiveFormula, parseCsv, restoreFormula } from './csv.ts';
import type { CustomFieldDef } from './custom-fields.service.ts';
import { partnerInputSchema } from './partner.schemas.ts';
import { type CsvPartner, csvHeader, csvRowToInput, partnerCsvValues } from './partner-csv.ts';
import {
  LANGUAGE_CODES,
  PARTNER_KINDS,
  PARTNER_TIERS,
  PARTNER_TYPES,
  TRAFFIC_SOURCES,
} from './reference-data.ts';

const FORMULA_CHARS = ['=', '+', '-', '@', '\t', '\r', '\0', "'"];
/** Strings that like to break CSV and spreadsheets: formula starts, quotes, separators, line ends. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...FORMULA_CHARS, '"', ',', '\n', '\r\n', ' ', ';'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 30,
});

describe('CSV writing and reading', () => {
  it('round-trips any table of strings exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(nasty, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        (table) => {
          // A record that is one empty cell is indistinguishable from a blank line; give each record a marker.
          const rows = table.map((r) => ['x', ...r]);
          const text = rows.map((r) => csvRecord(r)).join('');
          const parsed = parseCsv(text);
          expect(parsed.map((r) => r.map(restoreFormula))).toEqual(rows);
          for (const record of parsed) for (const cell of record) expect(isLiveFormula(cell)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('defuses formula starts and restores them exactly', () => {
    expect(defuseFormula('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(defuseFormula('-2+3')).toBe("'-2+3");
    expect(defuseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(defuseFormula("'=already")).toBe("''=already");
    expect(defuseFormula("it's fine")).toBe("it's fine");
    fc.assert(
      fc.property(nasty, (v) => {
        expect(restoreFormula(defuseFormula(v))).toBe(v);
        expect(isLiveFormula(defuseFormula(v))).toBe(false);
      }),
    );
  });

  it('rejects broken quoting with the line number', () => {
    expect(() => parseCsv('a,b\r\n"open,c\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\nx"y,c\n')).toThrow(/line 2/);
    expect(() => parseCsv('"a"b\n')).toThrow(/after a closing quote/);
    expect(parseCsv('\uFEFFa,b\n\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

const DEFS: CustomFieldDef[] = [
  {
    id: 'fld_1',
    key: 'motto',
    label: 'Motto',
    type: 'text',
    options: [],
    partnerTypes: [],
    createdAt: '',
    archivedAt: null,
  },
  {
    id: 'fld_2',
    key: 'score',
    label: 'Score',
    type: 'number',
    options: [],
    partnerTypes: [],
    createdAt: '',
    archivedAt: null,
  },
  {
    id: 'fld_3',
    key: 'vetted',
    label: 'Vetted',
    type: 'boolean',
    options: [],
    partnerTypes: [],
    createdAt: '',
    archivedAt: null,
  },
  {
    id: 'fld_4',
    key: 'since',
    label: 'Since',
    type: 'date',
    options: [],
    partnerTypes: [],
    createdAt: '',
    archivedAt: null,
  },
  {
    id: 'fld_5',
    key: 'segment',
    label: 'Segment',
    type: 'select',
    options: ['=A', 'B'],
    partnerTypes: [],
    createdAt: '',
    archivedAt: null,
  },
];

const trimmed = (max: number) =>
  nasty.map((s) => s.trim().slice(0, max)).filter((s) => s.length > 0 && s === s.trim());
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const slug = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8})?$/);

const partnerArb: fc.Arbitrary<CsvPartner> = fc.record({
  id: fc.constant('ptr_01JTEST0000000000000000000'),
  createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
  displayName: trimmed(200),
  legalName: maybe(trimmed(300)),
  kind: fc.constantFrom(...PARTNER_KINDS),
  type: fc.constantFrom(...PARTNER_TYPES),
  stage: fc.constant('intake' as const),
  parentId: fc.constant(null),
  country: maybe(fc.constantFrom('GB', 'DE', 'CY', 'AE')),
  languages: fc.uniqueArray(fc.constantFrom(...LANGUAGE_CODES), { maxLength: 4 }),
  websites: fc.uniqueArray(
    fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !/\s/.test(u)),
    { maxLength: 3 },
  ),
  trafficSources: fc.uniqueArray(fc.constantFrom(...TRAFFIC_SOURCES), { maxLength: 4 }),
  email: maybe(fc.constantFrom('a@example.com', '+tag@example.com', '-x@example.org')),
  phone: maybe(fc.constantFrom('+44 20 7946 0000', '+1 (555) 010-0199', '555-0100')),
  ownerId: fc.constant(null),
  tier: maybe(fc.constantFrom(...PARTNER_TIERS)),
  referralCode: fc.stringMatching(/^[A-Za-z0-9_-]{4,32}$/),
  tags: fc.uniqueArray(slug, { maxLength: 5 }),
  customFields: fc.record(
    {
      motto: trimmed(100),
      // -0 is stored as 0 (JSON has no negative zero), so it is not a value a partner can hold.
      score: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
      vetted: fc.boolean(),
      since: fc.constantFrom('2020-02-29', '1999-12-31'),
      segment: fc.constantFrom('=A', 'B'),
    },
    { requiredKeys: [] },
  ),
  ownerEmail: maybe(fc.constantFrom('owner@example.com', '+owner@example.com')),
  parentReferralCode: maybe(fc.stringMatching(/^[A-Za-z0-9_-]{4,32}$/)),
});

describe('partner CSV rows', () => {
  it('round-trips an exported partner back to the same input, with no live formula cell', () => {
    const defs = new Map(DEFS.map((d) => [d.key, d]));
    const header = csvHeader(DEFS);
    fc.assert(
      fc.property(partnerArb, (p) => {
        const text = csvRecord(header) + csvRecord(partnerCsvValues(p, DEFS));
        const [h, cells] = parseCsv(text);
        expect(h).toEqual(header);
        for (const cell of cells ?? []) expect(isLiveFormula(cell)).toBe(false);
        const back = csvRowToInput(header, cells ?? [], defs);
        expect(back.errors).toEqual([]);
        expect(back.ownerEmail).toBe(p.ownerEmail);
        expect(back.parentReferralCode).toBe(p.parentReferralCode);
        const parsed = partnerInputSchema.safeParse(back.input);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        const input = parsed.data;
        expect(input?.displayName).toBe(p.displayName);
        expect(input?.legalName ?? null).toBe(p.legalName);
        expect(input?.kind).toBe(p.kind);
        expect(input?.type).toBe(p.type);
        expect(input?.country ?? null).toBe(p.country);
        expect(input?.languages ?? []).toEqual(p.languages);
        expect(input?.websites ?? []).toEqual(p.websites);
        expect(input?.trafficSources ?? []).toEqual(p.trafficSources);
        expect(input?.email ?? null).toBe(p.email);
        expect(input?.phone ?? null).toBe(p.phone);
        expect(input?.tier ?? null).toBe(p.tier);
        expect(input?.referralCode).toBe(p.referralCode);
        expect(input?.tags ?? []).toEqual(p.tags);
        expect(input?.customFields ?? {}).toEqual(p.customFields);
      }),
      { numRuns: 300 },
    );
  });
});
