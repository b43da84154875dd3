// HTTP route of stats: GET /api/v1/stats (figures per day, partner, link and sub1 from the rollups).
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { statsQuerySchema, statsSchema } from './stats.schemas.ts';
import { readStats } from './stats.service.ts';

export async function statsRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  app.get(
    '/api/v1/stats',
    {
      config: { access: 'stats.read' },
      schema: {
        tags: ['stats'],
        summary:
          'Clicks, registrations, FTDs, deposits, lots and money per day, partner, link and sub1 (a partner user: its own)',
        querystring: statsQuerySchema,
        response: { 200: statsSchema },
      },
    },
    async (req) => readStats(store, ctxOf(req), req.query),
  );
}
