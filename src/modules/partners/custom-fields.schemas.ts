import { z } from 'zod';
import { CUSTOM_FIELD_TYPES, PARTNER_TYPES } from './reference-data.ts';

export const CUSTOM_FIELD_KEY_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const optionsSchema = z
  .array(z.string().trim().min(1).max(100))
  .max(100)
  .describe('The allowed values of a select field (required for select, empty for other types).');
const partnerTypesSchema = z
  .array(z.enum(PARTNER_TYPES))
  .max(PARTNER_TYPES.length)
  .describe('The partner types the field applies to; empty means every type.');

export const customFieldCreateSchema = z
  .strictObject({
    key: z
      .string()
      .trim()
      .max(40)
      .regex(
        CUSTOM_FIELD_KEY_RE,
        'must be a snake_case slug (a-z, 0-9, single underscores, starting with a letter)',
      ),
    label: z.string().trim().min(1).max(100),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: optionsSchema.optional(),
    partnerTypes: partnerTypesSchema.optional(),
  })
  .meta({ id: 'CustomFieldCreate' });
export type CustomFieldCreate = z.input<typeof customFieldCreateSchema>;

export const customFieldPatchSchema = z
  .strictObject({
    label: z.string().trim().min(1).max(100).optional(),
    options: optionsSchema.optional(),
    partnerTypes: partnerTypesSchema.optional(),
    key: z.never({ error: 'the key cannot change once values may be stored under it' }).optional(),
    type: z.never({ error: 'the type cannot change once values may be stored under it' }).optional(),
  })
  .meta({ id: 'CustomFieldPatch' });
export type CustomFieldPatch = z.input<typeof customFieldPatchSchema>;

export const customFieldViewSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    label: z.string(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: z.array(z.string()),
    partnerTypes: z.array(z.string()),
    createdAt: z.string(),
    archivedAt: z.string().nullable(),
  })
  .meta({ id: 'CustomField' });
export type CustomFieldView = z.infer<typeof customFieldViewSchema>;

export const customFieldListQuerySchema = z.object({
  archived: z.enum(['false', 'true', 'all']).default('false'),
});
