// System: health and readiness of the instance.
import { z } from 'zod';
import { ping } from '../../platform/db/index.ts';
import type { App, Deps } from '../../platform/http/types.ts';

export async function systemRoutes(app: App, deps: Deps): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Health: 200 when the database answers, 503 when it does not',
        response: { 200: z.object({ status: z.literal('ok'), database: z.string() }), 503: z.object({ status: z.literal('unavailable'), database: z.string() }) },
      },
    },
    async (_req, reply) => {
      const ok = await ping(deps.store.db);
      if (!ok) return reply.code(503).send({ status: 'unavailable' as const, database: deps.store.dialect });
      return { status: 'ok' as const, database: deps.store.dialect };
    },
  );
}
