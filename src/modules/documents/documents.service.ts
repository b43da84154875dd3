// Partner documents: upload (streamed, checked, hashed, placed atomically with its row), listing, download,
// the four-eyes review by Compliance, archiving (the file is kept), the review queue, and the facts the
// onboarding gate asks about. Every service call checks the permission and the partner rule itself.
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../platform/auth/actor.ts';
import { assertCan } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/index.ts';
import type { DocumentsTable } from '../../platform/db/schema.ts';
import {
  AppError,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  invalidField,
  notFound,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, todayUtc } from '../../platform/time.ts';
import { type Store, writeTransaction } from '../../platform/tx.ts';
import { loadPartnerFor } from '../partners/index.ts';
import {
  type AllowedContentType,
  contentDisposition,
  type DocumentStorage,
  isAllowedContentType,
  matchesMagic,
  normalizeContentType,
  placeFile,
  removeQuietly,
  type StagedFile,
  sanitizeFileName,
  stageUpload,
  storageKeyOf,
  UploadStreamError,
  verifyStoredFile,
} from './document-files.ts';
import {
  DOCUMENT_TYPES,
  type DocumentStatus,
  type DocumentType,
  type DocumentView,
  type ListQuery,
  type QueueItemView,
  type QueueQuery,
  type ReviewInput,
  uploadFieldsSchema,
} from './documents.schemas.ts';

export type DocumentRow = DocumentsTable;
type Db = Kysely<DB>;

/** A document "expires soon" when it is still valid and expires within this many days. */
export const EXPIRES_SOON_DAYS = 30;

// ---------------------------------------------------------------------------------------------------------
// Presenting

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Expired: the expiry date is before today (a document is valid through its expiry date). */
export function expiryState(
  expiresOn: string | null,
  today: string = todayUtc(),
): { expired: boolean; expiresSoon: boolean } {
  if (!expiresOn) return { expired: false, expiresSoon: false };
  const expired = expiresOn < today;
  return { expired, expiresSoon: !expired && expiresOn <= addDays(today, EXPIRES_SOON_DAYS) };
}

interface Person {
  id: string;
  name: string;
  kind: 'user' | 'api_key' | 'partner' | 'system';
}

async function peopleById(db: Db, ids: string[]): Promise<Map<string, Person>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, Person>();
  const userIds = unique.filter((id) => id.startsWith('usr_'));
  const keyIds = unique.filter((id) => id.startsWith('key_'));
  if (userIds.length > 0) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name', 'partner_id'])
      .where('id', 'in', userIds)
      .execute();
    for (const r of rows) out.set(r.id, { id: r.id, name: r.name, kind: r.partner_id ? 'partner' : 'user' });
  }
  if (keyIds.length > 0) {
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'name', 'partner_id'])
      .where('id', 'in', keyIds)
      .execute();
    for (const r of rows)
      out.set(r.id, { id: r.id, name: r.name, kind: r.partner_id ? 'partner' : 'api_key' });
  }
  for (const id of unique) {
    if (!out.has(id))
      out.set(id, {
        id,
        name: id === 'system' ? 'System' : id,
        kind: id.startsWith('key_') ? 'api_key' : id === 'system' ? 'system' : 'user',
      });
  }
  return out;
}

function toView(row: DocumentRow, people: Map<string, Person>, today: string): DocumentView {
  const uploader = people.get(row.uploaded_by) ?? {
    id: row.uploaded_by,
    name: row.uploaded_by,
    kind: 'user' as const,
  };
  const reviewer = row.reviewed_by
    ? (people.get(row.reviewed_by) ?? { id: row.reviewed_by, name: row.reviewed_by, kind: 'user' as const })
    : null;
  return {
    id: row.id,
    partnerId: row.partner_id,
    type: row.type as DocumentType,
    fileName: row.file_name,
    contentType: row.content_type as AllowedContentType,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    expiresOn: row.expires_on,
    ...expiryState(row.expires_on, today),
    note: row.note,
    status: row.status as DocumentStatus,
    reviewedBy: reviewer ? { id: reviewer.id, name: reviewer.name } : null,
    reviewedAt: row.reviewed_at,
    reviewReason: row.review_reason,
    uploadedBy: uploader,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
    archiveReason: row.archive_reason,
  };
}

