// The closed list of audit actions. A change that is not in this list cannot be recorded, so add the action
// here (with its entity type) when a module gains a new kind of change.
export const AUDIT_ACTIONS = [
  'system.initialized',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.password_changed',
  'user.logged_in',
  'user.logged_out',
  'apikey.created',
  'apikey.revoked',
  'role.permissions_changed',
  'partner.created',
  'partner.updated',
  'partner.archived',
  'partner.restored',
  'partners.imported',
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'custom_field.created',
  'custom_field.updated',
  'custom_field.archived',
  'policy.published',
  'document.uploaded',
  'document.reviewed',
  'document.archived',
  'terms.proposed',
  'terms.approved',
  'terms.rejected',
  'terms.withdrawn',
  'terms.accepted',
  'authority.updated',
  'audit.personal_data_erased',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(v: string): v is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(v);
}
