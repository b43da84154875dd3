// Monitors (GET /api/v1/tracking-monitors): links whose tracking test re-runs on a schedule while the partner is
// active. Who may run tests turns a link's monitor on or off and sets how often it runs
// (PUT /api/v1/links/{id}/monitor); a broken setup shows its failures in a row and the risk flag it raised.
import { Anchor, Badge, Button, Group, Paper, Select, Switch, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, asApiError } from '../../api/client';
import { DateTime } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerPicker } from '../work/PartnerPicker';
import { type Monitor, TestStatusBadge } from './shared';

const INTERVALS = [1, 2, 4, 6, 12, 24, 48, 72, 168];
const intervalLabel = (h: number) =>
  h === 24
    ? 'Daily'
    : h === 168
      ? 'Weekly'
      : h % 24 === 0
        ? `Every ${h / 24} days`
        : h === 1
          ? 'Hourly'
          : `Every ${h} h`;
const LAST_STATUSES = ['passed', 'failed', 'error'] as const satisfies readonly NonNullable<
  Monitor['lastStatus']
>[];

export function MonitorsPanel() {
  const { session } = useSession();
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'lastStatus'] as const);
  const query = {
    partnerId: f.partnerId || undefined,
    lastStatus: (LAST_STATUSES as readonly string[]).includes(f.lastStatus)
      ? (f.lastStatus as (typeof LAST_STATUSES)[number])
      : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['tracking-monitors', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/tracking-monitors', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.values(query).some((v) => v !== undefined);

  return (
    <>
      <Text size="sm" c="dimmed" mb="sm" maw={860}>
        A link's first passed test puts it under a daily monitor. Monitors run only while the partner is
        active; a failure is retried after 15 minutes, and a second failure in a row raises a tracking risk
        flag on the partner, which the monitor resolves itself once the setup passes again.
      </Text>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          {!ownPartnerOnly && (
            <div style={{ width: 240 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v })}
                testId="qa-monitors-partner"
              />
            </div>
          )}
          <Select
            label="Last result"
            placeholder="Any"
            data={[
              { value: 'passed', label: 'Passed' },
              { value: 'failed', label: 'Failed' },
              { value: 'error', label: 'Error' },
            ]}
            value={query.lastStatus ?? null}
            onChange={(v) => setF({ lastStatus: v })}
            clearable
            w={140}
            data-testid="qa-monitors-status"
          />
          {filtered && (
            <Button variant="subtle" size="xs" onClick={() => setF({ partnerId: null, lastStatus: null })}>
              Clear filters
            </Button>
          )}
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={8} rows={4} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'No monitor matches these filters' : 'No link is monitored yet'}>
            {filtered
              ? 'Clear a filter to see more.'
              : 'Run a tracking test of a link: when it passes, the link is re-tested every day while its partner is active.'}
          </EmptyState>
        ) : (
          <MonitorsTable monitors={rows} />
        )}
      </Paper>
      {q.hasNextPage && (
        <Group justify="flex-end" mt="xs">
          <Button
            variant="default"
            size="xs"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      )}
    </>
  );
}

