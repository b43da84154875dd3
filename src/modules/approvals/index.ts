// Approvals: the inbox of decisions waiting on the signed-in person (terms to approve, documents to review).
// It owns no records; the decisions themselves are made in the terms and documents modules.
export { approvalsRoutes } from './approvals.routes.ts';
export type { InboxItem } from './approvals.schemas.ts';
export { inboxItemSchema } from './approvals.schemas.ts';
export { ageLabel, approvalsInbox } from './approvals.service.ts';
