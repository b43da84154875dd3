// The navigation: each item appears when the user holds any of its permissions. Only pages that exist are
// listed here (no dead links).
export interface NavItem {
  id: string;
  label: string;
  path: string;
  section: 'main' | 'admin';
  permissions: string[];
  hotkey?: string;
}

export const NAV: NavItem[] = [
  {
    id: 'partners',
    label: 'Partners',
    path: '/partners',
    section: 'main',
    permissions: ['partners.read'],
    hotkey: 'g p',
  },
  {
    id: 'approvals',
    label: 'Approvals',
    path: '/approvals',
    section: 'main',
    permissions: ['approvals.read'],
    hotkey: 'g a',
  },
  { id: 'users', label: 'Users', path: '/admin/users', section: 'admin', permissions: ['users.read'] },
  {
    id: 'roles',
    label: 'Roles & permissions',
    path: '/admin/roles',
    section: 'admin',
    permissions: ['roles.manage'],
  },
  {
    id: 'api-keys',
    label: 'API keys',
    path: '/admin/api-keys',
    section: 'admin',
    permissions: ['apikeys.manage'],
  },
  {
    id: 'mandatory-fields',
    label: 'Mandatory fields',
    path: '/admin/mandatory-fields',
    section: 'admin',
    permissions: ['policy.manage'],
  },
  {
    id: 'custom-fields',
    label: 'Custom fields',
    path: '/admin/custom-fields',
    section: 'admin',
    permissions: ['policy.manage'],
  },
  { id: 'audit', label: 'Audit log', path: '/admin/audit', section: 'admin', permissions: ['audit.read'] },
];
