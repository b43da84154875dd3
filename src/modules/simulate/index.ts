// Simulated traffic (`partnerdesk simulate`): a seeded model of clicks, bots, repeat visitors and client
// journeys (registration → KYC → FTD → deposits, trades by instrument group, withdrawals, chargebacks) and a
// driver that plays it against a running server through its public endpoints only, keeping its own account.
export {
  formatSummary,
  progressLine,
  SimulateError,
  type SimulateOptions,
  type SimulationSummary,
  simulate,
} from './driver.ts';
export { buildPlan, clickTimeOf, type ModelLink, type Plan } from './model.ts';
