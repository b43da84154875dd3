// Audit: the API over the hash-chained audit log (list with filters, verify the chain) and personal-data
// erasure that keeps the chain verifiable. The log itself is written by platform/audit inside every write.
export { auditRoutes } from './audit.routes.ts';
export {
  type AuditEntryView,
  erasePersonalData,
  listAudit,
  presentAuditEntry,
  verifyAudit,
} from './audit.service.ts';
