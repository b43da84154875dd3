// Timeline: everything that happened to the partner, newest first, straight from the audit log: who, when
// (local time; UTC on hover), what in words, which fields changed from what to what, and why.
import { Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Partner } from '../../api/types';
import { DateTime } from '../../components/bits';
import { Changes } from '../../components/Changes';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { actionColor, actionInWords } from '../../lib/audit-words';
import { humanize } from '../../lib/format';

export function TimelineTab({ partner }: { partner: Partner }) {
  const q = useInfiniteQuery({
    queryKey: ['partner', partner.id, 'timeline'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get('/api/v1/partners/{id}/timeline', {
        path: { id: partner.id },
        query: { limit: 100, cursor: pageParam },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack gap="sm">
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={4} rows={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState title="Nothing has happened yet">
            Every change to this partner will be listed here.
          </EmptyState>
        ) : (
          <Table data-testid="timeline-table" verticalSpacing={8}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={160}>When</Table.Th>
                <Table.Th w={180}>Who</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Changes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((it) => (
                <Table.Tr
                  key={it.id}
                  data-testid="timeline-item"
                  data-action={it.action}
                  style={{ verticalAlign: 'top' }}
                >
                  <Table.Td>
                    <DateTime iso={it.at} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{it.actor.name}</Text>
                    {it.actor.type !== 'user' && (
                      <Text size="xs" c="dimmed">
                        {humanize(it.actor.type)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Badge size="xs" variant="dot" color={actionColor(it.action)}>
                        {it.entityType}
                      </Badge>
                      <Text size="sm">{actionInWords(it.action)}</Text>
                    </Group>
                    {it.reason && (
                      <Text size="xs" c="dimmed" mt={2}>
                        Reason: “{it.reason}”
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td maw={520}>
                    {it.erased ? (
                      <Text size="xs" c="dimmed">
                        personal data erased
                      </Text>
                    ) : (
                      it.changes && <Changes before={it.changes.before} after={it.changes.after} />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {q.hasNextPage && (
        <Group justify="center">
          <Button
            variant="default"
            size="xs"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load older
          </Button>
        </Group>
      )}
    </Stack>
  );
}
