// Stalled: partners over N days in their current onboarding stage (or suspended), longest first. N, owner and
// type live in the URL.
import { Anchor, Badge, Group, NumberInput, Paper, Select, Table, Text, Title, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { DateTime, StageBadge } from '../../components/bits';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { stalledColor } from '../../components/work';
import { options, PARTNER_TYPES, TYPE_LABELS } from '../../lib/reference';
import { Link, navigate } from '../../lib/router';
import { useUrlState } from '../../lib/url-state';
import { useOwnerOptions } from '../partners/owners';

const KEYS = ['days', 'ownerId', 'type'] as const;

export function StalledPage() {
  const [f, setF] = useUrlState(KEYS);
  const owners = useOwnerOptions();
  const [days, setDays] = useState<number | string>(f.days ? Number(f.days) : 14);
  const [debounced] = useDebouncedValue(days, 300);
  useEffect(() => {
    const n = typeof debounced === 'number' ? debounced : Number.parseInt(debounced, 10);
    if (Number.isInteger(n) && n >= 0 && String(n) !== (f.days || '14'))
      setF({ days: n === 14 ? null : String(n) });
  }, [debounced, f.days, setF]);
  const query = {
    days: Number(f.days || 14),
    ownerId: f.ownerId || undefined,
    type: (f.type || undefined) as (typeof PARTNER_TYPES)[number] | undefined,
  };
  const q = useQuery({
    queryKey: ['stalled', query],
    queryFn: ({ signal }) => api.get('/api/v1/onboarding/stalled', { query, signal }),
  });
  const rows = q.data?.data ?? [];

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Stalled partners</Title>
        <Anchor component={Link} to="/pipeline" size="sm">
          Pipeline board
        </Anchor>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <NumberInput
            label="Over this many days in a stage"
            value={days}
            onChange={setDays}
            min={0}
            max={3650}
            w={210}
            data-testid="stalled-days"
          />
          <Select
            label="BDM (owner)"
            placeholder="Anyone"
            data={owners.options}
            value={f.ownerId || null}
            onChange={(v) => setF({ ownerId: v })}
            clearable
            searchable
            w={190}
          />
          <Select
            label="Type"
            placeholder="Any"
            data={options(PARTNER_TYPES, TYPE_LABELS)}
            value={f.type || null}
            onChange={(v) => setF({ type: v })}
            clearable
            w={130}
          />
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={7} rows={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={`No partner has been more than ${query.days} days in a stage`}>
            Lower the number of days to see partners that are getting slow.
          </EmptyState>
        ) : (
          <Table highlightOnHover data-testid="stalled-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Partner</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Days</Table.Th>
                <Table.Th>Since</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Blocking</Table.Th>
                <Table.Th>Tasks</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr
                  key={p.id}
                  className="pd-row-link"
                  tabIndex={0}
                  onClick={() => navigate(`/partners/${p.id}/onboarding`)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') navigate(`/partners/${p.id}/onboarding`);
                    if (e.key === 'ArrowDown')
                      (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
                    if (e.key === 'ArrowUp')
                      (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
                  }}
                  data-testid="stalled-row"
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {p.displayName}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {TYPE_LABELS[p.type] ?? p.type}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StageBadge stage={p.stage} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={700} c={stalledColor(p.daysInStage) ?? 'orange.7'}>
                      {p.enteredAtExact ? '' : '≥'}
                      {p.daysInStage}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={p.enteredAt} />
                  </Table.Td>
                  <Table.Td>
                    {p.owner?.name ?? (
                      <Text span c="dimmed" size="sm">
                        Unassigned
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {p.blockingCount > 0 ? (
                      <Badge size="sm" color="red" variant="light">
                        {p.blockingCount}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        0
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={`${p.overdueTasks} overdue`}>
                      <Text size="sm" c={p.overdueTasks ? 'red.7' : undefined}>
                        {p.openTasks}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {rows.length > 0 && (
        <Text size="xs" c="dimmed" mt="xs">
          {rows.length} partner(s) · ↑↓ to move, Enter to open the onboarding tab
        </Text>
      )}
    </>
  );
}
