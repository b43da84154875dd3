import { z } from 'zod';

export const timelineItemSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    at: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    actor: z.object({
      type: z.enum(['user', 'api_key', 'system']),
      id: z.string(),
      name: z.string().describe('The user name, the API key name, or "system".'),
    }),
    changes: z
      .object({
        before: z.record(z.string(), z.unknown()).nullable(),
        after: z.record(z.string(), z.unknown()).nullable(),
      })
      .nullable(),
    reason: z.string().nullable(),
    erased: z
      .boolean()
      .describe('True when the personal data of this entry was erased; it then carries no data.'),
  })
  .meta({ id: 'TimelineItem' });
export type TimelineItem = z.infer<typeof timelineItemSchema>;

export const timelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(100).optional(),
});

export const timelineSchema = z
  .object({ data: z.array(timelineItemSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'Timeline' });
