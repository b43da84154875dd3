// HTTP routes for tasks, "My work", SLA policies and the business calendar.
import { z } from 'zod';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { getCalendar, getPolicies, replaceCalendar, replacePolicies } from './sla.service.ts';
import {
  assignBodySchema,
  businessCalendarSchema,
  completeBodySchema,
  myWorkSchema,
  reopenBodySchema,
  slaPoliciesBodySchema,
  slaPoliciesSchema,
  startBodySchema,
  taskListQuerySchema,
  taskListSchema,
  taskParamsSchema,
  taskViewSchema,
} from './tasks.schemas.ts';
import {
  assignTask,
  completeTask,
  getTask,
  listTasks,
  myWork,
  reopenTask,
  startTask,
} from './tasks.service.ts';

export async function tasksRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  const tags = ['tasks'];

  app.get(
    '/api/v1/tasks',
    {
      config: { access: 'tasks.read' },
      schema: {
        tags,
        summary: 'List tasks by due time (filter by team, assignee, status, partner, stage, overdue)',
        querystring: taskListQuerySchema,
        response: { 200: taskListSchema },
      },
    },
    async (req) => listTasks(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/tasks/:id',
    {
      config: { access: 'tasks.read' },
      schema: {
        tags,
        summary: 'One task with its SLA state',
        params: taskParamsSchema,
        response: { 200: taskViewSchema },
      },
    },
    async (req) => getTask(store, ctxOf(req), req.params.id),
  );

  app.post(
    '/api/v1/tasks/:id/assign',
    {
      config: { access: 'tasks.work' },
      schema: {
        tags,
        summary: "Assign a task to someone of the task's team (or a team lead), or unassign it with null",
        params: taskParamsSchema,
        body: assignBodySchema,
        response: { 200: taskViewSchema },
      },
    },
    async (req) => assignTask(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/tasks/:id/start',
    {
      config: { access: 'tasks.work' },
      schema: {
        tags,
        summary: 'Start an open task (an unassigned task is taken by the person starting it)',
        params: taskParamsSchema,
        body: startBodySchema,
        response: { 200: taskViewSchema },
      },
    },
    async (req) => startTask(store, ctxOf(req), req.params.id, req.body ?? {}),
  );

  app.post(
    '/api/v1/tasks/:id/complete',
    {
      config: { access: 'tasks.work' },
      schema: {
        tags,
        summary: "Complete a task (a member of the task's team, a team lead or an admin)",
        params: taskParamsSchema,
        body: completeBodySchema,
        response: { 200: taskViewSchema },
      },
    },
    async (req) => completeTask(store, ctxOf(req), req.params.id, req.body ?? {}),
  );

  app.post(
    '/api/v1/tasks/:id/reopen',
    {
      config: { access: 'tasks.work' },
      schema: {
        tags,
        summary: 'Reopen a done task with a reason',
        params: taskParamsSchema,
        body: reopenBodySchema,
        response: { 200: taskViewSchema },
      },
    },
    async (req) => reopenTask(store, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/my-work',
    {
      config: { access: 'tasks.read' },
      schema: {
        tags,
        summary:
          'What waits on me: tasks assigned to me, then unassigned tasks of my team (overdue first, then by due time), and my approvals',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(100) }),
        response: { 200: myWorkSchema },
      },
    },
    async (req) => myWork(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/sla-policies',
    {
      config: { access: 'sla.manage' },
      schema: {
        tags,
        summary: 'SLA policies: business hours per team and task key (* = any task)',
        response: { 200: slaPoliciesSchema },
      },
    },
    async (req) => getPolicies(store, ctxOf(req)),
  );

  app.put(
    '/api/v1/sla-policies',
    {
      config: { access: 'sla.manage' },
      schema: {
        tags,
        summary:
          "Replace the SLA policies (every team keeps a '*' policy); applies to tasks created from now on",
        body: slaPoliciesBodySchema,
        response: { 200: slaPoliciesSchema },
      },
    },
    async (req) => replacePolicies(store, ctxOf(req), req.body),
  );

  app.get(
    '/api/v1/business-calendar',
    {
      config: { access: 'sla.manage' },
      schema: {
        tags,
        summary: 'The business calendar SLAs are counted in',
        response: { 200: businessCalendarSchema },
      },
    },
    async (req) => getCalendar(store, ctxOf(req)),
  );

  app.put(
    '/api/v1/business-calendar',
    {
      config: { access: 'sla.manage' },
      schema: {
        tags,
        summary: 'Replace the business calendar (time zone, working days and hours, holidays)',
        body: businessCalendarSchema,
        response: { 200: businessCalendarSchema },
      },
    },
    async (req) => replaceCalendar(store, ctxOf(req), req.body),
  );
}
