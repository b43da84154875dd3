// The click story's response: the Click object of links.schemas.ts plus what happened to the raw click.
import { z } from 'zod';
import { clickSchema } from './links.schemas.ts';

export const clickStorySchema = clickSchema
  .extend({
    raw: z
      .enum(['stored', 'pruned', 'not_stored'])
      .describe(
        "stored: the raw click is below. pruned: click retention deleted raw clicks older than the run's cutoff, " +
          'and this click is older; time, link and partner come from the verified id. not_stored: no raw click ' +
          'and no retention run covers its time (it was never committed, e.g. the visitor was answered 503).',
      ),
    pruned: z
      .object({
        at: z.string().describe('When the retention run recorded its summary'),
        cutoff: z.string().describe('Raw clicks before this time were deleted'),
      })
      .nullable()
      .describe('The retention run that deleted the raw click (raw = pruned), otherwise null'),
    note: z.string().nullable().describe('What the answer rests on when the raw click is not stored'),
  })
  .meta({ id: 'ClickStory' });
