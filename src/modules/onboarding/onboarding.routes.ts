// HTTP routes of onboarding: a partner's onboarding page and its moves, gate ticks, the handover record,
// checklist templates, and the staff views across partners (pipeline, stalled, timelines, terminated).
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import {
  acknowledgeBodySchema,
  acknowledgeResultSchema,
  advanceBodySchema,
  backBodySchema,
  handoverViewSchema,
  itemParamsSchema,
  onboardingViewSchema,
  partnerParamsSchema,
  pipelineQuerySchema,
  pipelineSchema,
  publishTemplateBodySchema,
  reasonBodySchema,
  stalledQuerySchema,
  stalledSchema,
  templateListSchema,
  templateViewSchema,
  terminatedQuerySchema,
  terminatedSchema,
  tickBodySchema,
  timelinesQuerySchema,
  timelinesSchema,
  typeParamsSchema,
  untickBodySchema,
  versionParamsSchema,
} from './onboarding.schemas.ts';
import {
  acknowledgeHandover,
  advancePartner,
  decidePartner,
  getHandover,
  getOnboarding,
  movePartnerBack,
  tickItem,
  untickItem,
} from './onboarding.service.ts';
import { pipeline, stalled, terminated, timelines } from './reports.service.ts';
import type { TemplateStages } from './template.ts';
import {
  getTemplateVersion,
  listCurrentTemplates,
  listTemplateVersions,
  publishTemplate,
} from './templates.service.ts';

