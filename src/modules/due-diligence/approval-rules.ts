// What stops a due-diligence case from being approved, as a pure function of what the case holds. Each
// problem names its subject so Compliance sees exactly what to fix; the API answers 409 with the same list.
import { type PartyRole, type ScreeningResult, UBO_THRESHOLD_BPS } from './dd.schemas.ts';

export interface RuleParty {
  id: string;
  kind: 'person' | 'entity';
  name: string;
  roles: PartyRole[];
  shareholdingBps: number | null;
  beneficialBps: number | null;
  identityDocumentId: string | null;
  addressDocumentId: string | null;
}

export interface RuleScreening {
  partyId: string | null;
  result: ScreeningResult;
  provider: string;
  screenedOn: string;
}

export interface RuleDocument {
  status: string; // pending | approved | rejected
  archived: boolean;
  expiresOn: string | null;
}

export interface CaseRuleInput {
  kind: 'kyc' | 'kyb';
  today: string;
  registration: unknown | null;
  identityDocumentId: string | null;
  addressDocumentId: string | null;
  parties: RuleParty[];
  /** In the order they were recorded. */
  screenings: RuleScreening[];
  entity: string | null;
  /** The entity's restricted countries (country → reason), or null when the entity has no list. */
  restricted: Map<string, string> | null;
  marketingMethods: string[];
  targetCountries: string[];
  partnerWebsites: string[];
  websiteReviews: { url: string; outcome: 'pass' | 'issues' | 'fail' }[];
  openRequestIds: string[];
  documents: Map<string, RuleDocument>;
}

export interface ApprovalProblem {
  code: string;
  message: string;
}

export function formatBps(bps: number): string {
  return `${(bps / 100).toFixed(2)}%`;
}

/** Target countries the entity restricts. */
export function countryConflicts(
  input: Pick<CaseRuleInput, 'entity' | 'restricted' | 'targetCountries'>,
): { country: string; entity: string; reason: string }[] {
  if (!input.entity || !input.restricted) return [];
  const out: { country: string; entity: string; reason: string }[] = [];
  for (const country of input.targetCountries) {
    const reason = input.restricted.get(country);
    if (reason !== undefined) out.push({ country, entity: input.entity, reason });
  }
  return out;
}

function normalizeUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

export function approvalProblems(input: CaseRuleInput): ApprovalProblem[] {
  const problems: ApprovalProblem[] = [];
  const add = (code: string, message: string) => problems.push({ code, message });

  const checkDocument = (id: string | null, what: string, missingCode: string) => {
    if (!id) {
      add(missingCode, `${what} is missing.`);
      return;
    }
    const doc = input.documents.get(id);
    if (!doc || doc.archived) add('document_unusable', `${what} (${id}) is archived or no longer on file.`);
    else if (doc.status === 'rejected') add('document_unusable', `${what} (${id}) was rejected in review.`);
    else if (doc.expiresOn !== null && doc.expiresOn < input.today) {
      add('document_unusable', `${what} (${id}) expired on ${doc.expiresOn}.`);
    }
  };

  const ubos = input.parties.filter((p) => p.roles.includes('ubo'));
  const significantUbos = ubos.filter((p) => (p.beneficialBps ?? 0) >= UBO_THRESHOLD_BPS);

  if (input.kind === 'kyc') {
    checkDocument(input.identityDocumentId, 'The identity document of the individual', 'identity_missing');
    checkDocument(input.addressDocumentId, 'The proof of address of the individual', 'address_missing');
  } else {
    if (!input.registration) add('registration_missing', 'The company registration is not recorded.');
    if (!input.parties.some((p) => p.roles.includes('director')))
      add('directors_missing', 'No director is recorded.');
    if (ubos.length === 0) {
      add(
        'ubo_missing',
        'No beneficial owner is recorded (when nobody holds 25% or more, record the senior managing official).',
      );
    }
    for (const p of input.parties) {
      if (p.kind === 'person' && (p.shareholdingBps ?? 0) >= UBO_THRESHOLD_BPS && !p.roles.includes('ubo')) {
        add(
          'ubo_not_recorded',
          `Shareholder ${p.name} holds ${formatBps(p.shareholdingBps ?? 0)} and is not recorded as a beneficial owner.`,
        );
      }
    }
    for (const p of significantUbos) {
      const who = `beneficial owner ${p.name} (${formatBps(p.beneficialBps ?? 0)})`;
      checkDocument(p.identityDocumentId, `The identity document of ${who}`, 'ubo_identity_missing');
      checkDocument(p.addressDocumentId, `The proof of address of ${who}`, 'ubo_address_missing');
    }
  }

  // Screening: a true match anywhere blocks; a possible match stands until a later result for the same subject.
  if (input.screenings.length === 0) {
    add('screening_missing', 'No sanctions/PEP screening is recorded.');
  } else {
    const nameOf = (partyId: string | null) =>
      partyId === null ? 'the partner' : (input.parties.find((p) => p.id === partyId)?.name ?? partyId);
    const latest = new Map<string | null, RuleScreening>();
    for (const s of input.screenings) {
      latest.set(s.partyId, s);
      if (s.result === 'true_match') {
        add(
          'screening_true_match',
          `Screening of ${nameOf(s.partyId)} is a true match (${s.provider}, ${s.screenedOn}).`,
        );
      }
    }
    for (const [partyId, s] of latest) {
      if (s.result === 'possible_match') {
        add(
          'screening_possible_match',
          `Screening of ${nameOf(partyId)} is an unresolved possible match (${s.provider}, ${s.screenedOn}); record the reviewed result.`,
        );
      }
    }
    if (!latest.has(null)) add('screening_subject_missing', 'The partner itself has not been screened.');
    for (const p of significantUbos) {
      if (!latest.has(p.id))
        add('screening_subject_missing', `Beneficial owner ${p.name} has not been screened.`);
    }
  }

  if (input.marketingMethods.length === 0) add('marketing_missing', 'No marketing method is recorded.');
  if (input.targetCountries.length === 0) add('target_countries_missing', 'No target country is recorded.');
  if (!input.entity) {
    add(
      'entity_missing',
      "No regulated entity is recorded (the partner's regulated_entity field or the case).",
    );
  } else if (!input.restricted) {
    add('entity_unknown', `The regulated entity ${input.entity} has no restricted-country list.`);
  }
  for (const c of countryConflicts(input)) {
    add('country_restricted', `Target country ${c.country} is restricted for ${c.entity}: ${c.reason}.`);
  }

  const latestReview = new Map<string, { url: string; outcome: string }>();
  for (const r of input.websiteReviews) latestReview.set(normalizeUrl(r.url), r);
  for (const r of latestReview.values()) {
    if (r.outcome === 'fail') add('website_failed', `The website review of ${r.url} failed.`);
  }
  for (const site of input.partnerWebsites) {
    if (!latestReview.has(normalizeUrl(site)))
      add('website_unreviewed', `The website ${site} has not been reviewed.`);
  }

  for (const id of input.openRequestIds) add('request_open', `Documentation request ${id} is still open.`);
  return problems;
}
