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
    id: 'my-work',
    label: 'My work',
    path: '/my-work',
    section: 'main',
    permissions: ['tasks.read'],
    hotkey: 'g w',
  },
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
  {
    id: 'pipeline',
    label: 'Pipeline',
    path: '/pipeline',
    section: 'main',
    permissions: ['onboarding.read'],
    hotkey: 'g b',
  },
  { id: 'stalled', label: 'Stalled', path: '/stalled', section: 'main', permissions: ['onboarding.read'] },
  {
    id: 'activation',
    label: 'Activation timelines',
    path: '/reports/activation',
    section: 'main',
    permissions: ['onboarding.read'],
  },
  { id: 'risk-flags', label: 'Risk flags', path: '/risk-flags', section: 'main', permissions: ['risk.read'] },
  { id: 'links', label: 'Links', path: '/links', section: 'main', permissions: ['links.read'] },
  { id: 'stats', label: 'Stats', path: '/stats', section: 'main', permissions: ['stats.read'] },
  {
    id: 'tracking-qa',
    label: 'Tracking QA',
    path: '/tracking-qa',
    section: 'main',
    permissions: ['tracking_qa.read'],
  },
  { id: 'events', label: 'Events', path: '/events', section: 'main', permissions: ['events.read'] },
  { id: 'clients', label: 'Clients', path: '/clients', section: 'main', permissions: ['events.read'] },
  {
    id: 'event-inbox',
    label: 'Event inbox',
    path: '/event-inbox',
    section: 'main',
    permissions: ['event_sources.manage'],
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
  {
    id: 'checklists',
    label: 'Checklist templates',
    path: '/admin/checklists',
    section: 'admin',
    permissions: ['onboarding.manage'],
  },
  { id: 'sla', label: 'SLA & calendar', path: '/admin/sla', section: 'admin', permissions: ['sla.manage'] },
  {
    id: 'restricted-countries',
    label: 'Restricted countries',
    path: '/admin/restricted-countries',
    section: 'admin',
    permissions: ['policy.manage'],
  },
  {
    id: 'approval-authority',
    label: 'Approval authority',
    path: '/admin/approval-authority',
    section: 'admin',
    permissions: ['policy.manage'],
  },
  {
    id: 'event-sources',
    label: 'Event sources',
    path: '/admin/event-sources',
    section: 'admin',
    permissions: ['event_sources.manage'],
  },
  {
    id: 'programmes',
    label: 'Programmes',
    path: '/admin/programmes',
    section: 'admin',
    permissions: ['programmes.manage'],
  },
  { id: 'audit', label: 'Audit log', path: '/admin/audit', section: 'admin', permissions: ['audit.read'] },
];
