import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_STAGES,
  buildCatalogue,
  type CustomFieldInfo,
  isFieldFilled,
  MAIN_STAGES,
  PARTNER_KINDS,
  PARTNER_TYPES,
  type PartnerFacts,
  SIDE_STAGES,
  STATIC_CATALOGUE,
} from './catalogue.ts';
import { defaultRules } from './default-policy.ts';
import { evaluateMandatoryFields, type MandatoryFieldRule } from './evaluate.ts';
import { diffRules, validateRules } from './policy.service.ts';

const STATIC_FIELDS = STATIC_CATALOGUE.map((e) => e.field);

/** Facts with nothing filled in. */
function emptyFacts(over: Partial<PartnerFacts> = {}): PartnerFacts {
  return {
    id: 'ptr_test',
    type: 'affiliate',
    kind: 'individual',
    stage: 'intake',
    legalName: null,
    country: null,
    languages: [],
    websites: [],
    trafficSources: [],
    email: null,
    phone: null,
    ownerId: null,
    tier: null,
    parentId: null,
    customValues: {},
    contactRoles: new Set(),
    documentTypes: new Set(),
    ...over,
  };
}

const DEFAULT = { version: 1, rules: defaultRules() };
const names = (refs: { field: string }[]) => refs.map((r) => r.field);

