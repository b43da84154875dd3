// HTTP routes of the partners module. Each handler maps the request and calls the service, which checks the
// permission again together with the object-level rule (loadPartnerFor).
import { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import {
  contactCreateSchema,
  contactListQuerySchema,
  contactListSchema,
  contactParamsSchema,
  contactPatchSchema,
  contactViewSchema,
} from './contacts.schemas.ts';
import { createContact, deleteContact, listContacts, updateContact } from './contacts.service.ts';
import {
  customFieldCreateSchema,
  customFieldListQuerySchema,
  customFieldPatchSchema,
  customFieldViewSchema,
} from './custom-fields.schemas.ts';
import {
  archiveCustomField,
  createCustomField,
  listCustomFields,
  updateCustomField,
} from './custom-fields.service.ts';
import {
  archiveBodySchema,
  partnerCreateBodySchema,
  partnerFilterSchema,
  partnerIdParamsSchema,
  partnerListQuerySchema,
  partnerListSchema,
  partnerPatchSchema,
  partnerViewSchema,
} from './partner.schemas.ts';
import {
  archivePartner,
  createPartner,
  getPartner,
  restorePartner,
  updatePartner,
} from './partner.service.ts';
import { exportPartnersCsv, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, importPartnersCsv } from './partner-csv.ts';
import { listPartners } from './partner-list.ts';
import { OWNER_ROLES } from './reference-data.ts';
import { timelineQuerySchema, timelineSchema } from './timeline.schemas.ts';
import { partnerTimeline } from './timeline.service.ts';

const importReportSchema = z
  .object({
    dryRun: z.boolean(),
    total: z.number().int(),
    valid: z.number().int(),
    invalid: z.number().int(),
    errors: z.array(
      z.object({
        row: z.number().int().describe('The row as a spreadsheet numbers it (the header is row 1).'),
        field: z.string().describe('The CSV column.'),
        message: z.string(),
      }),
    ),
    created: z.array(z.string()).describe('Ids of the created partners (empty for a dry run).'),
  })
  .meta({ id: 'PartnerImportReport' });

export async function partnersRoutes(app: App, deps: Deps): Promise<void> {
  const { store } = deps;
  const tags = ['partners'];

  app.post(
    '/api/v1/partners',
    {
      config: { access: 'partners.create' },
      schema: {
        tags,
        summary: 'Create a partner (starts at stage intake; a BDM becomes its owner by default)',
        body: partnerCreateBodySchema,
        response: { 201: partnerViewSchema },
      },
    },
    async (req, reply) => {
      const { stage: _ignored, ...input } = req.body;
      const view = await createPartner(store, ctxOf(req), input);
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/api/v1/partner-owners',
    {
      config: { access: 'partners.read' },
      schema: {
        tags,
        summary: 'Who can own partners: active BDMs, Team Leads, Leadership and admins (id, name, role)',
        response: {
          200: z.object({
            data: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(OWNER_ROLES) })),
          }),
        },
      },
    },
    async (req) => ({ data: await listPartnerOwners(store.db, ctxOf(req).actor) }),
  );

  app.get(
    '/api/v1/partners',
    {
      config: { access: 'partners.read' },
      schema: {
        tags,
        summary: 'List partners: search, filters, sort and keyset paging',
        querystring: partnerListQuerySchema,
        response: { 200: partnerListSchema },
      },
    },
    async (req) => listPartners(store.db, ctxOf(req).actor, req.query),
  );

  app.get(
    '/api/v1/partners/export.csv',
    {
      config: { access: 'partners.export' },
      schema: {
        tags,
        summary: 'Export partners as CSV (the list filters apply; formula cells are defused)',
        querystring: partnerFilterSchema,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => {
      const chunks = await exportPartnersCsv(store, ctxOf(req), req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="partners.csv"')
        .header('cache-control', 'no-store')
        .send(Readable.from(chunks));
    },
  );

  await app.register(async (scope) => {
    // CSV bodies are read only by the import route, so the parser lives in this scope, not globally.
    const csvScope = scope.withTypeProvider<ZodTypeProvider>();
    csvScope.addContentTypeParser(
      ['text/csv', 'text/plain'],
      { parseAs: 'string', bodyLimit: IMPORT_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );
    csvScope.post(
      '/api/v1/partners/import',
      {
        bodyLimit: IMPORT_MAX_BYTES,
        config: { access: 'partners.import' },
        schema: {
          tags,
          summary: 'Import partners from CSV (dry run reports only; a real import writes all rows or none)',
          description:
            `A text/csv body (up to ${IMPORT_MAX_BYTES / 1024 / 1024} MB, ${IMPORT_MAX_ROWS} rows) whose header uses the export's ` +
            'column names. displayName is required; ownerEmail names the owner; parentReferralCode names the parent, ' +
            'which may be a row earlier in the file. id, stage and createdAt are ignored. Lists are space-separated.',
          consumes: ['text/csv'],
          querystring: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
          body: z.string(),
          response: { 200: importReportSchema, 201: importReportSchema },
        },
      },
      async (req, reply) => {
        const dryRun = req.query.dryRun === 'true';
        const report = await importPartnersCsv(store, ctxOf(req), req.body, dryRun);
        return reply.code(dryRun ? 200 : 201).send(report);
      },
    );
  });

  app.get(
    '/api/v1/partners/:id',
    {
      config: { access: 'partners.read' },
      schema: {
        tags,
        summary: 'One partner',
        params: partnerIdParamsSchema,
        response: { 200: partnerViewSchema },
      },
    },
    async (req) => getPartner(store.db, ctxOf(req), req.params.id),
  );

  app.patch(
    '/api/v1/partners/:id',
    {
      config: { access: 'partners.update' },
      schema: {
        tags,
        summary: 'Change a partner (send version to refuse the change when someone else changed it first)',
        params: partnerIdParamsSchema,
        body: partnerPatchSchema,
        response: { 200: partnerViewSchema },
      },
    },
    async (req) => updatePartner(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/partners/:id/archive',
    {
      config: { access: 'partners.archive' },
      schema: {
        tags,
        summary: 'Archive a partner (optional reason)',
        params: partnerIdParamsSchema,
        body: archiveBodySchema,
        response: { 200: partnerViewSchema },
      },
    },
    async (req) => archivePartner(store, ctxOf(req), req.params.id, req.body?.reason ?? null),
  );

  app.post(
    '/api/v1/partners/:id/restore',
    {
      config: { access: 'partners.archive' },
      schema: {
        tags,
        summary: 'Restore an archived partner (optional reason)',
        params: partnerIdParamsSchema,
        body: archiveBodySchema,
        response: { 200: partnerViewSchema },
      },
    },
    async (req) => restorePartner(store, ctxOf(req), req.params.id, req.body?.reason ?? null),
  );

  app.get(
    '/api/v1/partners/:id/timeline',
    {
      config: { access: 'timeline.read' },
      schema: {
        tags,
        summary: "The partner's timeline: its audit entries, newest first",
        params: partnerIdParamsSchema,
        querystring: timelineQuerySchema,
        response: { 200: timelineSchema },
      },
    },
    async (req) => partnerTimeline(store.db, ctxOf(req), req.params.id, req.query),
  );

  // Contacts
  app.get(
    '/api/v1/partners/:id/contacts',
    {
      config: { access: 'partners.read' },
      schema: {
        tags: ['contacts'],
        summary: "A partner's contacts",
        params: partnerIdParamsSchema,
        querystring: contactListQuerySchema,
        response: { 200: contactListSchema },
      },
    },
    async (req) => listContacts(store.db, ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/api/v1/partners/:id/contacts',
    {
      config: { access: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Add a contact',
        params: partnerIdParamsSchema,
        body: contactCreateSchema,
        response: { 201: contactViewSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createContact(store, ctxOf(req), req.params.id, req.body)),
  );

  app.patch(
    '/api/v1/partners/:id/contacts/:contactId',
    {
      config: { access: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Change a contact',
        params: contactParamsSchema,
        body: contactPatchSchema,
        response: { 200: contactViewSchema },
      },
    },
    async (req) => updateContact(store, ctxOf(req), req.params.id, req.params.contactId, req.body),
  );

  app.delete(
    '/api/v1/partners/:id/contacts/:contactId',
    {
      config: { access: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Remove a contact',
        params: contactParamsSchema,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteContact(store, ctxOf(req), req.params.id, req.params.contactId);
      return reply.code(204).send(null);
    },
  );

  // Custom field definitions
  app.get(
    '/api/v1/custom-fields',
    {
      config: { access: 'partners.read' },
      schema: {
        tags: ['custom fields'],
        summary: 'Custom field definitions for partners',
        querystring: customFieldListQuerySchema,
        response: { 200: z.object({ data: z.array(customFieldViewSchema), nextCursor: z.null() }) },
      },
    },
    async (req) => ({
      data: await listCustomFields(store.db, ctxOf(req), req.query.archived),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/custom-fields',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['custom fields'],
        summary: 'Define a custom field',
        body: customFieldCreateSchema,
        response: { 201: customFieldViewSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await createCustomField(store, ctxOf(req), req.body)),
  );

  app.patch(
    '/api/v1/custom-fields/:id',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['custom fields'],
        summary: 'Change a custom field (label, options, partner types)',
        params: partnerIdParamsSchema,
        body: customFieldPatchSchema,
        response: { 200: customFieldViewSchema },
      },
    },
    async (req) => updateCustomField(store, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/custom-fields/:id/archive',
    {
      config: { access: 'policy.manage' },
      schema: {
        tags: ['custom fields'],
        summary: 'Archive a custom field (stored values stay; no new values)',
        params: partnerIdParamsSchema,
        response: { 200: customFieldViewSchema },
      },
    },
    async (req) => archiveCustomField(store, ctxOf(req), req.params.id),
  );
}

/** The people a partner can be assigned to; names only, so BDMs without users.read can pick an owner. */
async function listPartnerOwners(db: Kysely<DB>, actor: Actor) {
  // Partner-side users see no staff list (their own owner appears on their partner record).
  if (actor.role === 'partner' || actor.partnerId) return [];
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'role'])
    .where('status', '=', 'active')
    .where('role', 'in', [...OWNER_ROLES])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as (typeof OWNER_ROLES)[number] }));
}
