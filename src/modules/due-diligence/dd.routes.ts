// HTTP routes of due diligence, documentation requests, restricted countries, payout details and risk flags.
// Routes map the request and call the service; every object rule lives in the services.
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import {
  answerBodySchema,
  caseSchema,
  decisionBodySchema,
  docRequestListSchema,
  docRequestSchema,
  dueDiligenceStateSchema,
  openCaseBodySchema,
  partnerParamsSchema,
  partyBodySchema,
  partyParamsSchema,
  partyPatchSchema,
  patchCaseBodySchema,
  requestParamsSchema,
  restrictedBodySchema,
  restrictedListSchema,
  screeningBodySchema,
  websiteReviewBodySchema,
} from './dd.schemas.ts';
import {
  addParty,
  addWebsiteReview,
  answerRequest,
  decide,
  getDueDiligence,
  listRequests,
  openCase,
  recordScreening,
  removeParty,
  updateCase,
  updateParty,
} from './dd.service.ts';
import {
  payoutDetailsBodySchema,
  payoutDetailsStateSchema,
  verifyBodySchema,
} from './payout-details.schemas.ts';
import { getPayoutDetails, putPayoutDetails, verifyPayoutDetails } from './payout-details.service.ts';
import { getRestrictedCountries, replaceRestrictedCountries } from './restricted-countries.service.ts';
import {
  listRiskFlagsQuerySchema,
  raiseRiskFlagBodySchema,
  resolveRiskFlagBodySchema,
  riskFlagListSchema,
  riskFlagParamsSchema,
  riskFlagSchema,
} from './risk-flags.schemas.ts';
import { listRiskFlags, raiseRiskFlag, resolveRiskFlag } from './risk-flags.service.ts';

