// The partner's tracking setup in one place: its tracking links (create, copy, pause…), the tracking test
// that proves the whole chain, its outbound postbacks (set up, test, sign) and their delivery log, and the
// reconciliation of the partner's own numbers against ours.
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Partner } from '../../api/types';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { ReconciliationPanel } from '../qa/ReconciliationPanel';
import { RunTrackingTestButton } from '../qa/RunTrackingTestButton';
import { DeliveryLog } from '../tracking/DeliveryLog';
import { LinkFormModal, LinksTable } from '../tracking/links';
import { PostbacksPanel } from '../tracking/PostbacksPanel';

export function TrackingTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const [f, setF] = useUrlState(['postbackId', 'deliveryStatus'] as const);
  const links = useInfiniteQuery({
    queryKey: ['links', { partnerId: partner.id }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/links', { query: { partnerId: partner.id, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = links.data?.pages.flatMap((p) => p.data) ?? [];
  const canWrite = can('links.write') && !partner.archivedAt;

  return (
    <Stack gap="lg" data-testid="tracking-tab">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={5}>Tracking links</Title>
            <Text size="xs" c="dimmed">
              Hand the tracking URL to the partner; clicks are counted per day and per sub1 on each link’s
              page.
            </Text>
          </div>
          <Group gap="xs">
            {!partner.archivedAt && (
              <RunTrackingTestButton partnerId={partner.id} size="xs" variant="default" />
            )}
            {can('tracking_qa.read') && (
              <Button
                size="xs"
                variant="default"
                component={Link}
                to={`/tracking-qa?partnerId=${partner.id}`}
              >
                Test history
              </Button>
            )}
            {can('stats.read') && (
              <Button size="xs" variant="default" component={Link} to={`/stats?partnerId=${partner.id}`}>
                Stats
              </Button>
            )}
            {canWrite && (
              <Button size="xs" onClick={() => setCreating(true)} data-testid="new-link">
                New link
              </Button>
            )}
          </Group>
        </Group>
        <Paper withBorder>
          {links.isPending ? (
            <TableSkeleton cols={6} rows={2} />
          ) : links.isError ? (
            <div style={{ padding: 12 }}>
              <ErrorState error={links.error} onRetry={() => void links.refetch()} />
            </div>
          ) : rows.length === 0 ? (
            <EmptyState
              title="No tracking link yet"
              action={
                canWrite ? (
                  <Button variant="light" size="xs" onClick={() => setCreating(true)}>
                    Create the first link
                  </Button>
                ) : undefined
              }
            >
              {partner.archivedAt
                ? 'The partner is archived: restore it to add links.'
                : 'Create a link with the landing page the partner should send traffic to; you get the tracking URL to hand out.'}
            </EmptyState>
          ) : (
            <LinksTable links={rows} showPartner={false} />
          )}
        </Paper>
        {links.hasNextPage && (
          <Group justify="flex-end">
            <Button
              variant="default"
              size="xs"
              onClick={() => void links.fetchNextPage()}
              loading={links.isFetchingNextPage}
            >
              Load more
            </Button>
          </Group>
        )}
      </Stack>

      {can('postbacks.read') && (
        <>
          <PostbacksPanel
            partner={partner}
            onShowDeliveries={(postbackId) => {
              setF({ postbackId });
              document.querySelector('[data-testid=delivery-log]')?.scrollIntoView({ behavior: 'smooth' });
            }}
          />
          <DeliveryLog
            partnerId={partner.id}
            postbackId={f.postbackId}
            status={f.deliveryStatus}
            onFilter={(patch) =>
              setF({
                ...(patch.postbackId !== undefined ? { postbackId: patch.postbackId } : {}),
                ...(patch.status !== undefined ? { deliveryStatus: patch.status } : {}),
              })
            }
          />
        </>
      )}

      {can('tracking_qa.read') && (
        <Stack gap="xs">
          <div>
            <Title order={5}>Reconcile with the partner's numbers</Title>
            <Text size="xs" c="dimmed">
              Upload the CSV the partner's tracker exports (per day, optionally per sub-ID): every figure is
              compared with ours — under 2% apart is normal, over 5% is a problem to investigate.
            </Text>
          </div>
          <ReconciliationPanel partnerId={partner.id} />
        </Stack>
      )}

      <LinkFormModal opened={creating} onClose={() => setCreating(false)} partnerId={partner.id} />
    </Stack>
  );
}
