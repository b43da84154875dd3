// Due diligence: KYC/KYB cases run by Compliance (parties, screening results, restricted countries per
// regulated entity, website review, decisions and documentation requests), payout details verified by
// Finance (versioned, four eyes), and risk flags. Other modules read the outcome through the *Facts exports.

export { approvalProblems, countryConflicts } from './approval-rules.ts';
export { dueDiligenceRoutes } from './dd.routes.ts';
export {
  addParty,
  addWebsiteReview,
  answerRequest,
  DD_REVIEW_TASK_KEY,
  decide as decideDueDiligence,
  openCase,
  recordScreening,
  updateCase,
} from './dd.service.ts';
export { type DueDiligenceStatus, dueDiligenceFacts, payoutFacts, riskFacts } from './facts.ts';
export { putPayoutDetails, verifyPayoutDetails } from './payout-details.service.ts';
export { getRestrictedCountries, replaceRestrictedCountries } from './restricted-countries.service.ts';
export { raiseRiskFlag, resolveRiskFlag } from './risk-flags.service.ts';
export { entityFromPartner } from './dd.service.ts';