/** Presents document rows for the API (resolves uploader and reviewer names in two queries). */
export async function presentDocuments(db: Db, rows: DocumentRow[]): Promise<DocumentView[]> {
  const ids = rows.flatMap((r) => (r.reviewed_by ? [r.uploaded_by, r.reviewed_by] : [r.uploaded_by]));
  const people = await peopleById(db, ids);
  const today = todayUtc();
  return rows.map((r) => toView(r, people, today));
}

export async function presentDocument(db: Db, row: DocumentRow): Promise<DocumentView> {
  const [view] = await presentDocuments(db, [row]);
  return view as DocumentView;
}

// ---------------------------------------------------------------------------------------------------------
// Paging

function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return { createdAt: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  throw invalidField('query.cursor', 'is not a cursor returned by this list.');
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/** Lists one partner's documents, newest first (documents.read + the partner visible to the actor). */
export async function listDocuments(
  store: Store,
  actor: Actor,
  partnerId: string,
  query: ListQuery,
): Promise<{ data: DocumentView[]; nextCursor: string | null }> {
  assertCan(actor, 'documents.read');
  await loadPartnerFor(store.db, actor, partnerId, 'see');
  let q = store.db.selectFrom('documents').selectAll().where('partner_id', '=', partnerId);
  if (query.type) q = q.where('type', '=', query.type);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.archived !== 'true') q = q.where('archived_at', 'is', null);
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', c.createdAt),
        eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    data: await presentDocuments(store.db, page),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}

async function loadDocument(db: Db, partnerId: string, docId: string): Promise<DocumentRow> {
  const row = await db
    .selectFrom('documents')
    .selectAll()
    .where('id', '=', docId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!row) throw notFound(`Document ${docId}`);
  return row;
}

export async function getDocument(
  store: Store,
  actor: Actor,
  partnerId: string,
  docId: string,
): Promise<DocumentView> {
  assertCan(actor, 'documents.read');
  await loadPartnerFor(store.db, actor, partnerId, 'see');
  return presentDocument(store.db, await loadDocument(store.db, partnerId, docId));
}