export async function onboardingRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  const tags = ['onboarding'];
  const conflictNote = ' (409 names the current stage and the moves allowed from it)';

  app.get(
    '/api/v1/partners/:id/onboarding',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary:
          "A partner's onboarding: stage, time in stage, the gate with every item and why it is unmet, history",
        params: partnerParamsSchema,
        response: { 200: onboardingViewSchema },
      },
    },
    async (req) => getOnboarding(store, ctxOf(req), req.params.id),
  );

  app.post(
    '/api/v1/partners/:id/onboarding/advance',
    {
      config: { access: 'onboarding.advance' },
      schema: {
        tags,
        summary: 'Move the partner to the next stage through its gate (409 names every unmet blocking item)',
        params: partnerParamsSchema,
        body: advanceBodySchema.nullish(),
        response: { 200: onboardingViewSchema },
      },
    },
    async (req) => advancePartner(store, ctxOf(req), req.params.id, req.body ?? {}),
  );

  app.post(
    '/api/v1/partners/:id/onboarding/back',
    {
      config: { access: 'onboarding.advance' },
      schema: {
        tags,
        summary: `Move the partner back to an earlier stage, with a reason${conflictNote}`,
        params: partnerParamsSchema,
        body: backBodySchema,
        response: { 200: onboardingViewSchema },
      },
    },
    async (req) => movePartnerBack(store, ctxOf(req), req.params.id, req.body),
  );

  for (const move of ['reject', 'suspend', 'resume', 'offboard'] as const) {
    const what = {
      reject: 'Reject the partner (from any stage before active)',
      suspend: 'Suspend an active partner',
      resume: 'Resume a suspended partner (back to active)',
      offboard: 'Offboard the partner (from any state; final, history kept)',
    }[move];
    app.post(
      `/api/v1/partners/:id/onboarding/${move}`,
      {
        config: { access: 'onboarding.decide' },
        schema: {
          tags,
          summary: `${what}, with a reason${conflictNote}`,
          params: partnerParamsSchema,
          body: reasonBodySchema,
          response: { 200: onboardingViewSchema },
        },
      },
      async (req) => decidePartner(store, ctxOf(req), req.params.id, move, req.body),
    );
  }

  app.post(
    '/api/v1/partners/:id/onboarding/items/:itemKey/tick',
    {
      config: { access: 'onboarding.tick' },
      schema: {
        tags,
        summary:
          "Tick a manual item of the current gate (by the item's role), with an optional comment and evidence",
        params: itemParamsSchema,
        body: tickBodySchema.nullish(),
        response: { 200: onboardingViewSchema },
      },
    },
    async (req) => tickItem(store, ctxOf(req), req.params.id, req.params.itemKey, req.body ?? {}),
  );

  app.post(
    '/api/v1/partners/:id/onboarding/items/:itemKey/untick',
    {
      config: { access: 'onboarding.tick' },
      schema: {
        tags,
        summary: 'Untick a manual item of the current gate, with a reason',
        params: itemParamsSchema,
        body: untickBodySchema,
        response: { 200: onboardingViewSchema },
      },
    },
    async (req) => untickItem(store, ctxOf(req), req.params.id, req.params.itemKey, req.body),
  );

  app.get(
    '/api/v1/partners/:id/handover',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary: "The partner's latest handover record (staff only)",
        params: partnerParamsSchema,
        response: { 200: handoverViewSchema },
      },
    },
    async (req) => getHandover(store, ctxOf(req), req.params.id),
  );

  app.post(
    '/api/v1/partners/:id/handover/acknowledge',
    {
      config: { access: 'handover.acknowledge' },
      schema: {
        tags,
        summary:
          'Acknowledge the handover; the partner becomes active in the same step (409 names what else blocks, and nothing is recorded)',
        params: partnerParamsSchema,
        body: acknowledgeBodySchema.nullish(),
        response: { 200: acknowledgeResultSchema },
      },
    },
    async (req) => acknowledgeHandover(store, ctxOf(req), req.params.id, req.body ?? {}),
  );

  app.get(
    '/api/v1/onboarding/templates',
    {
      config: { access: 'onboarding.manage' },
      schema: {
        tags,
        summary: 'The current checklist template of every partner type',
        response: { 200: templateListSchema },
      },
    },
    async () => listCurrentTemplates(store),
  );

  app.get(
    '/api/v1/onboarding/templates/:type/versions',
    {
      config: { access: 'onboarding.manage' },
      schema: {
        tags,
        summary: "Every version of a partner type's checklist template, newest first",
        params: typeParamsSchema,
        response: { 200: templateListSchema },
      },
    },
    async (req) => listTemplateVersions(store, req.params.type),
  );

  app.get(
    '/api/v1/onboarding/templates/:type/versions/:version',
    {
      config: { access: 'onboarding.manage' },
      schema: {
        tags,
        summary: 'One version of a checklist template',
        params: versionParamsSchema,
        response: { 200: templateViewSchema },
      },
    },
    async (req) => getTemplateVersion(store, req.params.type, req.params.version),
  );

  app.put(
    '/api/v1/onboarding/templates/:type',
    {
      config: { access: 'onboarding.manage' },
      schema: {
        tags,
        summary:
          'Publish a new version of a partner type’s checklist template (gates entered from now on use it)',
        params: typeParamsSchema,
        body: publishTemplateBodySchema,
        response: { 201: templateViewSchema },
      },
    },
    async (req, reply) => {
      const view = await publishTemplate(store, ctxOf(req), req.params.type, {
        stages: req.body.stages as TemplateStages,
        note: req.body.note ?? null,
      });
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/api/v1/onboarding/pipeline',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary:
          'The pipeline board: partners per stage with days in stage, blocking items, owner and open tasks (staff)',
        querystring: pipelineQuerySchema,
        response: { 200: pipelineSchema },
      },
    },
    async (req) => pipeline(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/onboarding/stalled',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary: 'Partners over N days (default 14) in their current onboarding stage or suspended (staff)',
        querystring: stalledQuerySchema,
        response: { 200: stalledSchema },
      },
    },
    async (req) => stalled(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/onboarding/timelines',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary:
          'Activation timelines: per partner and per stage, medians per stage and per BDM, as of any instant (staff)',
        querystring: timelinesQuerySchema,
        response: { 200: timelinesSchema },
      },
    },
    async (req) => timelines(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/onboarding/terminated',
    {
      config: { access: 'onboarding.read' },
      schema: {
        tags,
        summary: 'Offboarded partners with when and why, and whether they had been active (staff)',
        querystring: terminatedQuerySchema,
        response: { 200: terminatedSchema },
      },
    },
    async (req) => terminated(store, ctxOf(req), req.query),
  );
}
