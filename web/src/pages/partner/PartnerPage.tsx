// One partner: header (name, stage, type, owner, archive state) and tabs, each tab its own URL
// (/partners/:id/documents) so links and reloads land on the same view.
import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Onboarding } from '../../api/types';
import { StageBadge } from '../../components/bits';
import { ErrorState } from '../../components/states';
import { countryName, TYPE_LABELS } from '../../lib/reference';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { ContactsTab } from './ContactsTab';
import { DocumentsTab, ReasonModal } from './DocumentsTab';
import { DueDiligenceTab } from './DueDiligenceTab';
import { OnboardingTab, useOnboarding } from './OnboardingTab';
import { PayoutsTab } from './PayoutsTab';
import { ProfileTab } from './ProfileTab';
import { TermsTab } from './TermsTab';
import { TimelineTab } from './TimelineTab';
import { TrackingTab } from './TrackingTab';

const TABS = [
  { value: 'profile', label: 'Profile', permission: 'partners.read' },
  { value: 'onboarding', label: 'Onboarding', permission: 'onboarding.read' },
  { value: 'contacts', label: 'Contacts', permission: 'partners.read' },
  { value: 'documents', label: 'Documents', permission: 'documents.read' },
  { value: 'due-diligence', label: 'Due diligence', permission: 'dd.read' },
  { value: 'payouts', label: 'Payouts', permission: 'payouts.details_read' },
  { value: 'terms', label: 'Terms & approvals', permission: 'terms.read' },
  { value: 'tracking', label: 'Tracking', permission: 'links.read' },
  { value: 'timeline', label: 'Timeline', permission: 'timeline.read' },
] as const;

