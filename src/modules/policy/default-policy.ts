// The default mandatory-field policy (version 1), written for an FX/CFD broker's partner programme. Admins
// replace it by publishing a new version; this file only decides what a fresh workspace starts with.
//
// Choices (requirements are cumulative, so each stage lists only what it adds):
// - intake, every type: email, country, owner BDM and a primary contact. That is what a BDM has after the
//   first call, and without an owner nobody is accountable for moving the partner on.
// - due_diligence (KYC/KYB), every type: legal name and phone. By kind, because KYC and KYB differ:
//   individuals: identity document and proof of address;
//   companies: certificate of incorporation, UBO declaration (beneficial owners over 25% are screened),
//   proof of the registered address, and an authorised signatory who can bind the company.
//   White labels and networks are held to a higher bar: they act for the broker towards many end clients or
//   sub-affiliates, so they also need a compliance contact before due diligence is complete.
// - tracking_setup: what Tracking QA needs to test the chain and Compliance needs to review marketing:
//   affiliates, influencers and networks: websites, traffic sources and marketing languages;
//   networks and white labels: a technical contact (postbacks, API integration); white labels: websites;
//   IBs often refer clients offline, so only their languages (which desks serve their clients).
// - activation_readiness, every type: the signed partner agreement, a tax form and a billing contact (no
//   payout without them), and the commercial tier. Influencers and affiliates also need a marketing contact
//   (creatives and claims review goes through them).
// - handover and active add nothing by default, and side states (rejected, suspended, offboarded) have no
//   rules: a partner there is not being asked for more data. parentId is in the catalogue (sub-IBs) but not
//   required by default, because most partners have no parent.
import type { PartnerKind, PartnerStage, PartnerType } from './catalogue.ts';
import { PARTNER_TYPES } from './catalogue.ts';
import type { MandatoryFieldRule } from './evaluate.ts';

type Additions = {
  stage: PartnerStage;
  partnerKind?: PartnerKind;
  fields: string[];
  types: readonly PartnerType[];
};

const ALL = PARTNER_TYPES;
const MARKETING_TYPES: readonly PartnerType[] = ['affiliate', 'influencer', 'network'];

const ADDITIONS: Additions[] = [
  { stage: 'intake', types: ALL, fields: ['email', 'country', 'ownerId', 'contact.primary'] },
  { stage: 'due_diligence', types: ALL, fields: ['legalName', 'phone'] },
  { stage: 'due_diligence', types: ['white_label', 'network'], fields: ['contact.compliance'] },
  {
    stage: 'due_diligence',
    partnerKind: 'individual',
    types: ALL,
    fields: ['document.identity', 'document.proof_of_address'],
  },
  {
    stage: 'due_diligence',
    partnerKind: 'company',
    types: ALL,
    fields: [
      'document.incorporation',
      'document.ubo_declaration',
      'document.proof_of_address',
      'contact.signatory',
    ],
  },
  { stage: 'tracking_setup', types: MARKETING_TYPES, fields: ['websites', 'trafficSources', 'languages'] },
  { stage: 'tracking_setup', types: ['ib'], fields: ['languages'] },
  { stage: 'tracking_setup', types: ['white_label'], fields: ['websites'] },
  { stage: 'tracking_setup', types: ['network', 'white_label'], fields: ['contact.technical'] },
  {
    stage: 'activation_readiness',
    types: ALL,
    fields: ['document.agreement', 'document.tax_form', 'contact.billing', 'tier'],
  },
  { stage: 'activation_readiness', types: ['affiliate', 'influencer'], fields: ['contact.marketing'] },
];

/** The default rules, one rule per (type, stage, kind) so that the policy editor shows one row for each. */
export function defaultRules(): MandatoryFieldRule[] {
  const byKey = new Map<string, MandatoryFieldRule>();
  for (const type of PARTNER_TYPES) {
    for (const a of ADDITIONS) {
      if (!a.types.includes(type)) continue;
      const key = `${type}|${a.stage}|${a.partnerKind ?? ''}`;
      const rule = byKey.get(key);
      if (rule) rule.fields.push(...a.fields.filter((f) => !rule.fields.includes(f)));
      else
        byKey.set(key, {
          partnerType: type,
          stage: a.stage,
          ...(a.partnerKind ? { partnerKind: a.partnerKind } : {}),
          fields: [...a.fields],
        });
    }
  }
  return [...byKey.values()];
}

export const DEFAULT_POLICY_NOTE = 'Default policy for an FX/CFD partner programme (written by Partnerdesk).';
