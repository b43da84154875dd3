// Tasks: what each team (Compliance, Finance, Support, Ops) owes for a partner's onboarding stage, with an SLA
// due time in business hours, plus the SLA policies, the business calendar and the "My work" view.
export { ensureDefaultSlaPolicies, loadCalendar } from './sla.service.ts';
export {
  cancelStageTasks,
  createStageTasks,
  pauseTaskSla,
  resumeTaskSla,
  type StageTaskTemplate,
  taskFacts,
} from './stage-tasks.ts';
export { tasksRoutes } from './tasks.routes.ts';
export { completeTask, listTasks, startTask } from './tasks.service.ts';
export { mayWorkForTeam, TEAMS, type Team, teamOfRole } from './teams.ts';
