// Terms: versioned commercial plans per partner (CPA, rebate, RevShare, hybrid), their approval within the
// authority matrix with four eyes, the partner's acceptance, and which version is in force on a date.

export { ensureDefaultAuthority, getAuthority, replaceAuthority } from './authority.service.ts';
export {
  type ApproverRole,
  AUTHORITY_METRICS,
  type AuthorityMetric,
  type AuthorityRow,
  authorityRank,
  defaultAuthorityRows,
  planMetrics,
  requiredApproverRole,
  roleCovers,
} from './authority-matrix.ts';
export {
  type CpaPart,
  INSTRUMENT_GROUPS,
  type InstrumentGroup,
  type Plan,
  type PlanModel,
  planParts,
  planSchema,
  type RebateRow,
  type RevsharePart,
} from './plan.schemas.ts';
export { diffPlans, formatBps, type PlanChange, summarizePlan } from './plan-summary.ts';
export { termsRoutes } from './terms.routes.ts';
export { termsVersionSchema } from './terms.schemas.ts';
export {
  acceptTerms,
  approveTerms,
  createTermsProposal,
  currentTerms,
  decisionBlocker,
  getTerms,
  listTerms,
  type ProposeTermsInput,
  rejectTerms,
  type TermsAwaitingDecision,
  type TermsFacts,
  type TermsView,
  termsAwaitingDecisionBy,
  termsFacts,
  withdrawTerms,
} from './terms.service.ts';
