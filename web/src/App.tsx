// The application: the session decides between the login page and the signed-in shell; the path decides
// the page.
import { Center, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { EmptyState, ErrorState } from './components/states';
import { Link, matchPath, navigate, usePathname } from './lib/router';
import { SessionProvider, useSession, useSessionQuery } from './lib/session';
import { ApprovalsPage, useApprovalsCount } from './pages/ApprovalsPage';
import { ApiKeysPage } from './pages/admin/ApiKeysPage';
import { ApprovalAuthorityPage } from './pages/admin/ApprovalAuthorityPage';
import { AuditPage } from './pages/admin/AuditPage';
import { ChecklistTemplatesPage } from './pages/admin/ChecklistTemplatesPage';
import { CustomFieldsPage } from './pages/admin/CustomFieldsPage';
import { EventSourcesPage } from './pages/admin/EventSourcesPage';
import { MandatoryFieldsPage } from './pages/admin/MandatoryFieldsPage';
import { ProgrammesPage } from './pages/admin/ProgrammesPage';
import { RestrictedCountriesPage } from './pages/admin/RestrictedCountriesPage';
import { RolesPage } from './pages/admin/RolesPage';
import { SlaPage } from './pages/admin/SlaPage';
import { UsersPage } from './pages/admin/UsersPage';
import { ChangePasswordPage } from './pages/ChangePassword';
import { ClientPage } from './pages/events/ClientPage';
import { ClientsPage } from './pages/events/ClientsPage';
import { EventInboxPage } from './pages/events/EventInboxPage';
import { EventsPage } from './pages/events/EventsPage';
import { LoginPage } from './pages/Login';
import { PartnerPage } from './pages/partner/PartnerPage';
import { PartnersPage } from './pages/partners/PartnersPage';
import { TrackingQaPage } from './pages/qa/TrackingQaPage';
import { TrackingTestPage } from './pages/qa/TrackingTestPage';
import { ClickStoryPage } from './pages/tracking/ClickStoryPage';
import { LinkPage } from './pages/tracking/LinkPage';
import { LinksPage } from './pages/tracking/LinksPage';
import { StatsPage } from './pages/tracking/StatsPage';
import { ActivationPage } from './pages/work/ActivationPage';
import { MyWorkPage, useMyWorkCounts } from './pages/work/MyWorkPage';
import { PipelinePage } from './pages/work/PipelinePage';
import { RiskFlagsPage } from './pages/work/RiskFlagsPage';
import { StalledPage } from './pages/work/StalledPage';
import { Shell } from './Shell';

interface Route {
  pattern: string;
  permission: string;
  render: (params: Record<string, string>) => ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/partners', permission: 'partners.read', render: () => <PartnersPage /> },
  {
    pattern: '/partners/:id',
    permission: 'partners.read',
    render: (p) => <PartnerPage key={p.id} id={p.id as string} />,
  },
  {
    pattern: '/partners/:id/:tab',
    permission: 'partners.read',
    render: (p) => <PartnerPage key={p.id} id={p.id as string} tab={p.tab} />,
  },
  { pattern: '/approvals', permission: 'approvals.read', render: () => <ApprovalsPage /> },
  { pattern: '/my-work', permission: 'tasks.read', render: () => <MyWorkPage /> },
  { pattern: '/pipeline', permission: 'onboarding.read', render: () => <PipelinePage /> },
  { pattern: '/stalled', permission: 'onboarding.read', render: () => <StalledPage /> },
  { pattern: '/reports/activation', permission: 'onboarding.read', render: () => <ActivationPage /> },
  { pattern: '/risk-flags', permission: 'risk.read', render: () => <RiskFlagsPage /> },
  { pattern: '/events', permission: 'events.read', render: () => <EventsPage /> },
  { pattern: '/clients', permission: 'events.read', render: () => <ClientsPage /> },
  {
    pattern: '/clients/:id',
    permission: 'events.read',
    render: (p) => <ClientPage key={p.id} id={p.id as string} />,
  },
  { pattern: '/links', permission: 'links.read', render: () => <LinksPage /> },
  {
    pattern: '/links/:id',
    permission: 'links.read',
    render: (p) => <LinkPage key={p.id} id={p.id as string} />,
  },
  {
    pattern: '/clicks/:clickId',
    permission: 'clicks.read',
    render: (p) => <ClickStoryPage key={p.clickId} clickId={p.clickId as string} />,
  },
  { pattern: '/stats', permission: 'stats.read', render: () => <StatsPage /> },
  { pattern: '/tracking-qa', permission: 'tracking_qa.read', render: () => <TrackingQaPage /> },
  {
    pattern: '/tracking-tests/:id',
    permission: 'tracking_qa.read',
    render: (p) => <TrackingTestPage key={p.id} id={p.id as string} />,
  },
  { pattern: '/event-inbox', permission: 'event_sources.manage', render: () => <EventInboxPage /> },
  { pattern: '/admin/event-sources', permission: 'event_sources.manage', render: () => <EventSourcesPage /> },
  { pattern: '/admin/programmes', permission: 'events.read', render: () => <ProgrammesPage /> },
  { pattern: '/admin/checklists', permission: 'onboarding.manage', render: () => <ChecklistTemplatesPage /> },
  { pattern: '/admin/sla', permission: 'sla.manage', render: () => <SlaPage /> },
  {
    pattern: '/admin/restricted-countries',
    permission: 'policy.manage',
    render: () => <RestrictedCountriesPage />,
  },
  { pattern: '/admin/approval-authority', permission: 'terms.read', render: () => <ApprovalAuthorityPage /> },
  { pattern: '/admin/users', permission: 'users.read', render: () => <UsersPage /> },
  { pattern: '/admin/roles', permission: 'roles.manage', render: () => <RolesPage /> },
  { pattern: '/admin/api-keys', permission: 'apikeys.manage', render: () => <ApiKeysPage /> },
  { pattern: '/admin/mandatory-fields', permission: 'policy.manage', render: () => <MandatoryFieldsPage /> },
  { pattern: '/admin/custom-fields', permission: 'policy.manage', render: () => <CustomFieldsPage /> },
  { pattern: '/admin/audit', permission: 'audit.read', render: () => <AuditPage /> },
  { pattern: '/account/password', permission: '', render: () => <ChangePasswordPage forced={false} /> },
];

export function App() {
  const q = useSessionQuery();
  if (q.isPending) {
    return (
      <Center mih="100vh">
        <Loader size="sm" />
      </Center>
    );
  }
  if (q.isError) {
    return (
      <Center mih="100vh" p="md">
        <Stack maw={520}>
          <Title order={4}>Partnerdesk cannot start</Title>
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        </Stack>
      </Center>
    );
  }
  if (!q.data) return <LoginPage />;
  return (
    <SessionProvider session={q.data}>
      <SignedIn />
    </SessionProvider>
  );
}

function SignedIn() {
  const { session, can } = useSession();
  const approvals = useApprovalsCount(can('approvals.read') && !session.user.mustChangePassword);
  const work = useMyWorkCounts(can('tasks.read') && !session.user.mustChangePassword);
  if (session.user.mustChangePassword) return <ChangePasswordPage forced />;
  return (
    <Shell approvalsCount={approvals.data ?? null} workCounts={work.data ?? null}>
      <Pages />
    </Shell>
  );
}

function Pages() {
  const pathname = usePathname();
  const { can } = useSession();
  if (pathname === '/' || pathname === '/login') {
    queueMicrotask(() =>
      navigate(can('partners.read') ? '/partners' : '/account/password', { replace: true }),
    );
    return null;
  }
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, pathname);
    if (!params) continue;
    if (route.permission && !can(route.permission)) {
      return (
        <EmptyState title="You do not have access to this page">
          Your role does not include the permission <b>{route.permission}</b>. Ask an admin if you need it.
        </EmptyState>
      );
    }
    return <>{route.render(params)}</>;
  }
  return (
    <EmptyState title="Page not found" action={<Link to="/partners">Go to partners</Link>}>
      <Text span size="sm">
        There is no page at <code>{pathname}</code>.
      </Text>
    </EmptyState>
  );
}