export interface DocumentDownload {
  path: string;
  contentType: string;
  contentDisposition: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * The stored file of a document, after checking that it is still there with the size and SHA-256 recorded at
 * upload. A missing or altered file answers 410 (and is logged by the caller), never a 500 or wrong bytes.
 */
export async function openDocumentFile(
  store: Store,
  storage: DocumentStorage,
  actor: Actor,
  partnerId: string,
  docId: string,
): Promise<DocumentDownload> {
  assertCan(actor, 'documents.read');
  await loadPartnerFor(store.db, actor, partnerId, 'see');
  const row = await loadDocument(store.db, partnerId, docId);
  const check = await verifyStoredFile(storage, row.storage_key, {
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
  });
  if (!check.ok) {
    throw new AppError(
      'gone',
      check.reason === 'missing'
        ? `The file of document ${docId} is missing from storage; restore it from a backup or ask for it again.`
        : `The stored file of document ${docId} no longer matches the checksum recorded at upload, so it is not served; restore it from a backup.`,
      [],
      { reason: check.reason },
    );
  }
  return {
    path: check.path,
    contentType: row.content_type,
    contentDisposition: contentDisposition(row.file_name),
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Uploading

/** One part of a multipart body, as @fastify/multipart yields it (only what the upload reads). */
export type UploadPart =
  | { type: 'field'; fieldname: string; value: unknown; valueTruncated?: boolean }
  | {
      type: 'file';
      fieldname: string;
      filename?: string;
      mimetype?: string;
      file: Readable & { truncated?: boolean };
    };

const UPLOAD_FIELDS = new Set(['type', 'expiresOn', 'note']);

/**
 * Who may upload to a partner: a partner user or key only to its own partner; Compliance (documents.review)
 * to any partner it can see; other staff only to partners they may change (owner BDM, or update_any).
 */
export async function authorizeUpload(db: Db, actor: Actor, partnerId: string): Promise<void> {
  assertCan(actor, 'documents.upload');
  let partner: { archived_at: string | null };
  if (actor.role === 'partner' || actor.partnerId) {
    partner = await loadPartnerFor(db, actor, partnerId, 'see');
    if (actor.partnerId !== partnerId) throw notFound(`Partner ${partnerId}`);
  } else if (actor.permissions.has('documents.review')) {
    partner = await loadPartnerFor(db, actor, partnerId, 'see');
  } else {
    partner = await loadPartnerFor(db, actor, partnerId, 'change');
  }
  if (partner.archived_at)
    throw conflict(`Partner ${partnerId} is archived; restore it before adding documents.`);
}

async function drain(stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    /* discard */
  }
}

function fieldErrorsOf(issues: { path: PropertyKey[]; message: string }[]): FieldError[] {
  return issues.map((i) => ({
    field: i.path.length > 0 ? `body.${i.path.map(String).join('.')}` : 'body',
    message: i.message,
  }));
}

const MULTIPART_LIMIT_ERRORS: Record<string, FieldError> = {
  FST_FILES_LIMIT: { field: 'body.file', message: 'only one file may be sent' },
  FST_FIELDS_LIMIT: { field: 'body', message: 'has too many fields' },
  FST_PARTS_LIMIT: { field: 'body', message: 'has too many parts' },
};

/** The parts of the body, with the multipart parser's own limit errors turned into problems naming the field. */
async function* multipartParts(
  parts: () => AsyncIterable<UploadPart>,
  limits: { maxBytes: number },
): AsyncGenerator<UploadPart> {
  try {
    yield* parts();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(limits.maxBytes);
    const known = typeof code === 'string' ? MULTIPART_LIMIT_ERRORS[code] : undefined;
    if (known) throw new AppError('payload_too_large', `The body ${known.message}.`, [known]);
    throw unreadableBody(err);
  }
}

/** Errors of the multipart parser that carry a 4xx status pass on as they are; the others mean a broken body. */
function unreadableBody(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return err;
  return new AppError(
    'bad_request',
    'The multipart body is incomplete or malformed; send the upload again.',
    [{ field: 'body', message: `cannot be read (${(err as Error)?.message ?? 'malformed'})` }],
  );
}

function fileTooLarge(maxBytes: number): AppError {
  return new AppError(
    'payload_too_large',
    `The file is larger than the limit of ${Math.floor(maxBytes / (1024 * 1024))} MB.`,
    [{ field: 'body.file', message: `must be at most ${maxBytes} bytes` }],
  );
}

/**
 * Uploads a document. The partner rule is checked before the body is read; the file streams to a temp file
 * (hashed as it goes, bounded by the size limit), is checked, and then the row, its audit entry and the
 * file's move to its final name happen together: the rename is the last step inside the transaction and is
 * undone if the commit fails, so a committed row always has its file and a failed upload leaves nothing.
 */
export async function uploadDocument(
  store: Store,
  storage: DocumentStorage,
  ctx: RequestContext,
  partnerId: string,
  body: { isMultipart: boolean; parts: () => AsyncIterable<UploadPart> },
  limits: { maxBytes: number },
): Promise<DocumentView> {
  await authorizeUpload(store.db, ctx.actor, partnerId);
  if (!body.isMultipart) {
    throw new AppError('unsupported_media_type', 'Send the document as multipart/form-data.', [
      { field: 'body', message: 'must be multipart/form-data with a "file" part' },
    ]);
  }

  const documentId = newId('document');
  const fields: Record<string, string> = {};
  const errors: FieldError[] = [];
  let staged: StagedFile | null = null;
  let declared = '';
  let originalName: string | undefined;
  try {
    for await (const part of multipartParts(body.parts, limits)) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || staged) {
          await drain(part.file).catch((e: unknown) => {
            throw unreadableBody(e);
          });
          errors.push({
            field: `body.${part.fieldname}`,
            message: 'is not expected; send the document as the one "file" part',
          });
          continue;
        }
        declared = normalizeContentType(part.mimetype);
        originalName = part.filename;
        try {
          staged = await stageUpload(storage, documentId, part.file);
        } catch (err) {
          if (err instanceof UploadStreamError) throw unreadableBody(err.streamError);
          throw err;
        }
        // Busboy stops at the size limit and ends the stream normally, marking it truncated.
        if (staged.truncated) throw fileTooLarge(limits.maxBytes);
        continue;
      }
      if (!UPLOAD_FIELDS.has(part.fieldname)) {
        errors.push({
          field: `body.${part.fieldname}`,
          message: 'is not a known field (type, expiresOn, note, file)',
        });
      } else if (part.fieldname in fields) {
        errors.push({ field: `body.${part.fieldname}`, message: 'is sent more than once' });
      } else if (part.valueTruncated) {
        errors.push({ field: `body.${part.fieldname}`, message: 'is too long' });
      } else if (typeof part.value !== 'string') {
        errors.push({ field: `body.${part.fieldname}`, message: 'must be text' });
      } else {
        fields[part.fieldname] = part.value;
      }
    }

