// Pure evaluation of the mandatory-field policy for one partner: which fields its current stage requires,
// which of those are missing, and the same for the next stage on the onboarding path. No database here.
import {
  type CustomFieldInfo,
  fieldProblem,
  isFieldFilled,
  labelOf,
  MAIN_STAGES,
  type PartnerFacts,
  type PartnerKind,
  type PartnerStage,
  type PartnerType,
  SIDE_STAGES,
} from './catalogue.ts';

/** One rule of a policy: these fields are mandatory for this partner type (and kind, when set) from this stage on. */
export interface MandatoryFieldRule {
  partnerType: PartnerType;
  stage: PartnerStage;
  /** Absent or null: the rule applies to individuals and companies alike. */
  partnerKind?: PartnerKind | null;
  fields: string[];
}

export interface MandatoryFieldRules {
  version: number;
  rules: readonly MandatoryFieldRule[];
}

export interface FieldRef {
  field: string;
  label: string;
}

export interface StageRequirements {
  stage: string;
  required: FieldRef[];
  missing: FieldRef[];
}

export interface MandatoryFieldsEvaluation {
  policyVersion: number;
  stage: StageRequirements;
  next: StageRequirements | null;
}

export interface EvaluationFacts {
  partner: PartnerFacts;
  /** Active custom field definitions: a rule naming an archived or inapplicable custom field is ignored. */
  customFields: readonly CustomFieldInfo[];
}

const MAIN: readonly string[] = MAIN_STAGES;
const SIDE: readonly string[] = SIDE_STAGES;

/** The stages whose rules apply at `stage`: every main stage up to it, or a side state's own rules only. */
export function stagesInForce(stage: string): string[] {
  const i = MAIN.indexOf(stage);
  if (i >= 0) return MAIN.slice(0, i + 1);
  if (SIDE.includes(stage)) return [stage];
  return [];
}

/** The stage after `stage` on the onboarding path; null for `active`, side states and unknown stages. */
export function nextStage(stage: string): string | null {
  const i = MAIN.indexOf(stage);
  return i >= 0 && i + 1 < MAIN.length ? (MAIN[i + 1] ?? null) : null;
}

/**
 * The field names required at `stage` for a partner of this type and kind, in the order they first appear
 * (earliest stage first, then rule order). Fields the partner's type cannot have (an archived custom field,
 * or one defined for other types) are left out.
 */
export function requiredFieldsAt(
  rules: readonly MandatoryFieldRule[],
  partnerType: string,
  partnerKind: string,
  stage: string,
  customFields: readonly CustomFieldInfo[],
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of stagesInForce(stage)) {
    for (const rule of rules) {
      if (rule.stage !== s || rule.partnerType !== partnerType) continue;
      if (rule.partnerKind != null && rule.partnerKind !== partnerKind) continue;
      for (const field of rule.fields) {
        if (seen.has(field) || fieldProblem(field, partnerType, customFields) !== null) continue;
        seen.add(field);
        out.push(field);
      }
    }
  }
  return out;
}

function requirementsAt(
  policy: MandatoryFieldRules,
  facts: EvaluationFacts,
  stage: string,
): StageRequirements {
  const { partner, customFields } = facts;
  const fields = requiredFieldsAt(policy.rules, partner.type, partner.kind, stage, customFields);
  const refs = fields.map((field) => ({ field, label: labelOf(field, customFields) }));
  return { stage, required: refs, missing: refs.filter((r) => !isFieldFilled(r.field, partner)) };
}

/** Which mandatory fields the partner's current stage and the next stage require, and which are missing. */
export function evaluateMandatoryFields(
  policy: MandatoryFieldRules,
  facts: EvaluationFacts,
): MandatoryFieldsEvaluation {
  const stage = facts.partner.stage;
  const next = nextStage(stage);
  return {
    policyVersion: policy.version,
    stage: requirementsAt(policy, facts, stage),
    next: next === null ? null : requirementsAt(policy, facts, next),
  };
}