describe('default policy', () => {
  it('is valid against the catalogue and has one rule per type × stage × kind', () => {
    const rules = defaultRules();
    expect(() => validateRules(rules, [])).not.toThrow();
    const keys = rules.map((r) => `${r.partnerType}|${r.stage}|${r.partnerKind ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  // Written out by hand: what a fresh workspace asks of an individual affiliate, stage by stage.
  const affiliateIndividual: Record<string, string[]> = {
    intake: ['email', 'country', 'ownerId', 'contact.primary'],
    due_diligence: [
      'email',
      'country',
      'ownerId',
      'contact.primary',
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
    ],
    tracking_setup: [
      'email',
      'country',
      'ownerId',
      'contact.primary',
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
      'websites',
      'trafficSources',
      'languages',
    ],
    activation_readiness: [
      'email',
      'country',
      'ownerId',
      'contact.primary',
      'legalName',
      'phone',
      'document.identity',
      'document.proof_of_address',
      'websites',
      'trafficSources',
      'languages',
      'document.agreement',
      'document.tax_form',
      'contact.billing',
      'tier',
      'contact.marketing',
    ],
  };
  affiliateIndividual.handover = affiliateIndividual.activation_readiness as string[];
  affiliateIndividual.active = affiliateIndividual.activation_readiness as string[];

  it.each(MAIN_STAGES.map((s) => [s]))(
    'individual affiliate at %s: required list and next stage',
    (stage) => {
      const e = evaluateMandatoryFields(DEFAULT, { partner: emptyFacts({ stage }), customFields: [] });
      expect(names(e.stage.required)).toEqual(affiliateIndividual[stage]);
      expect(e.stage.missing).toEqual(e.stage.required);
      const i = MAIN_STAGES.indexOf(stage);
      const next = MAIN_STAGES[i + 1];
      if (next) {
        expect(e.next?.stage).toBe(next);
        expect(names(e.next?.required ?? [])).toEqual(affiliateIndividual[next]);
      } else {
        expect(e.next).toBeNull();
      }
    },
  );

  it('asks companies for KYB documents and individuals for KYC documents at due diligence', () => {
    for (const type of PARTNER_TYPES) {
      const company = evaluateMandatoryFields(DEFAULT, {
        partner: emptyFacts({ type, kind: 'company', stage: 'due_diligence' }),
        customFields: [],
      });
      const person = evaluateMandatoryFields(DEFAULT, {
        partner: emptyFacts({ type, kind: 'individual', stage: 'due_diligence' }),
        customFields: [],
      });
      expect(names(company.stage.required)).toEqual(
        expect.arrayContaining([
          'document.incorporation',
          'document.ubo_declaration',
          'document.proof_of_address',
          'contact.signatory',
        ]),
      );
      expect(names(company.stage.required)).not.toContain('document.identity');
      expect(names(person.stage.required)).toEqual(
        expect.arrayContaining(['document.identity', 'document.proof_of_address']),
      );
      expect(names(person.stage.required)).not.toContain('document.incorporation');
      expect(names(person.stage.required)).not.toContain('contact.signatory');
    }
  });

  it('asks IBs for no websites or traffic sources, and marketing types for both, at tracking setup', () => {
    const at = (type: string) =>
      names(
        evaluateMandatoryFields(DEFAULT, {
          partner: emptyFacts({ type, stage: 'tracking_setup' }),
          customFields: [],
        }).stage.required,
      );
    expect(at('ib')).not.toContain('websites');
    expect(at('ib')).toContain('languages');
    for (const type of ['affiliate', 'influencer', 'network'])
      expect(at(type)).toEqual(expect.arrayContaining(['websites', 'trafficSources']));
    expect(at('white_label')).toEqual(expect.arrayContaining(['websites', 'contact.technical']));
  });

  const cases = PARTNER_TYPES.flatMap((type) =>
    PARTNER_KINDS.flatMap((kind) => ALL_STAGES.map((stage) => [type, kind, stage] as const)),
  );
  it.each(cases)(
    '%s %s at %s: cumulative, next stage, and missing shrink when filled',
    (type, kind, stage) => {
      const e = evaluateMandatoryFields(DEFAULT, {
        partner: emptyFacts({ type, kind, stage }),
        customFields: [],
      });
      expect(e.policyVersion).toBe(1);
      expect(e.stage.stage).toBe(stage);
      const i = MAIN_STAGES.indexOf(stage as (typeof MAIN_STAGES)[number]);
      if (i < 0) {
        // Side states: no default rules, and no next stage.
        expect(e.stage.required).toEqual([]);
        expect(e.next).toBeNull();
        return;
      }
      // Every default stage from intake on requires the intake fields.
      expect(names(e.stage.required)).toEqual(
        expect.arrayContaining(['email', 'country', 'ownerId', 'contact.primary']),
      );
      if (i > 0) {
        const prev = MAIN_STAGES[i - 1] as string;
        const before = evaluateMandatoryFields(DEFAULT, {
          partner: emptyFacts({ type, kind, stage: prev }),
          customFields: [],
        });
        expect(names(e.stage.required)).toEqual(expect.arrayContaining(names(before.stage.required)));
        expect(before.next).toEqual(e.stage);
      }
      expect(e.next?.stage ?? null).toBe(MAIN_STAGES[i + 1] ?? null);
      // Nothing filled: everything is missing. Everything filled: nothing is.
      expect(e.stage.missing).toEqual(e.stage.required);
      const full = evaluateMandatoryFields(DEFAULT, {
        partner: factsFilling(new Set(STATIC_FIELDS), type, kind, stage),
        customFields: [],
      });
      expect(full.stage.missing).toEqual([]);
      expect(full.next?.missing ?? []).toEqual([]);
      // Labels come from the catalogue.
      for (const ref of e.stage.required)
        expect(ref.label).toBe(STATIC_CATALOGUE.find((c) => c.field === ref.field)?.label);
    },
  );
});

/** Facts that fill exactly the fields in `filled` (using varied shapes for "filled" and "blank"). */
function factsFilling(
  filled: ReadonlySet<string>,
  type: string,
  kind: string,
  stage: string,
  variant = 0,
): PartnerFacts {
  const text = (f: string) =>
    filled.has(f) ? `value of ${f}` : ([null, '', '   '][variant % 3] as string | null);
  const list = (f: string) =>
    filled.has(f) ? ['', 'x'].slice(variant % 2) : [[], [''], null, 'not a list', ['  ']][variant % 5];
  const customValues: Record<string, unknown> = {};
  for (const f of filled) {
    if (f.startsWith('custom.')) customValues[f.slice(7)] = ['v', 0, false, ['a'], { a: 1 }][variant % 5];
  }
  customValues.blank_one = [null, '', '  ', [], undefined][variant % 5];
  return {
    id: 'ptr_x',
    type,
    kind,
    stage,
    legalName: text('legalName'),
    country: text('country'),
    languages: list('languages'),
    websites: list('websites'),
    trafficSources: list('trafficSources'),
    email: text('email'),
    phone: text('phone'),
    ownerId: text('ownerId'),
    tier: text('tier'),
    parentId: text('parentId'),
    customValues,
    contactRoles: new Set(
      [...filled]
        .filter((f) => f.startsWith('contact.'))
        .map((f) => f.slice(8))
        .concat(variant % 2 ? ['other'] : []),
    ),
    documentTypes: new Set([...filled].filter((f) => f.startsWith('document.')).map((f) => f.slice(9))),
  };
}

describe('isFieldFilled', () => {
  it.each([
    ['legalName', { legalName: 'Acme Ltd' }, true],
    ['legalName', { legalName: '  ' }, false],
    ['country', { country: 'CY' }, true],
    ['languages', { languages: ['en'] }, true],
    ['languages', { languages: [] }, false],
    ['languages', { languages: [''] }, false],
    ['websites', { websites: 'https://x.test' }, false],
    ['trafficSources', { trafficSources: ['seo'] }, true],
    ['ownerId', { ownerId: 'usr_1' }, true],
    ['parentId', { parentId: null }, false],
    ['contact.billing', { contactRoles: new Set(['billing']) }, true],
    ['contact.billing', { contactRoles: new Set(['primary']) }, false],
    ['document.identity', { documentTypes: new Set(['identity']) }, true],
    ['document.identity', { documentTypes: new Set(['proof_of_address']) }, false],
    ['custom.licence', { customValues: { licence: 'CY-123' } }, true],
    ['custom.licence', { customValues: { licence: false } }, true],
    ['custom.licence', { customValues: { licence: 0 } }, true],
    ['custom.licence', { customValues: { licence: '' } }, false],
    ['custom.licence', { customValues: { licence: null } }, false],
    ['custom.licence', { customValues: { licence: [] } }, false],
    ['custom.licence', { customValues: {} }, false],
    ['custom.toString', { customValues: {} }, false],
    ['nonsense', { legalName: 'x' }, false],
  ] as const)('%s with %o → %s', (field, over, expected) => {
    expect(isFieldFilled(field, emptyFacts(over as Partial<PartnerFacts>))).toBe(expected);
  });
});

// ---- property tests over arbitrary policies and partners ----

const CUSTOM: CustomFieldInfo[] = [
  { key: 'licence_no', label: 'Licence number', partnerTypes: [] },
  { key: 'ib_desk', label: 'IB desk', partnerTypes: ['ib'] },
];
const ARCHIVED_CUSTOM = 'custom.old_field'; // named by a rule but no longer an active definition
const ALL_FIELDS = [...STATIC_FIELDS, ...CUSTOM.map((c) => `custom.${c.key}`), ARCHIVED_CUSTOM];

const ruleArb: fc.Arbitrary<MandatoryFieldRule> = fc.record({
  partnerType: fc.constantFrom(...PARTNER_TYPES),
  stage: fc.constantFrom(...ALL_STAGES),
  partnerKind: fc.constantFrom(null, ...PARTNER_KINDS),
  fields: fc.uniqueArray(fc.constantFrom(...ALL_FIELDS), { maxLength: 8 }),
});
const policyArb = fc.record({
  version: fc.integer({ min: 1, max: 1000 }),
  rules: fc.array(ruleArb, { maxLength: 25 }),
});
const partnerArb = fc.record({
  type: fc.constantFrom(...PARTNER_TYPES),
  kind: fc.constantFrom(...PARTNER_KINDS),
  stage: fc.constantFrom(...ALL_STAGES),
  filled: fc.uniqueArray(fc.constantFrom(...ALL_FIELDS)),
  variant: fc.nat(100),
});

/** Reference model: plain set logic, written independently of the implementation. */
function modelRequired(
  rules: readonly MandatoryFieldRule[],
  type: string,
  kind: string,
  stage: string,
): Set<string> {
  const main = MAIN_STAGES as readonly string[];
  const inForce = main.includes(stage) ? main.slice(0, main.indexOf(stage) + 1) : [stage];
  const out = new Set<string>();
  for (const r of rules) {
    if (r.partnerType !== type || !inForce.includes(r.stage)) continue;
    if (r.partnerKind && r.partnerKind !== kind) continue;
    for (const f of r.fields) {
      if (f === ARCHIVED_CUSTOM) continue;
      if (f === 'custom.ib_desk' && type !== 'ib') continue;
      out.add(f);
    }
  }
  return out;
}

describe('evaluateMandatoryFields (properties)', () => {
  it('requires exactly what the rules in force name, and misses exactly what is not filled', () => {
    fc.assert(
      fc.property(policyArb, partnerArb, (policy, p) => {
        const filled = new Set(p.filled);
        const facts = {
          partner: factsFilling(filled, p.type, p.kind, p.stage, p.variant),
          customFields: CUSTOM,
        };
        const e = evaluateMandatoryFields(policy, facts);
        const required = names(e.stage.required);
        expect(e.policyVersion).toBe(policy.version);
        expect(new Set(required).size).toBe(required.length);
        expect(new Set(required)).toEqual(modelRequired(policy.rules, p.type, p.kind, p.stage));
        expect(names(e.stage.missing)).toEqual(required.filter((f) => !filled.has(f)));
        const catalogue = buildCatalogue(CUSTOM);
        for (const ref of e.stage.required)
          expect(ref.label).toBe(catalogue.find((c) => c.field === ref.field)?.label);
      }),
      { numRuns: 500 },
    );
  });

  it('is cumulative along the onboarding path, and side states see only their own rules', () => {
    fc.assert(
      fc.property(policyArb, partnerArb, (policy, p) => {
        const at = (stage: string) =>
          evaluateMandatoryFields(policy, {
            partner: factsFilling(new Set(p.filled), p.type, p.kind, stage, p.variant),
            customFields: CUSTOM,
          });
        let previous = new Set<string>();
        let previousMissing = new Set<string>();
        for (const stage of MAIN_STAGES) {
          const e = at(stage);
          const req = new Set(names(e.stage.required));
          const missing = new Set(names(e.stage.missing));
          for (const f of previous) expect(req.has(f)).toBe(true);
          for (const f of previousMissing) expect(missing.has(f)).toBe(true);
          for (const f of missing) expect(req.has(f)).toBe(true);
          if (e.next) {
            expect(e.next.stage).toBe(MAIN_STAGES[MAIN_STAGES.indexOf(stage) + 1]);
            expect(e.next).toEqual(at(e.next.stage).stage);
          } else {
            expect(stage).toBe('active');
          }
          previous = req;
          previousMissing = missing;
        }
        for (const side of SIDE_STAGES) {
          const e = at(side);
          expect(e.next).toBeNull();
          const own = policy.rules.filter((r) => r.stage === side);
          for (const ref of e.stage.required)
            expect(own.some((r) => r.fields.includes(ref.field))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a rule for the other kind or another type contribute', () => {
    fc.assert(
      fc.property(policyArb, partnerArb, (policy, p) => {
        const e = evaluateMandatoryFields(policy, {
          partner: factsFilling(new Set(), p.type, p.kind, p.stage),
          customFields: CUSTOM,
        });
        const mine = policy.rules.filter(
          (r) => r.partnerType === p.type && (r.partnerKind == null || r.partnerKind === p.kind),
        );
        for (const ref of e.stage.required) expect(mine.some((r) => r.fields.includes(ref.field))).toBe(true);
      }),
    );
  });

  it('answers an unknown stage or type with nothing required and no next stage', () => {
    const rules: MandatoryFieldRule[] = [
      { partnerType: 'ib', stage: 'intake', partnerKind: null, fields: ['email'] },
    ];
    const odd = evaluateMandatoryFields(
      { version: 3, rules },
      { partner: emptyFacts({ type: 'ib', stage: 'limbo' }), customFields: [] },
    );
    expect(odd).toEqual({
      policyVersion: 3,
      stage: { stage: 'limbo', required: [], missing: [] },
      next: null,
    });
    const otherType = evaluateMandatoryFields(
      { version: 3, rules },
      { partner: emptyFacts({ type: 'martian' }), customFields: [] },
    );
    expect(otherType.stage.required).toEqual([]);
  });
});

describe('validateRules', () => {
  const good = { partnerType: 'ib', stage: 'intake', fields: ['email'] };
  const errorsOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { errors: { field: string; message: string }[] }).errors;
    }
    throw new Error('expected a validation error');
  };

  it('names the exact path of an unknown field', () => {
    const rules = [
      good,
      { ...good, stage: 'due_diligence' },
      { ...good, stage: 'handover' },
      { partnerType: 'affiliate', stage: 'due_diligence', fields: ['email', 'favouriteColour'] },
    ];
    expect(errorsOf(() => validateRules(rules, []))).toEqual([
      { field: 'body.rules[3].fields[1]', message: expect.stringContaining('favouriteColour') },
    ]);
  });

  it('reports every problem: type, stage, kind, duplicates, archived and inapplicable custom fields', () => {
    const errors = errorsOf(() =>
      validateRules(
        [
          { partnerType: 'broker', stage: 'intake', fields: [] },
          { partnerType: 'ib', stage: 'onboarding', fields: [] },
          { partnerType: 'ib', stage: 'intake', partnerKind: 'trust', fields: [] },
          { partnerType: 'ib', stage: 'intake', fields: ['email', 'email'] },
          { partnerType: 'ib', stage: 'intake', fields: [] },
          {
            partnerType: 'affiliate',
            stage: 'intake',
            fields: ['custom.ib_desk', 'custom.old_field', 'contact.cfo', 'document.passport'],
          },
        ],
        CUSTOM,
      ),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'body.rules[0].partnerType',
      'body.rules[1].stage',
      'body.rules[2].partnerKind',
      'body.rules[3].fields[1]',
      'body.rules[4]',
      'body.rules[5].fields[0]',
      'body.rules[5].fields[1]',
      'body.rules[5].fields[2]',
      'body.rules[5].fields[3]',
    ]);
  });

  it('checks only the name of a custom field when the rule names an unknown type', () => {
    const errors = errorsOf(() =>
      validateRules(
        [{ partnerType: 'broker', stage: 'intake', fields: ['custom.ib_desk', 'custom.nope'] }],
        CUSTOM,
      ),
    );
    expect(errors.map((e) => e.field)).toEqual(['body.rules[0].partnerType', 'body.rules[0].fields[1]']);
  });

  it('accepts every catalogue field for every type, and custom fields for the types they apply to', () => {
    for (const partnerType of PARTNER_TYPES) {
      const fields = buildCatalogue(CUSTOM)
        .filter((c) => c.partnerTypes === null || c.partnerTypes.includes(partnerType))
        .map((c) => c.field);
      expect(validateRules([{ partnerType, stage: 'intake', fields }], CUSTOM)[0]?.fields).toEqual(fields);
    }
  });
});

describe('diffRules', () => {
  it('lists added and removed fields per type × stage × kind', () => {
    const before: MandatoryFieldRule[] = [
      { partnerType: 'ib', stage: 'intake', partnerKind: null, fields: ['email', 'country'] },
      {
        partnerType: 'ib',
        stage: 'due_diligence',
        partnerKind: 'company',
        fields: ['document.incorporation'],
      },
    ];
    const after: MandatoryFieldRule[] = [
      { partnerType: 'ib', stage: 'intake', partnerKind: null, fields: ['email', 'phone'] },
      { partnerType: 'affiliate', stage: 'intake', partnerKind: null, fields: ['email'] },
    ];
    expect(diffRules(before, after)).toEqual([
      { partnerType: 'ib', stage: 'intake', partnerKind: null, added: ['phone'], removed: ['country'] },
      {
        partnerType: 'ib',
        stage: 'due_diligence',
        partnerKind: 'company',
        added: [],
        removed: ['document.incorporation'],
      },
      { partnerType: 'affiliate', stage: 'intake', partnerKind: null, added: ['email'], removed: [] },
    ]);
    expect(diffRules(after, after)).toEqual([]);
  });

  it('round-trips: applying the diff to the old rules gives the new field sets', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 10 }), fc.array(ruleArb, { maxLength: 10 }), (a, b) => {
        const sets = (rules: MandatoryFieldRule[]) => {
          const m = new Map<string, Set<string>>();
          for (const r of rules) {
            const k = `${r.partnerType}|${r.stage}|${r.partnerKind ?? ''}`;
            m.set(k, new Set([...(m.get(k) ?? []), ...r.fields]));
          }
          return m;
        };
        const result = sets(a);
        for (const c of diffRules(a, b)) {
          const k = `${c.partnerType}|${c.stage}|${c.partnerKind ?? ''}`;
          const s = result.get(k) ?? new Set<string>();
          for (const f of c.removed) s.delete(f);
          for (const f of c.added) s.add(f);
          result.set(k, s);
        }
        const expected = sets(b);
        for (const k of new Set([...result.keys(), ...expected.keys()])) {
          expect(result.get(k) ?? new Set()).toEqual(expected.get(k) ?? new Set());
        }
      }),
    );
  });
});
