import { z } from 'zod';
import { emailSchema, phoneSchema } from './partner.schemas.ts';
import { CONTACT_ROLES } from './reference-data.ts';

export const contactCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email: emailSchema.nullable().optional(),
    phone: phoneSchema.nullable().optional(),
    role: z.enum(CONTACT_ROLES).default('other'),
    isPrimary: z
      .boolean()
      .default(false)
      .describe('At most one primary contact per partner: setting one unsets the other.'),
  })
  .meta({ id: 'ContactCreate' });
export type ContactCreate = z.input<typeof contactCreateSchema>;

export const contactPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    email: emailSchema.nullable().optional(),
    phone: phoneSchema.nullable().optional(),
    role: z.enum(CONTACT_ROLES).optional(),
    isPrimary: z.boolean().optional(),
  })
  .meta({ id: 'ContactPatch' });
export type ContactPatch = z.input<typeof contactPatchSchema>;

export const contactViewSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    role: z.enum(CONTACT_ROLES),
    isPrimary: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Contact' });
export type ContactView = z.infer<typeof contactViewSchema>;

export const contactListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(100).optional(),
});

export const contactListSchema = z
  .object({ data: z.array(contactViewSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ContactList' });

export const contactParamsSchema = z.object({
  id: z.string().min(1).max(64),
  contactId: z.string().min(1).max(64),
});
