// Onboarding: the stages a partner moves through and their gates (versioned checklist templates per partner
// type, manual items ticked by a role, system items judged from other modules' facts), stage history and
// activation timelines, the pipeline and stalled views, and the handover record that makes a partner active.
import { onPartnersCreated } from '../partners/index.ts';
import { openFirstStage } from './history.ts';

// Every new partner enters its first stage (and gets that stage's tasks) in its creation transaction.
onPartnersCreated(openFirstStage);

export { defaultTemplates } from './default-templates.ts';
export {
  evaluateGate,
  type GateEvaluation,
  type GateFacts,
  type GateItem,
  type ItemState,
  type Tick,
} from './gate.ts';
export { onboardingRoutes } from './onboarding.routes.ts';
export {
  acknowledgeHandover,
  advancePartner,
  decidePartner,
  getHandover,
  getOnboarding,
  movePartnerBack,
  type OnboardingView,
  tickItem,
  untickItem,
} from './onboarding.service.ts';
export {
  allowedTransitions,
  GATE_STAGES,
  type GateStage,
  nextStage,
  STAGE_LABELS,
  type Stage,
  type Transition,
} from './stages.ts';
export {
  type ChecklistItem,
  type ChecklistTemplate,
  SYSTEM_CHECKS,
  type SystemCheck,
  type TemplateStage,
} from './template.ts';
export { currentTemplate, ensureDefaultTemplates, publishTemplate } from './templates.service.ts';
export { partnerTimelines, summarizeTimelines, type TimelineRow } from './timelines.ts';
