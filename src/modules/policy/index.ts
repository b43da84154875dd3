// Policy: the versioned mandatory-field policy (which fields each partner type must have by each onboarding
// stage), its catalogue of requirable fields, and the check of a partner against it.
export {
  ALL_STAGES,
  buildCatalogue,
  type CatalogueEntry,
  CONTACT_ROLES,
  type CustomFieldInfo,
  DOCUMENT_TYPES,
  isFieldFilled,
  MAIN_STAGES,
  PARTNER_FIELDS,
  PARTNER_KINDS,
  PARTNER_TYPES,
  type PartnerFacts,
  type PartnerKind,
  type PartnerStage,
  type PartnerType,
  SIDE_STAGES,
  STATIC_CATALOGUE,
} from './catalogue.ts';
export { defaultRules } from './default-policy.ts';
export {
  type EvaluationFacts,
  evaluateMandatoryFields,
  type FieldRef,
  type MandatoryFieldRule,
  type MandatoryFieldRules,
  type MandatoryFieldsEvaluation,
  type StageRequirements,
} from './evaluate.ts';
export {
  factsFromRows,
  type MissingCounts,
  missingCountsFor,
  missingFieldsFor,
  type PartnerRowForPolicy,
} from './mandatory-fields.ts';
export { policyRoutes } from './policy.routes.ts';
export { currentPolicy, ensureDefaultPolicy, type PolicyVersion } from './policy.service.ts';
