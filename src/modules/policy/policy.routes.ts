import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { buildCatalogue, MAIN_STAGES, PARTNER_KINDS, PARTNER_TYPES, SIDE_STAGES } from './catalogue.ts';
import { partnerMandatoryFields } from './mandatory-fields.ts';
import {
  currentPolicySchema,
  evaluationSchema,
  listQuerySchema,
  partnerParamsSchema,
  policySchema,
  publishBodySchema,
  versionListSchema,
  versionParamsSchema,
} from './policy.schemas.ts';
import {
  currentPolicy,
  getPolicyVersion,
  listPolicyVersions,
  loadActiveCustomFields,
  type PolicyVersion,
  publishPolicy,
} from './policy.service.ts';

function present(p: PolicyVersion) {
  return { ...p, rules: p.rules.map((r) => ({ ...r, partnerKind: r.partnerKind ?? null })) };
}

export async function policyRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;

  app.get(
    '/api/v1/policy/mandatory-fields',
    {
      config: { access: 'partners.read' },
      schema: {
        tags: ['policy'],
        summary: 'The mandatory-field policy in force, with the catalogue of fields it may require',
        response: { 200: currentPolicySchema },
      },
    },
    async () => {
      const [policy, customFields] = await Promise.all([
        currentPolicy(store.db),
        loadActiveCustomFields(store.db),
      ]);
      return {
        ...present(policy),
        catalogue: buildCatalogue(customFields),
        partnerTypes: [...PARTNER_TYPES],
        partnerKinds: [...PARTNER_KINDS],
        stages: [...MAIN_STAGES],
        sideStages: [...SIDE_STAGES],
      };
    },
  );

  app.put(
    '/api/v1/policy/mandatory-fields',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['policy'],
        summary: 'Publish a new version of the mandatory-field policy (previous versions are kept unchanged)',
        body: publishBodySchema,
        response: { 200: policySchema },
      },
    },
    async (req) => present(await publishPolicy(store, ctxOf(req), req.body)),
  );

  app.get(
    '/api/v1/policy/mandatory-fields/versions',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['policy'],
        summary: 'Versions of the mandatory-field policy, newest first',
        querystring: listQuerySchema,
        response: { 200: versionListSchema },
      },
    },
    async (req) => listPolicyVersions(store, ctxOf(req), req.query),
  );

  app.get(
    '/api/v1/policy/mandatory-fields/versions/:version',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['policy'],
        summary: 'One version of the mandatory-field policy',
        params: versionParamsSchema,
        response: { 200: policySchema },
      },
    },
    async (req) => present(await getPolicyVersion(store.db, req.params.version)),
  );

  app.get(
    '/api/v1/partners/:id/mandatory-fields',
    {
      config: { access: 'partners.read' },
      schema: {
        tags: ['policy', 'partners'],
        summary: "Which mandatory fields the partner's current and next stage require, and which are missing",
        params: partnerParamsSchema,
        response: { 200: evaluationSchema },
      },
    },
    async (req) => partnerMandatoryFields(store, ctxOf(req), req.params.id),
  );
}