    // Fields: empty optional text counts as absent, as HTML forms send empty inputs.
    const raw = {
      type: fields.type,
      expiresOn: fields.expiresOn?.trim() ? fields.expiresOn : undefined,
      note: fields.note?.trim() ? fields.note : undefined,
    };
    const parsed = uploadFieldsSchema.safeParse(raw);
    if (!parsed.success) errors.push(...fieldErrorsOf(parsed.error.issues));
    if (parsed.success && parsed.data.expiresOn && parsed.data.expiresOn < todayUtc()) {
      errors.push({
        field: 'body.expiresOn',
        message: `must not be in the past (today is ${todayUtc()} UTC)`,
      });
    }

    // The file: present, an allowed type, not empty, and its first bytes are those of the declared type.
    if (!staged) {
      errors.push({ field: 'body.file', message: 'is required (a multipart part named "file")' });
    } else if (!isAllowedContentType(declared)) {
      throw new AppError(
        'unsupported_media_type',
        `Files of type "${declared || 'unknown'}" are not accepted.`,
        [{ field: 'body.file', message: 'must be a PDF, PNG, JPEG or WebP file' }, ...errors],
      );
    } else if (staged.sizeBytes === 0) {
      errors.push({ field: 'body.file', message: 'is empty' });
    } else if (!matchesMagic(declared, staged.head)) {
      errors.push({
        field: 'body.file',
        message: `is declared as ${declared} but its content is not; upload the real file`,
      });
    }
    if (errors.length > 0 || !parsed.success || !staged || !isAllowedContentType(declared)) {
      throw invalid(errors);
    }

    return await commitUpload(store, storage, ctx, {
      documentId,
      partnerId,
      staged,
      contentType: declared,
      fileName: sanitizeFileName(originalName, declared),
      fields: parsed.data,
    });
  } finally {
    // After a successful upload the temp file has been renamed away; this only removes a failed one.
    if (staged) await removeQuietly(staged.tmpPath);
  }
}

async function commitUpload(
  store: Store,
  storage: DocumentStorage,
  ctx: RequestContext,
  input: {
    documentId: string;
    partnerId: string;
    staged: StagedFile;
    contentType: AllowedContentType;
    fileName: string;
    fields: { type: DocumentType; expiresOn?: string | undefined; note?: string | undefined };
  },
): Promise<DocumentView> {
  const key = storageKeyOf(input.partnerId, input.documentId);
  let placedAt: string | null = null;
  let row: DocumentRow;
  try {
    row = await writeTransaction(store, ctx, async (w) => {
      const partner = await w.trx
        .selectFrom('partners')
        .select(['id', 'archived_at'])
        .where('id', '=', input.partnerId)
        .executeTakeFirst();
      if (!partner) throw notFound(`Partner ${input.partnerId}`);
      if (partner.archived_at)
        throw conflict(`Partner ${input.partnerId} is archived; restore it before adding documents.`);
      const r: DocumentRow = {
        id: input.documentId,
        partner_id: input.partnerId,
        type: input.fields.type,
        file_name: input.fileName,
        content_type: input.contentType,
        size_bytes: input.staged.sizeBytes,
        sha256: input.staged.sha256,
        storage_key: key,
        expires_on: input.fields.expiresOn ?? null,
        status: 'pending',
        review_reason: null,
        reviewed_by: null,
        reviewed_at: null,
        uploaded_by: ctx.actor.id,
        created_at: nowIso(),
        archived_at: null,
        note: input.fields.note ?? null,
        archived_by: null,
        archive_reason: null,
      };
      await w.trx.insertInto('documents').values(r).execute();
      // The file name and note may carry personal data: they go in `after` (erasable), not in hashed fields.
      w.audit({
        action: 'document.uploaded',
        entityType: 'document',
        entityId: r.id,
        partnerId: r.partner_id,
        after: {
          type: r.type,
          fileName: r.file_name,
          contentType: r.content_type,
          size: r.size_bytes,
          sha256: r.sha256,
          expiresOn: r.expires_on,
          note: r.note,
        },
      });
      // Last step before the audit append and the commit: the file takes its final name.
      placedAt = await placeFile(storage, input.staged.tmpPath, key);
      return r;
    });
  } catch (err) {
    if (placedAt) await unplaceUnlessCommitted(store, placedAt, input.documentId);
    throw err;
  }
  return presentDocument(store.db, row);
}