function MonitorsTable({ monitors }: { monitors: Monitor[] }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const canRun = can('tracking_qa.run');
  const [busy, setBusy] = useState<string | null>(null);

  async function save(m: Monitor, patch: { enabled?: boolean; intervalHours?: number }) {
    setBusy(m.linkId);
    const body = {
      enabled: patch.enabled ?? m.enabled,
      intervalHours: patch.intervalHours ?? m.intervalHours,
    };
    try {
      await api.put('/api/v1/links/{id}/monitor', { path: { id: m.linkId }, body });
      notifications.show({
        color: 'green',
        message: body.enabled
          ? `Monitor of ${m.linkCode}: ${intervalLabel(body.intervalHours).toLowerCase()}`
          : `Monitor of ${m.linkCode} turned off`,
      });
      await qc.invalidateQueries({ queryKey: ['tracking-monitors'] });
    } catch (err) {
      notifications.show({ color: 'red', title: 'Not saved', message: asApiError(err).detail });
    } finally {
      setBusy(null);
    }
  }

  return (
    <Table.ScrollContainer minWidth={1040}>
      <Table data-testid="qa-monitors">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Partner</Table.Th>
            <Table.Th>Link</Table.Th>
            <Table.Th>Monitor</Table.Th>
            <Table.Th>How often</Table.Th>
            <Table.Th>
              <Tooltip label="The link's latest finished test, scheduled or run by hand; every run is in the Tests tab">
                <span>Last result</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Next run</Table.Th>
            <Table.Th ta="right">Failures in a row</Table.Th>
            <Table.Th>Risk flag</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {monitors.map((m) => {
            const options = [...new Set([...INTERVALS, m.intervalHours])]
              .sort((a, b) => a - b)
              .map((h) => ({ value: String(h), label: intervalLabel(h) }));
            return (
              <Table.Tr
                key={m.linkId}
                data-testid="qa-monitor-row"
                data-link-id={m.linkId}
                data-enabled={m.enabled ? 'true' : 'false'}
              >
                <Table.Td>
                  <Anchor component={Link} to={`/partners/${m.partnerId}/tracking`} size="sm">
                    {m.partnerName}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/links/${m.linkId}`} size="sm" className="pd-mono">
                    {m.linkCode}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {m.linkName}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Tooltip
                    label={
                      canRun ? 'Turn the scheduled re-test on or off' : 'Your role cannot change monitors'
                    }
                    openDelay={300}
                  >
                    <span>
                      <Switch
                        checked={m.enabled}
                        disabled={!canRun || busy === m.linkId}
                        onChange={(e) => void save(m, { enabled: e.currentTarget.checked })}
                        label={m.enabled ? 'On' : 'Off'}
                        aria-label={`Monitor of ${m.linkCode}`}
                        data-testid="qa-monitor-enabled"
                      />
                    </span>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Select
                    size="xs"
                    data={options}
                    value={String(m.intervalHours)}
                    onChange={(v) =>
                      v && Number(v) !== m.intervalHours && void save(m, { intervalHours: Number(v) })
                    }
                    allowDeselect={false}
                    disabled={!canRun || busy === m.linkId}
                    w={140}
                    aria-label={`How often ${m.linkCode} is re-tested`}
                    data-testid="qa-monitor-interval"
                  />
                </Table.Td>
                <Table.Td>
                  {m.lastStatus ? (
                    <Group gap={6} wrap="nowrap">
                      {m.lastTestId ? (
                        <Anchor
                          component={Link}
                          to={`/tracking-tests/${m.lastTestId}`}
                          underline="never"
                          data-testid="qa-monitor-last"
                        >
                          <TestStatusBadge status={m.lastStatus} />
                        </Anchor>
                      ) : (
                        <TestStatusBadge status={m.lastStatus} />
                      )}
                      <DateTime iso={m.lastRunAt} relative />
                    </Group>
                  ) : (
                    <Text size="sm" c="dimmed">
                      not run yet
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {m.enabled && m.partnerStage !== 'active' ? (
                    <Tooltip label="Monitors run only while the partner is active; it starts with the partner's activation">
                      <Text size="sm" c="dimmed" data-testid="qa-monitor-waiting">
                        waits for activation
                        <Text span size="xs" display="block">
                          partner is {humanize(m.partnerStage).toLowerCase()}
                        </Text>
                      </Text>
                    </Tooltip>
                  ) : m.enabled ? (
                    <DateTime iso={m.nextRunAt} relative />
                  ) : (
                    <Text size="sm" c="dimmed">
                      off
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Text
                    size="sm"
                    fw={m.consecutiveFailures > 0 ? 700 : undefined}
                    c={m.consecutiveFailures > 0 ? 'red.8' : undefined}
                  >
                    {m.consecutiveFailures}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {m.openFlagId && !can('risk.read') ? (
                    <Badge color="red" variant="filled" size="sm" miw="fit-content">
                      Open flag
                    </Badge>
                  ) : m.openFlagId ? (
                    <Anchor
                      component={Link}
                      to={`/risk-flags?partnerId=${m.partnerId}`}
                      underline="never"
                      data-testid="qa-monitor-flag"
                    >
                      <Badge color="red" variant="filled" size="sm" miw="fit-content">
                        Open flag
                      </Badge>
                    </Anchor>
                  ) : (
                    <Text size="sm" c="dimmed">
                      none
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