export function PartnerPage({ id, tab }: { id: string; tab?: string }) {
  const { can } = useSession();
  const [archiving, setArchiving] = useState(false);
  const q = useQuery({
    queryKey: ['partner', id],
    queryFn: () => api.get('/api/v1/partners/{id}', { path: { id } }),
  });
  const mandatory = useQuery({
    queryKey: ['partner', id, 'mandatory'],
    queryFn: () => api.get('/api/v1/partners/{id}/mandatory-fields', { path: { id } }),
    enabled: q.isSuccess,
  });
  const onboarding = useOnboarding(id, q.isSuccess && can('onboarding.read'));
  const tabs = TABS.filter((t) => can(t.permission));
  const active = tabs.some((t) => t.value === tab) ? (tab as string) : 'profile';

  if (q.isPending) {
    return (
      <Stack gap="md" data-testid="loading">
        <Skeleton height={28} width={320} />
        <Skeleton height={20} width={480} />
        <Skeleton height={300} />
      </Stack>
    );
  }
  if (q.isError) {
    return (
      <Stack>
        <Breadcrumbs>
          <Anchor component={Link} to="/partners" size="sm">
            Partners
          </Anchor>
          <Text size="sm">{id}</Text>
        </Breadcrumbs>
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </Stack>
    );
  }
  const p = q.data;
  const missingNow = mandatory.data?.stage.missing.length ?? 0;

  return (
    <Stack gap="sm">
      <Breadcrumbs>
        <Anchor component={Link} to="/partners" size="sm">
          Partners
        </Anchor>
        <Text size="sm">{p.displayName}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={3} data-testid="partner-name">
              {p.displayName}
            </Title>
            <StageBadge stage={p.stage} />
            {onboarding.data && <NotLiveSummary o={onboarding.data} partnerId={p.id} />}
            {p.archivedAt && (
              <Badge color="gray" variant="filled" size="sm" data-testid="archived-badge">
                Archived
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {TYPE_LABELS[p.type] ?? p.type} · {p.kind} · {p.country ? countryName(p.country) : 'no country'} ·
            owner {p.ownerName ?? 'unassigned'} · ref <span className="pd-mono">{p.referralCode}</span>
            {p.parent && (
              <>
                {' '}
                · under{' '}
                <Anchor component={Link} to={`/partners/${p.parent.id}`} size="sm">
                  {p.parent.displayName}
                </Anchor>
              </>
            )}
          </Text>
        </div>
        {can('partners.archive') && (
          <Button
            variant={p.archivedAt ? 'light' : 'default'}
            color={p.archivedAt ? 'blue' : 'red'}
            onClick={() => setArchiving(true)}
            data-testid={p.archivedAt ? 'restore-partner' : 'archive-partner'}
          >
            {p.archivedAt ? 'Restore' : 'Archive'}
          </Button>
        )}
      </Group>

      <Tabs
        value={active}
        onChange={(v) => v && navigate(`/partners/${id}${v === 'profile' ? '' : `/${v}`}`, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="sm">
          {tabs.map((t) => (
            <Tabs.Tab
              key={t.value}
              value={t.value}
              data-testid={`tab-${t.value}`}
              rightSection={
                t.value === 'profile' && missingNow > 0 ? (
                  <Tooltip label={`${missingNow} field(s) missing for this stage`}>
                    <Badge size="xs" color="orange" circle>
                      {missingNow}
                    </Badge>
                  </Tooltip>
                ) : t.value === 'onboarding' &&
                  onboarding.data &&
                  onboarding.data.gate.blockers.length > 0 ? (
                  <Tooltip label={`${onboarding.data.gate.blockers.length} blocking gate item(s) not met`}>
                    <Badge size="xs" color="red" circle>
                      {onboarding.data.gate.blockers.length}
                    </Badge>
                  </Tooltip>
                ) : null
              }
            >
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="profile">
          <ProfileTab key={p.id} partner={p} evaluation={mandatory.data} />
        </Tabs.Panel>
        <Tabs.Panel value="onboarding">
          <OnboardingTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="due-diligence">
          <DueDiligenceTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="payouts">
          <PayoutsTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="contacts">
          <ContactsTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="documents">
          <DocumentsTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="terms">
          <TermsTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="tracking">
          <TrackingTab partner={p} />
        </Tabs.Panel>
        <Tabs.Panel value="timeline">
          <TimelineTab partner={p} />
        </Tabs.Panel>
      </Tabs>

      <ReasonModal
        title={p.archivedAt ? `Restore ${p.displayName}` : `Archive ${p.displayName}`}
        opened={archiving}
        onClose={() => setArchiving(false)}
        label={p.archivedAt ? 'Why is it restored? (optional)' : 'Why is it archived? (optional)'}
        required={false}
        confirm={p.archivedAt ? 'Restore' : 'Archive'}
        color={p.archivedAt ? 'blue' : 'red'}
        invalidate={[['partner', id], ['partners']]}
        onSubmit={async (reason) => {
          const body = reason ? { reason } : {};
          if (p.archivedAt) await api.post('/api/v1/partners/{id}/restore', { path: { id }, body });
          else await api.post('/api/v1/partners/{id}/archive', { path: { id }, body });
        }}
      >
        {!p.archivedAt && (
          <Text size="sm">
            Archived partners leave the default list and cannot be edited. Nothing is deleted; you can restore
            it later.
          </Text>
        )}
      </ReasonModal>
    </Stack>
  );
}

/** "Why not live yet": days in stage and the number of blocking items, linking to the onboarding tab. */
function NotLiveSummary({ o, partnerId }: { o: Onboarding; partnerId: string }) {
  if (['active', 'rejected', 'offboarded'].includes(o.stage)) return null;
  const blockers = o.gate.blockers;
  const label =
    o.stage === 'suspended'
      ? `suspended ${o.daysInStage} d`
      : blockers.length > 0
        ? `not live: ${blockers.length} blocking · ${o.daysInStage} d in stage`
        : `gate holds · ${o.daysInStage} d in stage`;
  return (
    <Tooltip
      multiline
      w={360}
      label={
        blockers.length > 0
          ? blockers.map((b) => `• ${b.label}${b.reason ? ` — ${b.reason}` : ''}`).join('\n')
          : o.next
            ? `Ready to move to ${o.next.label}`
            : o.stageLabel
      }
      style={{ whiteSpace: 'pre-line' }}
    >
      <Badge
        component={Link}
        to={`/partners/${partnerId}/onboarding`}
        size="sm"
        variant="outline"
        color={blockers.length > 0 ? 'red' : 'green'}
        style={{ cursor: 'pointer' }}
        data-testid="not-live-summary"
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
