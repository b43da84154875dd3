// Audit actions in words, for the partner timeline and the audit log.
export const ACTION_WORDS: Record<string, string> = {
  'system.initialized': 'initialised the workspace',
  'user.created': 'created a user',
  'user.updated': 'changed a user',
  'user.disabled': 'disabled a user',
  'user.enabled': 'enabled a user',
  'user.password_changed': 'changed a password',
  'user.logged_in': 'signed in',
  'user.logged_out': 'signed out',
  'apikey.created': 'created an API key',
  'apikey.revoked': 'revoked an API key',
  'role.permissions_changed': "changed a role's permissions",
  'partner.created': 'created the partner',
  'partner.updated': 'changed the profile',
  'partner.archived': 'archived the partner',
  'partner.restored': 'restored the partner',
  'partners.imported': 'imported partners from CSV',
  'contact.created': 'added a contact',
  'contact.updated': 'changed a contact',
  'contact.deleted': 'removed a contact',
  'custom_field.created': 'defined a custom field',
  'custom_field.updated': 'changed a custom field',
  'custom_field.archived': 'archived a custom field',
  'policy.published': 'published a mandatory-field policy',
  'document.uploaded': 'uploaded a document',
  'document.reviewed': 'reviewed a document',
  'document.archived': 'archived a document',
  'terms.proposed': 'proposed terms',
  'terms.approved': 'approved terms',
  'terms.rejected': 'rejected terms',
  'terms.withdrawn': 'withdrew terms',
  'terms.accepted': 'recorded acceptance of terms',
  'authority.updated': 'changed the approval authority matrix',
  'audit.personal_data_erased': 'erased personal data',
};

export function actionInWords(action: string): string {
  return ACTION_WORDS[action] ?? action.replaceAll('_', ' ').replace('.', ': ');
}

const ACTION_COLORS: Record<string, string> = {
  created: 'green',
  approved: 'green',
  accepted: 'teal',
  uploaded: 'blue',
  proposed: 'indigo',
  rejected: 'red',
  archived: 'gray',
  deleted: 'red',
  revoked: 'red',
  withdrawn: 'gray',
};
export function actionColor(action: string): string {
  return ACTION_COLORS[action.split('.')[1] ?? ''] ?? 'blue';
}

/** A before/after value for display. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '∅';
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v.length === 0 ? '[]' : v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  return JSON.stringify(v);
}

/** Field-by-field changes: every key in before or after whose value differs. */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys
    .map((k) => ({ key: k, before: before?.[k], after: after?.[k] }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
}
