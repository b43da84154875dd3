import { createReadStream } from 'node:fs';
import { AppError } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { documentStorage, sweepStaleTemp } from './document-files.ts';
import {
  archiveBodySchema,
  documentListSchema,
  documentParamsSchema,
  documentSchema,
  listQuerySchema,
  partnerParamsSchema,
  queueListSchema,
  queueQuerySchema,
  reviewBodySchema,
} from './documents.schemas.ts';
import {
  archiveDocument,
  getDocument,
  listDocuments,
  openDocumentFile,
  reviewDocument,
  reviewQueue,
  type UploadPart,
  uploadDocument,
} from './documents.service.ts';

const STALE_TEMP_MS = 24 * 3600_000;

export async function documentRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;
  const storage = documentStorage(config.dataDir);
  // Temp files older than a day were left by a crash mid-upload; nothing refers to them.
  await sweepStaleTemp(storage, STALE_TEMP_MS).catch(() => 0);

  app.post(
    '/api/v1/partners/:id/documents',
    {
      config: { access: 'documents.upload' },
      schema: {
        tags: ['documents'],
        summary: 'Upload a document (multipart/form-data)',
        description:
          'multipart/form-data with a `file` part (PDF, PNG, JPEG or WebP; its content must match its declared type) ' +
          'and the fields `type` (identity, proof_of_address, incorporation, ubo_declaration, agreement, tax_form, ' +
          `other), optional \`expiresOn\` (YYYY-MM-DD, not in the past) and optional \`note\`. At most ${config.maxUploadBytes} bytes.`,
        params: partnerParamsSchema,
        response: { 201: documentSchema },
      },
    },
    async (req, reply) => {
      const doc = await uploadDocument(
        store,
        storage,
        ctxOf(req),
        req.params.id,
        { isMultipart: req.isMultipart(), parts: () => req.parts() as AsyncIterable<UploadPart> },
        { maxBytes: config.maxUploadBytes },
      );
      return reply.code(201).send(doc);
    },
  );

  app.get(
    '/api/v1/partners/:id/documents',
    {
      config: { access: 'documents.read' },
      schema: {
        tags: ['documents'],
        summary: "List a partner's documents, newest first",
        params: partnerParamsSchema,
        querystring: listQuerySchema,
        response: { 200: documentListSchema },
      },
    },
    async (req) => listDocuments(store, ctxOf(req).actor, req.params.id, req.query),
  );

  app.get(
    '/api/v1/partners/:id/documents/:docId',
    {
      config: { access: 'documents.read' },
      schema: {
        tags: ['documents'],
        summary: "A document's details",
        params: documentParamsSchema,
        response: { 200: documentSchema },
      },
    },
    async (req) => getDocument(store, ctxOf(req).actor, req.params.id, req.params.docId),
  );

  app.get(
    '/api/v1/partners/:id/documents/:docId/download',
    {
      config: { access: 'documents.read' },
      schema: {
        tags: ['documents'],
        summary: "Download a document's file (checked against its recorded size and SHA-256 first)",
        params: documentParamsSchema,
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      let file: Awaited<ReturnType<typeof openDocumentFile>>;
      try {
        file = await openDocumentFile(store, storage, ctx.actor, req.params.id, req.params.docId);
      } catch (err) {
        if (err instanceof AppError && err.code === 'gone') {
          req.log.error(
            { documentId: req.params.docId, reason: err.extra.reason },
            'document file unavailable',
          );
        }
        throw err;
      }
      return reply
        .type(file.contentType)
        .header('content-length', String(file.sizeBytes))
        .header('content-disposition', file.contentDisposition)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
        .send(createReadStream(file.path));
    },
  );

  app.post(
    '/api/v1/partners/:id/documents/:docId/review',
    {
      config: { access: 'documents.review' },
      schema: {
        tags: ['documents'],
        summary: 'Approve or reject a document (not your own upload; a reason is required to reject)',
        params: documentParamsSchema,
        body: reviewBodySchema,
        response: { 200: documentSchema },
      },
    },
    async (req) => reviewDocument(store, ctxOf(req), req.params.id, req.params.docId, req.body),
  );

  app.post(
    '/api/v1/partners/:id/documents/:docId/archive',
    {
      // Either documents.review, or documents.upload with the right to change the partner: the service decides.
      config: { access: 'authenticated' },
      schema: {
        tags: ['documents'],
        summary: 'Archive a document (its file is kept)',
        params: documentParamsSchema,
        body: archiveBodySchema,
        response: { 200: documentSchema },
      },
    },
    async (req) => archiveDocument(store, ctxOf(req), req.params.id, req.params.docId, req.body.reason),
  );

  app.get(
    '/api/v1/documents',
    {
      config: { access: 'documents.review' },
      schema: {
        tags: ['documents'],
        summary: 'The document review queue across partners (pending by default), newest first',
        querystring: queueQuerySchema,
        response: { 200: queueListSchema },
      },
    },
    async (req) => reviewQueue(store, ctxOf(req).actor, req.query),
  );
}
