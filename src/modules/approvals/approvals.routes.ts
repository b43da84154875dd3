import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { inboxQuerySchema, inboxSchema } from './approvals.schemas.ts';
import { approvalsInbox } from './approvals.service.ts';

export async function approvalsRoutes(app: App, deps: Deps): Promise<void> {
  app.get(
    '/api/v1/approvals',
    {
      config: { access: 'approvals.read' },
      schema: {
        tags: ['approvals'],
        summary: 'What is waiting on me: terms I may approve and documents to review, oldest first',
        querystring: inboxQuerySchema,
        response: { 200: inboxSchema },
      },
    },
    async (req) => approvalsInbox(deps.store, ctxOf(req), req.query),
  );
}
