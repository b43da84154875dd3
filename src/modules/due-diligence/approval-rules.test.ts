import { describe, expect, it } from 'vitest';
import { approvalProblems, type CaseRuleInput, countryConflicts, type RuleParty } from './approval-rules.ts';

const ubo = (over: Partial<RuleParty> = {}): RuleParty => ({
  id: 'ddp_1',
  kind: 'person',
  name: 'Maria',
  roles: ['director', 'shareholder', 'ubo'],
  shareholdingBps: 10_000,
  beneficialBps: 10_000,
  identityDocumentId: 'doc_id',
  addressDocumentId: 'doc_addr',
  ...over,
});

function kyb(over: Partial<CaseRuleInput> = {}): CaseRuleInput {
  return {
    kind: 'kyb',
    today: '2026-01-10',
    registration: { number: 'HE1' },
    identityDocumentId: null,
    addressDocumentId: null,
    parties: [ubo()],
    screenings: [
      { partyId: null, result: 'clear', provider: 'WC1', screenedOn: '2026-01-09' },
      { partyId: 'ddp_1', result: 'clear', provider: 'WC1', screenedOn: '2026-01-09' },
    ],
    entity: 'CySEC',
    restricted: new Map([['US', 'CFTC']]),
    marketingMethods: ['seo'],
    targetCountries: ['DE'],
    partnerWebsites: ['https://a.example'],
    websiteReviews: [{ url: 'https://a.example/', outcome: 'pass' }],
    openRequestIds: [],
    documents: new Map([
      ['doc_id', { status: 'approved', archived: false, expiresOn: null }],
      ['doc_addr', { status: 'approved', archived: false, expiresOn: null }],
    ]),
    ...over,
  };
}
const codes = (input: CaseRuleInput) => approvalProblems(input).map((p) => p.code);

describe('approval rules', () => {
  it('a complete case has no problems', () => {
    expect(approvalProblems(kyb())).toEqual([]);
  });

  it('the 25% threshold: 24.99% needs no documents, 25.00% does', () => {
    const second = (bps: number) =>
      ubo({
        id: 'ddp_2',
        name: 'Andreas',
        roles: ['ubo'],
        shareholdingBps: null,
        beneficialBps: bps,
        identityDocumentId: null,
        addressDocumentId: null,
      });
    const base = ubo({ shareholdingBps: 5000, beneficialBps: 5000 });
    expect(codes(kyb({ parties: [base, second(2499)] }))).toEqual([]);
    expect(codes(kyb({ parties: [base, second(2500)] }))).toEqual([
      'ubo_identity_missing',
      'ubo_address_missing',
      'screening_subject_missing',
    ]);
  });

  it('a person shareholder at 25% or more must be recorded as a beneficial owner', () => {
    const p = ubo({ roles: ['director', 'shareholder'], beneficialBps: null });
    expect(
      codes(
        kyb({ parties: [p, ubo({ id: 'ddp_2', roles: ['ubo'], shareholdingBps: null, beneficialBps: 0 })] }),
      ),
    ).toContain('ubo_not_recorded');
  });

  it('documents that are rejected, archived or expired do not count', () => {
    const docs = (d: { status: string; archived: boolean; expiresOn: string | null }) =>
      new Map([
        ['doc_id', d],
        ['doc_addr', { status: 'approved', archived: false, expiresOn: null }],
      ]);
    expect(codes(kyb({ documents: docs({ status: 'rejected', archived: false, expiresOn: null }) }))).toEqual(
      ['document_unusable'],
    );
    expect(codes(kyb({ documents: docs({ status: 'approved', archived: true, expiresOn: null }) }))).toEqual([
      'document_unusable',
    ]);
    expect(
      codes(kyb({ documents: docs({ status: 'approved', archived: false, expiresOn: '2026-01-09' }) })),
    ).toEqual(['document_unusable']);
    expect(
      codes(kyb({ documents: docs({ status: 'pending', archived: false, expiresOn: '2026-01-10' }) })),
    ).toEqual([]);
  });

  it('screening: none, true match (sticky), possible match until a later result for the same subject', () => {
    expect(codes(kyb({ screenings: [] }))).toEqual(['screening_missing']);
    const s = (partyId: string | null, result: 'clear' | 'possible_match' | 'true_match') => ({
      partyId,
      result,
      provider: 'WC1',
      screenedOn: '2026-01-09',
    });
    expect(
      codes(kyb({ screenings: [s(null, 'true_match'), s(null, 'clear'), s('ddp_1', 'clear')] })),
    ).toEqual(['screening_true_match']);
    expect(codes(kyb({ screenings: [s(null, 'clear'), s('ddp_1', 'possible_match')] }))).toEqual([
      'screening_possible_match',
    ]);
    expect(
      codes(kyb({ screenings: [s(null, 'clear'), s('ddp_1', 'possible_match'), s('ddp_1', 'clear')] })),
    ).toEqual([]);
    expect(codes(kyb({ screenings: [s('ddp_1', 'clear')] }))).toEqual(['screening_subject_missing']);
  });

  it('restricted countries per entity, and an entity without a list', () => {
    expect(
      countryConflicts({
        entity: 'CySEC',
        restricted: new Map([['US', 'CFTC']]),
        targetCountries: ['DE', 'US'],
      }),
    ).toEqual([{ country: 'US', entity: 'CySEC', reason: 'CFTC' }]);
    expect(codes(kyb({ targetCountries: ['US'] }))).toEqual(['country_restricted']);
    expect(codes(kyb({ restricted: null }))).toEqual(['entity_unknown']);
    expect(codes(kyb({ entity: null, restricted: null }))).toEqual(['entity_missing']);
    expect(codes(kyb({ targetCountries: [], marketingMethods: [] }))).toEqual([
      'marketing_missing',
      'target_countries_missing',
    ]);
  });

  it('websites: the latest review of each URL counts; every partner website must be reviewed', () => {
    expect(codes(kyb({ websiteReviews: [{ url: 'https://a.example', outcome: 'fail' }] }))).toEqual([
      'website_failed',
    ]);
    expect(
      codes(
        kyb({
          websiteReviews: [
            { url: 'https://a.example', outcome: 'fail' },
            { url: 'https://A.example/', outcome: 'issues' },
          ],
        }),
      ),
    ).toEqual([]);
    expect(codes(kyb({ websiteReviews: [] }))).toEqual(['website_unreviewed']);
  });

  it('KYB basics and KYC documents; open requests block', () => {
    expect(codes(kyb({ registration: null }))).toEqual(['registration_missing']);
    expect(codes(kyb({ parties: [ubo({ roles: ['shareholder', 'ubo'] })] }))).toEqual(['directors_missing']);
    expect(codes(kyb({ openRequestIds: ['drq_1'] }))).toEqual(['request_open']);
    const kyc = kyb({
      kind: 'kyc',
      parties: [],
      screenings: [{ partyId: null, result: 'clear', provider: 'WC1', screenedOn: '2026-01-09' }],
    });
    expect(codes(kyc)).toEqual(['identity_missing', 'address_missing']);
    expect(codes({ ...kyc, identityDocumentId: 'doc_id', addressDocumentId: 'doc_addr' })).toEqual([]);
  });
});