/**
 * The transaction failed after the file was placed. Remove the file unless the row is there after all (a
 * commit whose answer was lost); when that cannot be known, keep it: a stray file is harmless, a row
 * without its file is not.
 */
async function unplaceUnlessCommitted(store: Store, placedAt: string, documentId: string): Promise<void> {
  const committed = await store.db
    .selectFrom('documents')
    .select('id')
    .where('id', '=', documentId)
    .executeTakeFirst()
    .then((r) => (r ? 'yes' : 'no'))
    .catch(() => 'unknown');
  if (committed === 'no') await removeQuietly(placedAt);
}

// ---------------------------------------------------------------------------------------------------------
// Reviewing and archiving

/** Approves or rejects a document (documents.review). The uploader cannot review their own upload. */
export async function reviewDocument(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  docId: string,
  input: ReviewInput,
): Promise<DocumentView> {
  const { actor } = ctx;
  assertCan(actor, 'documents.review');
  await loadPartnerFor(store.db, actor, partnerId, 'see');
  const reason = input.reason?.trim() || null;
  if (input.decision === 'reject' && !reason) {
    throw invalidField('body.reason', 'A reason is required to reject a document (the partner sees it).');
  }
  const doc = await loadDocument(store.db, partnerId, docId);
  if (doc.archived_at) throw conflict(`Document ${docId} is archived and cannot be reviewed.`);
  if (doc.uploaded_by === actor.id) {
    throw forbidden('You uploaded this document, so someone else must review it (four eyes).');
  }
  const status: DocumentStatus = input.decision === 'approve' ? 'approved' : 'rejected';
  if (status === 'approved' && expiryState(doc.expires_on).expired) {
    throw conflict(
      `Document ${docId} expired on ${doc.expires_on}; it cannot be approved. Ask for a current one.`,
    );
  }
  const row = await writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    let q = w.trx
      .updateTable('documents')
      .set({ status, reviewed_by: actor.id, reviewed_at: now, review_reason: reason })
      .where('id', '=', doc.id)
      .where('status', '=', doc.status)
      .where('archived_at', 'is', null);
    q =
      doc.reviewed_at === null
        ? q.where('reviewed_at', 'is', null)
        : q.where('reviewed_at', '=', doc.reviewed_at);
    const result = await q.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw conflict(`Document ${docId} was changed by someone else meanwhile; reload it and review again.`);
    }
    w.audit({
      action: 'document.reviewed',
      entityType: 'document',
      entityId: doc.id,
      partnerId: doc.partner_id,
      before: { status: doc.status, reviewReason: doc.review_reason, reviewedBy: doc.reviewed_by },
      after: { status, reviewReason: reason, reviewedBy: actor.id },
      reason,
      meta: { decision: input.decision, rereview: doc.reviewed_at !== null },
    });
    return { ...doc, status, reviewed_by: actor.id, reviewed_at: now, review_reason: reason };
  });
  return presentDocument(store.db, row);
}

/**
 * Archives a document: it leaves the default list and the review queue, and its file is kept (records are
 * kept at least five years). Compliance may archive on any partner it sees; otherwise documents.upload and
 * the right to change the partner are needed.
 */
