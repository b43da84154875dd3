// Every module's routes, registered in one place. Add a module's route function here when it gains routes.
import type { App, Deps } from '../platform/http/types.ts';
import { accessRoutes } from './access/index.ts';
import { approvalsRoutes } from './approvals/index.ts';
import { auditRoutes } from './audit/index.ts';
import { documentRoutes } from './documents/index.ts';
import { eventsRoutes } from './events/index.ts';
import { dueDiligenceRoutes } from './due-diligence/index.ts';
import { onboardingRoutes } from './onboarding/index.ts';
import { partnersRoutes } from './partners/index.ts';
import { policyRoutes } from './policy/index.ts';
import { postbacksRoutes } from './postbacks/index.ts';
import { statsRoutes } from './stats/index.ts';
import { systemRoutes } from './system/index.ts';
import { tasksRoutes } from './tasks/index.ts';
import { termsRoutes } from './terms/index.ts';
import { trackingRoutes } from './tracking/index.ts';
import { trackingQaRoutes } from './tracking-qa/index.ts';

export async function registerModules(app: App, deps: Deps): Promise<void> {
  await systemRoutes(app, deps);
  await accessRoutes(app, deps);
  await partnersRoutes(app, deps);
  await auditRoutes(app, deps);
  await termsRoutes(app, deps);
  await approvalsRoutes(app, deps);
  await documentRoutes(app, deps);
  await dueDiligenceRoutes(app, deps);
  await policyRoutes(app, deps);
  await tasksRoutes(app, deps);
  await onboardingRoutes(app, deps);
  await trackingRoutes(app, deps);
  await eventsRoutes(app, deps);
  await postbacksRoutes(app, deps);
  await statsRoutes(app, deps);
  await trackingQaRoutes(app, deps);
}
