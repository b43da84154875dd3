// The closed list of roles and permissions, and the default grant of permissions to roles. Admins can change
// the grants (stored in role_permissions); the admin role always keeps every permission so nobody can lock
// the workspace out of its own settings.
export const ROLES = [
  'admin',
  'leadership',
  'team_lead',
  'bdm',
  'ops',
  'compliance',
  'finance',
  'support',
  'partner',
  'read_only',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  'partners.read': 'See partner records (all partners; a partner user sees only its own)',
  'partners.create': 'Create partners',
  'partners.update': 'Change partners they own (BDM) or any partner (with partners.update_any)',
  'partners.update_any': 'Change partners owned by someone else',
  'partners.archive': 'Archive and restore partners',
  'partners.import': 'Import partners from CSV',
  'partners.export': 'Export partners to CSV',
  'contacts.write': 'Add, change and remove partner contacts',
  'documents.read': 'List and download partner documents',
  'documents.upload': 'Upload partner documents',
  'documents.review': 'Approve or reject partner documents',
  'terms.read': 'See commercial terms',
  'terms.propose': 'Propose new commercial terms',
  'terms.approve': 'Approve or reject proposed terms (within the authority matrix)',
  'terms.record_acceptance': "Record a partner's acceptance of approved terms",
  'approvals.read': 'See the approvals inbox',
  'timeline.read': "See a partner's timeline",
  'users.read': 'See users',
  'users.manage': 'Create, change and disable users',
  'roles.manage': 'Change which permissions each role has',
  'apikeys.manage': 'Create and revoke API keys',
  'policy.manage': 'Edit the mandatory-field policy, custom fields and the approval authority matrix',
  'audit.read': 'Read and verify the audit log',
  'audit.erase': 'Erase personal data from the audit entries about a person or record (the chain stays verifiable)',
} as const;
export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

const ALL = PERMISSION_NAMES;
const READ: Permission[] = ['partners.read', 'documents.read', 'terms.read', 'timeline.read', 'approvals.read'];

export const DEFAULT_GRANTS: Record<Role, Permission[]> = {
  admin: ALL,
  leadership: [...READ, 'partners.export', 'terms.approve', 'users.read', 'audit.read'],
  team_lead: [
    ...READ,
    'partners.create',
    'partners.update',
    'partners.update_any',
    'partners.archive',
    'partners.export',
    'contacts.write',
    'documents.upload',
    'terms.propose',
    'terms.approve',
    'terms.record_acceptance',
    'users.read',
  ],
  bdm: [
    ...READ,
    'partners.create',
    'partners.update',
    'contacts.write',
    'documents.upload',
    'terms.propose',
    'terms.approve',
    'terms.record_acceptance',
  ],
  ops: [
    ...READ,
    'partners.create',
    'partners.update',
    'partners.update_any',
    'partners.archive',
    'partners.import',
    'partners.export',
    'contacts.write',
    'documents.upload',
    'terms.record_acceptance',
    'users.read',
  ],
  compliance: [...READ, 'documents.review', 'documents.upload', 'partners.export', 'audit.read', 'users.read'],
  finance: [...READ, 'partners.export', 'users.read'],
  support: ['partners.read', 'documents.read', 'terms.read', 'timeline.read'],
  partner: ['partners.read', 'documents.read', 'documents.upload', 'terms.read', 'terms.record_acceptance'],
  read_only: ['partners.read', 'documents.read', 'terms.read', 'timeline.read'],
};

/** Roles ordered by their place in the approval authority ladder. */
export const AUTHORITY_LADDER: Role[] = ['bdm', 'team_lead', 'leadership'];

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}
export function isPermission(v: string): v is Permission {
  return v in PERMISSIONS;
}