export async function archiveDocument(
  store: Store,
  ctx: RequestContext,
  partnerId: string,
  docId: string,
  reason: string,
): Promise<DocumentView> {
  const { actor } = ctx;
  if (actor.permissions.has('documents.review')) {
    await loadPartnerFor(store.db, actor, partnerId, 'see');
  } else {
    assertCan(actor, 'documents.upload');
    await loadPartnerFor(store.db, actor, partnerId, 'change');
  }
  const why = reason.trim();
  if (!why) throw invalidField('body.reason', 'A reason is required to archive a document.');
  const doc = await loadDocument(store.db, partnerId, docId);
  if (doc.archived_at) throw conflict(`Document ${docId} is already archived.`);
  const row = await writeTransaction(store, ctx, async (w) => {
    const now = nowIso();
    const result = await w.trx
      .updateTable('documents')
      .set({ archived_at: now, archived_by: actor.id, archive_reason: why })
      .where('id', '=', doc.id)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw conflict(`Document ${docId} is already archived.`);
    w.audit({
      action: 'document.archived',
      entityType: 'document',
      entityId: doc.id,
      partnerId: doc.partner_id,
      before: { archivedAt: null },
      after: { archivedAt: now },
      reason: why,
    });
    return { ...doc, archived_at: now, archived_by: actor.id, archive_reason: why };
  });
  return presentDocument(store.db, row);
}

// ---------------------------------------------------------------------------------------------------------
// The review queue and facts for other modules

/** Documents across partners by status (pending by default), newest first: the review queue. */
export async function reviewQueue(
  store: Store,
  actor: Actor,
  query: QueueQuery,
): Promise<{ data: QueueItemView[]; nextCursor: string | null }> {
  assertCan(actor, 'documents.review');
  if (!actor.partnerId && !actor.permissions.has('partners.read')) {
    throw forbidden('Seeing the review queue also needs the "partners.read" permission.');
  }
  let q = store.db
    .selectFrom('documents')
    .innerJoin('partners', 'partners.id', 'documents.partner_id')
    .selectAll('documents')
    .select('partners.display_name as partner_display_name')
    .where('documents.status', '=', query.status)
    .where('documents.archived_at', 'is', null);
  if (actor.partnerId) q = q.where('documents.partner_id', '=', actor.partnerId);
  if (query.type) q = q.where('documents.type', '=', query.type);
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('documents.created_at', '<', c.createdAt),
        eb.and([eb('documents.created_at', '=', c.createdAt), eb('documents.id', '<', c.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('documents.created_at', 'desc')
    .orderBy('documents.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const views = await presentDocuments(store.db, page);
  const last = page[page.length - 1];
  return {
    data: views.map((v, i) => ({
      ...v,
      partner: { id: v.partnerId, displayName: page[i]?.partner_display_name ?? '' },
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}

/** How many documents wait for review (not archived). For the approvals inbox. */
export async function pendingReviewCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('documents')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface DocumentFacts {
  /** Types with at least one document that is not archived. */
  present: DocumentType[];
  /** Types with at least one approved, unexpired, unarchived document. */
  approved: DocumentType[];
  /** Types with a document waiting for review. */
  pending: DocumentType[];
  /** Types that were approved but whose every approved document has since expired. */
  expired: DocumentType[];
}

/** What the onboarding gate needs to know about a partner's documents (archived documents do not count). */
export async function documentFacts(
  db: Db,
  partnerId: string,
  today: string = todayUtc(),
): Promise<DocumentFacts> {
  const rows = await db
    .selectFrom('documents')
    .select(['type', 'status', 'expires_on'])
    .where('partner_id', '=', partnerId)
    .where('archived_at', 'is', null)
    .execute();
  const present = new Set<string>();
  const approved = new Set<string>();
  const pending = new Set<string>();
  const approvedExpired = new Set<string>();
  for (const r of rows) {
    present.add(r.type);
    if (r.status === 'pending') pending.add(r.type);
    if (r.status === 'approved') {
      if (expiryState(r.expires_on, today).expired) approvedExpired.add(r.type);
      else approved.add(r.type);
    }
  }
  const ordered = (s: Set<string>) => DOCUMENT_TYPES.filter((t) => s.has(t));
  return {
    present: ordered(present),
    approved: ordered(approved),
    pending: ordered(pending),
    expired: ordered(new Set([...approvedExpired].filter((t) => !approved.has(t)))),
  };
}
