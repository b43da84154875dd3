import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import {
  auditListQuerySchema,
  auditListSchema,
  auditVerifySchema,
  erasureBodySchema,
  erasureResultSchema,
} from './audit.schemas.ts';
import { erasePersonalData, listAudit, verifyAudit } from './audit.service.ts';

export async function auditRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;

  app.get(
    '/api/v1/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first (filter by entity, partner, actor, action and time)',
        querystring: auditListQuerySchema,
        response: { 200: auditListSchema },
      },
    },
    async (req) => listAudit(store, ctxOf(req).actor, req.query),
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: "Verify the audit log's hash chain; names the first altered, missing or reordered entry",
        response: { 200: auditVerifySchema },
      },
    },
    async (req) => verifyAudit(store, ctxOf(req).actor),
  );

  app.post(
    '/api/v1/audit/erasure',
    {
      config: { access: 'audit.erase' },
      schema: {
        tags: ['audit'],
        summary: 'Erase the personal data in every audit entry about one entity (the chain stays verifiable)',
        body: erasureBodySchema,
        response: { 200: erasureResultSchema },
      },
    },
    async (req) => erasePersonalData(store, ctxOf(req), req.body),
  );
}
