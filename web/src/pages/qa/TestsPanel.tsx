// Tracking tests, newest first (GET /api/v1/tracking-tests), filtered by partner, status and trigger (filters in
// the URL); a row opens the setup record. Refreshes itself while a test in view is still running.
import { Button, Group, Paper, Select, Table, Text, Tooltip } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerLink } from '../events/shared';
import { useLinkNames } from '../tracking/shared';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import { RunTrackingTestButton } from './RunTrackingTestButton';
import {
  formatDuration,
  STEP_NAMES,
  TEST_STATUSES,
  type TestListItem,
  TestStatusBadge,
  TRIGGERS,
  TriggerBadge,
  testStatusLabel,
} from './shared';

export function TestsPanel() {
  const { session } = useSession();
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'status', 'trigger'] as const);
  const query = {
    partnerId: f.partnerId || undefined,
    status: (TEST_STATUSES as readonly string[]).includes(f.status)
      ? (f.status as TestListItem['status'])
      : undefined,
    trigger: (TRIGGERS as readonly string[]).includes(f.trigger)
      ? (f.trigger as TestListItem['trigger'])
      : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['tracking-tests', query],
    staleTime: 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/tracking-tests', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (qq) =>
      qq.state.data?.pages.some((p) => p.data.some((t) => t.status === 'running')) ? 3000 : false,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.values(query).some((v) => v !== undefined);

  return (
    <>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end" justify="space-between">
          <Group gap="xs" align="flex-end">
            {!ownPartnerOnly && (
              <div style={{ width: 240 }}>
                <PartnerPicker
                  label="Partner"
                  value={f.partnerId || null}
                  onChange={(v) => setF({ partnerId: v })}
                  testId="qa-tests-partner"
                />
              </div>
            )}
            <Select
              label="Result"
              placeholder="Any"
              data={TEST_STATUSES.map((s) => ({ value: s, label: testStatusLabel(s) }))}
              value={query.status ?? null}
              onChange={(v) => setF({ status: v })}
              clearable
              w={140}
              data-testid="qa-tests-status"
            />
            <Select
              label="Trigger"
              placeholder="Any"
              data={[
                { value: 'manual', label: 'Manual' },
                { value: 'monitor', label: 'Monitor' },
              ]}
              value={query.trigger ?? null}
              onChange={(v) => setF({ trigger: v })}
              clearable
              w={140}
              data-testid="qa-tests-trigger"
            />
            {filtered && (
              <Button
                variant="subtle"
                size="xs"
                onClick={() => setF({ partnerId: null, status: null, trigger: null })}
              >
                Clear filters
              </Button>
            )}
          </Group>
          <RunTrackingTestButton
            partnerId={f.partnerId || undefined}
            label="Run a test"
            variant="filled"
            size="sm"
          />
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={7} rows={5} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'No tracking test matches these filters' : 'No tracking test yet'}>
            {filtered
              ? 'Clear a filter to see more.'
              : 'A test proves a link end to end: the click, the redirects, the landing page, test events, attribution and the partner’s postbacks. Run one with “Run a test”, or from a partner’s Tracking tab.'}
          </EmptyState>
        ) : (
          <TestsTable tests={rows} />
        )}
      </Paper>
      {rows.length > 0 && (
        <Group justify="space-between" mt="xs">
          <Text size="xs" c="dimmed">
            {rows.length} shown · times in your time zone (hover for UTC)
          </Text>
          {q.hasNextPage && (
            <Button
              variant="default"
              size="xs"
              onClick={() => void q.fetchNextPage()}
              loading={q.isFetchingNextPage}
            >
              Load more
            </Button>
          )}
        </Group>
      )}
    </>
  );
}

function TestsTable({ tests }: { tests: TestListItem[] }) {
  const partnerName = usePartnerNames(tests.map((t) => t.partnerId));
  const linkOf = useLinkNames(tests.map((t) => t.linkId));
  const open = (id: string) => navigate(`/tracking-tests/${id}`);
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table highlightOnHover data-testid="qa-tests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Partner</Table.Th>
            <Table.Th>Link</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Summary</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Run by</Table.Th>
            <Table.Th ta="right">Took</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tests.map((t) => {
            const link = linkOf(t.linkId);
            return (
              <Table.Tr
                key={t.id}
                className="pd-row-link"
                tabIndex={0}
                onClick={() => open(t.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') open(t.id);
                }}
                data-testid="qa-test-row"
                data-id={t.id}
                data-status={t.status}
              >
                <Table.Td>
                  <DateTime iso={t.startedAt} />
                </Table.Td>
                <Table.Td>
                  <PartnerLink id={t.partnerId} name={partnerName} />
                </Table.Td>
                <Table.Td>
                  <Text span className="pd-mono" title={link?.name ?? t.linkId}>
                    {link?.code ?? `${t.linkId.slice(0, 12)}…`}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <TestStatusBadge status={t.status} />
                  {t.failedStep && (
                    <Text size="xs" c="red.8">
                      at {STEP_NAMES[t.failedStep]}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td maw={420}>
                  <Tooltip label={t.summary ?? ''} disabled={!t.summary} multiline w={420} openDelay={400}>
                    <Text size="sm" lineClamp={2}>
                      {t.summary ?? (t.status === 'running' ? 'Running…' : '—')}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <TriggerBadge trigger={t.trigger} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t.requestedBy.name}</Text>
                </Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                  {formatDuration(t.durationMs)}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
