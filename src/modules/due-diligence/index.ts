// Due diligence: KYC/KYB cases run by Compliance (parties, screening results, restricted countries per
// regulated entity, website review, decisions and documentation requests), payout details verified by
// Finance (versioned, four eyes), and risk flags. Other modules read the outcome through the *Facts exports.

export { approvalProblems, countryConflicts } from './approval-rules.ts';
export { dueDiligenceRoutes } from './dd.routes.ts';
export { DD_REVIEW_TASK_KEY } from './dd.service.ts';
export { type DueDiligenceStatus, dueDiligenceFacts, payoutFacts, riskFacts } from './facts.ts';