export async function dueDiligenceRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  const tags = ['due-diligence'];
  const base = '/api/v1/partners/:id/due-diligence';

  app.get(
    base,
    {
      config: { access: 'dd.read' },
      schema: {
        tags,
        summary: "The partner's due-diligence case (the latest; status none when there is none yet)",
        params: partnerParamsSchema,
        response: { 200: dueDiligenceStateSchema },
      },
    },
    async (req) => getDueDiligence(store, ctxOf(req), req.params.id),
  );

  app.post(
    base,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary: 'Open a case (KYC for individuals, KYB for companies); one undecided case per partner',
        params: partnerParamsSchema,
        body: openCaseBodySchema.nullish(),
        response: { 201: caseSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await openCase(store, ctxOf(req), req.params.id, req.body ?? {})),
  );

  app.patch(
    base,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary:
          'Record registration, documents (KYC), marketing methods, target countries or the regulated entity',
        params: partnerParamsSchema,
        body: patchCaseBodySchema,
        response: { 200: caseSchema },
      },
    },
    async (req) => updateCase(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    `${base}/parties`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary: 'Add a director, shareholder or beneficial owner (KYB)',
        params: partnerParamsSchema,
        body: partyBodySchema,
        response: { 201: caseSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await addParty(store, ctxOf(req), req.params.id, req.body)),
  );

  app.patch(
    `${base}/parties/:partyId`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary: 'Change a party of the open case',
        params: partyParamsSchema,
        body: partyPatchSchema,
        response: { 200: caseSchema },
      },
    },
    async (req) => updateParty(store, ctxOf(req), req.params.id, req.params.partyId, req.body),
  );

  app.delete(
    `${base}/parties/:partyId`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary: 'Remove a party that has no screening results',
        params: partyParamsSchema,
        response: { 200: caseSchema },
      },
    },
    async (req) => removeParty(store, ctxOf(req), req.params.id, req.params.partyId),
  );

  app.post(
    `${base}/screenings`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary:
          "Record the result of a sanctions/PEP/adverse-media screening run in the firm's screening tool",
        params: partnerParamsSchema,
        body: screeningBodySchema,
        response: { 201: caseSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await recordScreening(store, ctxOf(req), req.params.id, req.body)),
  );

  app.post(
    `${base}/website-reviews`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary: 'Record a website review (the latest review of a URL counts)',
        params: partnerParamsSchema,
        body: websiteReviewBodySchema,
        response: { 201: caseSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await addWebsiteReview(store, ctxOf(req), req.params.id, req.body)),
  );

  app.post(
    `${base}/decision`,
    {
      config: { access: 'dd.manage' },
      schema: {
        tags,
        summary:
          'Approve (409 naming every problem), reject, or request more documents (stops the SLA clock)',
        params: partnerParamsSchema,
        body: decisionBodySchema,
        response: { 200: caseSchema },
      },
    },
    async (req) => decide(store, ctxOf(req), req.params.id, req.body),
  );

  app.get(
    `${base}/requests`,
    {
      config: { access: 'dd.respond' },
      schema: {
        tags,
        summary: "The partner's documentation requests, newest first",
        params: partnerParamsSchema,
        response: { 200: docRequestListSchema },
      },
    },
    async (req) => listRequests(store, ctxOf(req), req.params.id),
  );

  app.post(
    `${base}/requests/:requestId/answer`,
    {
      config: { access: 'dd.respond' },
      schema: {
        tags,
        summary:
          'Answer a documentation request (owner BDM or the partner); resumes the clock when none is left open',
        params: requestParamsSchema,
        body: answerBodySchema,
        response: { 200: docRequestSchema },
      },
    },
    async (req) => answerRequest(store, ctxOf(req), req.params.id, req.params.requestId, req.body),
  );

  app.get(
    '/api/v1/restricted-countries',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags,
        summary: "The firm's restricted countries per regulated entity",
        response: { 200: restrictedListSchema },
      },
    },
    async (req) => getRestrictedCountries(store, ctxOf(req)),
  );

  app.put(
    '/api/v1/restricted-countries',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags,
        summary: 'Replace the restricted-country list of every entity',
        body: restrictedBodySchema,
        response: { 200: restrictedListSchema },
      },
    },
    async (req) => replaceRestrictedCountries(store, ctxOf(req), req.body),
  );

  const payoutTags = ['payout-details'];
  app.get(
    '/api/v1/partners/:id/payout-details',
    {
      config: { access: 'payouts.details_read' },
      schema: {
        tags: payoutTags,
        summary: 'Current payout details and every earlier version',
        params: partnerParamsSchema,
        response: { 200: payoutDetailsStateSchema },
      },
    },
    async (req) => getPayoutDetails(store, ctxOf(req), req.params.id),
  );

  app.put(
    '/api/v1/partners/:id/payout-details',
    {
      config: { access: 'payouts.details_write' },
      schema: {
        tags: payoutTags,
        summary: 'Set new payout details (a new version; verification starts again)',
        params: partnerParamsSchema,
        body: payoutDetailsBodySchema,
        response: { 200: payoutDetailsStateSchema },
      },
    },
    async (req) => putPayoutDetails(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/partners/:id/payout-details/verify',
    {
      config: { access: 'payouts.verify' },
      schema: {
        tags: payoutTags,
        summary: 'Verify the current payout details (not by the person who made them)',
        params: partnerParamsSchema,
        body: verifyBodySchema.nullish(),
        response: { 200: payoutDetailsStateSchema },
      },
    },
    async (req) => verifyPayoutDetails(store, ctxOf(req), req.params.id, req.body ?? {}),
  );

  const riskTags = ['risk-flags'];
  app.get(
    '/api/v1/risk-flags',
    {
      config: { access: 'risk.read' },
      schema: {
        tags: riskTags,
        summary: 'Risk flags, newest first',
        querystring: listRiskFlagsQuerySchema,
        response: { 200: riskFlagListSchema },
      },
    },
    async (req) => listRiskFlags(store, ctxOf(req), req.query),
  );

  app.post(
    '/api/v1/risk-flags',
    {
      config: { access: 'risk.manage' },
      schema: {
        tags: riskTags,
        summary: 'Raise a risk flag on a partner',
        body: raiseRiskFlagBodySchema,
        response: { 201: riskFlagSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await raiseRiskFlag(store, ctxOf(req), req.body)),
  );

  app.post(
    '/api/v1/risk-flags/:id/resolve',
    {
      config: { access: 'risk.manage' },
      schema: {
        tags: riskTags,
        summary: 'Resolve an open risk flag with a resolution',
        params: riskFlagParamsSchema,
        body: resolveRiskFlagBodySchema,
        response: { 200: riskFlagSchema },
      },
    },
    async (req) => resolveRiskFlag(store, ctxOf(req), req.params.id, req.body),
  );
}
