// HTTP routes for versioned terms and the approval authority matrix. There is deliberately no PATCH or PUT on
// a version: an approved version is never edited; a change is a new version.
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { getAuthority, replaceAuthority } from './authority.service.ts';
import {
  acceptBodySchema,
  authorityBodySchema,
  authorityViewSchema,
  currentTermsQuerySchema,
  decisionBodySchema,
  listTermsQuerySchema,
  partnerParamsSchema,
  proposeTermsBodySchema,
  rejectBodySchema,
  termsListSchema,
  termsParamsSchema,
  termsVersionSchema,
} from './terms.schemas.ts';
import {
  acceptTerms,
  approveTerms,
  createTermsProposal,
  currentTerms,
  getTerms,
  listTerms,
  rejectTerms,
  withdrawTerms,
} from './terms.service.ts';

export async function termsRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  const tags = ['terms'];

  app.get(
    '/api/v1/partners/:id/terms',
    {
      config: { access: 'terms.read' },
      schema: {
        tags,
        summary: "List a partner's terms versions, newest first",
        params: partnerParamsSchema,
        querystring: listTermsQuerySchema,
        response: { 200: termsListSchema },
      },
    },
    async (req) => listTerms(store, ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/api/v1/partners/:id/terms',
    {
      config: { access: 'terms.propose' },
      schema: {
        tags,
        summary: 'Propose a new terms version (pending approval by the role the authority matrix requires)',
        params: partnerParamsSchema,
        body: proposeTermsBodySchema,
        response: { 201: termsVersionSchema },
      },
    },
    async (req, reply) => {
      const view = await createTermsProposal(store, ctxOf(req), req.params.id, req.body);
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/api/v1/partners/:id/terms/current',
    {
      config: { access: 'terms.read' },
      schema: {
        tags,
        summary:
          'The terms in force on a date: approved, accepted by the partner, newest version effective by then',
        params: partnerParamsSchema,
        querystring: currentTermsQuerySchema,
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => currentTerms(store, ctxOf(req), req.params.id, req.query.at),
  );

  app.get(
    '/api/v1/partners/:id/terms/:termsId',
    {
      config: { access: 'terms.read' },
      schema: {
        tags,
        summary: 'One terms version, with its summary and its difference from the version before',
        params: termsParamsSchema,
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => getTerms(store, ctxOf(req), req.params.id, req.params.termsId),
  );

  app.post(
    '/api/v1/partners/:id/terms/:termsId/approve',
    {
      config: { access: 'terms.approve' },
      schema: {
        tags,
        summary: 'Approve a pending version (not your own proposal; your role must reach the required role)',
        params: termsParamsSchema,
        body: decisionBodySchema.nullish(),
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => approveTerms(store, ctxOf(req), req.params.id, req.params.termsId, req.body ?? {}),
  );

  app.post(
    '/api/v1/partners/:id/terms/:termsId/reject',
    {
      config: { access: 'terms.approve' },
      schema: {
        tags,
        summary: 'Reject a pending version with a reason',
        params: termsParamsSchema,
        body: rejectBodySchema,
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => rejectTerms(store, ctxOf(req), req.params.id, req.params.termsId, req.body),
  );

  app.post(
    '/api/v1/partners/:id/terms/:termsId/withdraw',
    {
      config: { access: 'terms.read' },
      schema: {
        tags,
        summary:
          'Withdraw a version still pending approval (its proposer, or someone who may change any partner)',
        params: termsParamsSchema,
        body: decisionBodySchema.nullish(),
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => withdrawTerms(store, ctxOf(req), req.params.id, req.params.termsId, req.body ?? {}),
  );

  app.post(
    '/api/v1/partners/:id/terms/:termsId/accept',
    {
      config: { access: 'terms.record_acceptance' },
      schema: {
        tags,
        summary:
          "Record the partner's acceptance of approved terms (a partner user itself, or staff on its behalf with a note)",
        params: termsParamsSchema,
        body: acceptBodySchema.nullish(),
        response: { 200: termsVersionSchema },
      },
    },
    async (req) => acceptTerms(store, ctxOf(req), req.params.id, req.params.termsId, req.body ?? {}),
  );

  app.get(
    '/api/v1/approval-authority',
    {
      config: { access: 'terms.read' },
      schema: {
        tags,
        summary:
          'The approval authority matrix: how far BDMs and Team Leads may approve, per currency and metric',
        response: { 200: authorityViewSchema },
      },
    },
    async (req) => getAuthority(store, ctxOf(req)),
  );

  app.put(
    '/api/v1/approval-authority',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags,
        summary: 'Replace the whole approval authority matrix (rows not listed are removed)',
        body: authorityBodySchema,
        response: { 200: authorityViewSchema },
      },
    },
    async (req) => replaceAuthority(store, ctxOf(req), req.body),
  );
}
