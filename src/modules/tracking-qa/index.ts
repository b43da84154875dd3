// Tracking QA: proving a partner's setup end to end — a test runs the whole chain (tracking link → redirects
// → landing page → test events → attribution → partner postbacks) and keeps the evidence as the setup record;
// monitors re-run it and raise a risk flag when a setup breaks; attribution checks and reconciliation against
// a partner's own CSV. The onboarding gate reads `trackingQaFacts`.
export { attributionChecks } from './checks.service.ts';
export { type MonitorCycle, runMonitorCycle } from './monitors.ts';
export { type TestRunner, type TrackingQaFacts, trackingQaFacts } from './tests.service.ts';
export { trackingQaRoutes, trackingQaRunnerOf } from './tracking-qa.routes.ts';
