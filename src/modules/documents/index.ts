// Partner documents: upload with type, expiry and SHA-256, the stored files, Compliance's four-eyes review,
// archiving (files are kept), the cross-partner review queue, and the document facts the onboarding gate reads.
export { documentRoutes } from './documents.routes.ts';
export {
  DOCUMENT_STATUSES,
  DOCUMENT_TYPES,
  type DocumentStatus,
  type DocumentType,
  type DocumentView,
  documentSchema,
} from './documents.schemas.ts';
export {
  type DocumentFacts,
  type DocumentRow,
  documentFacts,
  EXPIRES_SOON_DAYS,
  expiryState,
  listDocuments,
  pendingReviewCount,
  presentDocument,
  presentDocuments,
  reviewDocument,
  reviewQueue,
  type UploadPart,
  uploadDocument,
} from './documents.service.ts';
export { documentStorage } from './document-files.ts';
