// The event inbox: inbound requests that could not be recorded (a field missing or wrong, a bad signature, a
// disabled source), kept as received (token redacted) so Ops can see what the sender got wrong, tell them,
// and mark the item resolved with a note.
import { Badge, Button, Code, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { useUrlState } from '../../lib/url-state';
import { ReasonModal } from '../partner/DocumentsTab';
import { type InboxItem, useSourceNames, useUserNames } from './shared';

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: { field: string; message: string }[];
}

function problemOf(p: unknown): Problem {
  return p && typeof p === 'object' ? (p as Problem) : { detail: String(p ?? '') };
}

export function EventInboxPage() {
  const [f, setF] = useUrlState(['status', 'sourceId'] as const);
  const [resolving, setResolving] = useState<InboxItem | null>(null);
  const sources = useQuery({ queryKey: ['event-sources'], queryFn: () => api.get('/api/v1/event-sources') });
  const status = (f.status || 'open') as 'open' | 'resolved' | 'all';
  const query = { status: status === 'all' ? undefined : status, sourceId: f.sourceId || undefined };
  const q = useInfiniteQuery({
    queryKey: ['event-inbox', query],
    staleTime: 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/event-inbox', { query: { ...query, limit: 30, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const sourceName = useSourceNames();
  const userName = useUserNames();

  return (
    <>
      <Group justify="space-between" mb="sm">
        <div>
          <Title order={3}>Event inbox</Title>
          <Text size="sm" c="dimmed">
            Requests to <code>/postback</code> and the batch API that were refused, kept as received (tokens
            redacted). Nothing here was recorded: the sender must fix the request and send it again.
          </Text>
        </div>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <Select
            label="Status"
            data={[
              { value: 'open', label: 'Open' },
              { value: 'resolved', label: 'Resolved' },
              { value: 'all', label: 'All' },
            ]}
            value={status}
            onChange={(v) => setF({ status: v === 'open' ? null : v })}
            allowDeselect={false}
            w={130}
            data-testid="inbox-status"
          />
          <Select
            label="Source"
            placeholder="Any"
            data={(sources.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={f.sourceId || null}
            onChange={(v) => setF({ sourceId: v })}
            clearable
            w={200}
          />
        </Group>
      </Paper>
      {q.isPending ? (
        <Paper withBorder p="md">
          <BlockSkeleton />
        </Paper>
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : rows.length === 0 ? (
        <Paper withBorder>
          <EmptyState title={status === 'open' ? 'The inbox is empty' : 'Nothing matches'}>
            {status === 'open'
              ? 'Every request that reached an event source was valid (or has been resolved).'
              : 'Try another status or source.'}
          </EmptyState>
        </Paper>
      ) : (
        <Stack gap="sm" data-testid="inbox-list">
          {rows.map((item) => {
            const p = problemOf(item.problem);
            return (
              <Paper withBorder p="sm" key={item.id} data-testid="inbox-item" data-status={item.status}>
                <Group justify="space-between" align="flex-start" wrap="nowrap">
                  <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
                    <Group gap="xs">
                      <DateTime iso={item.receivedAt} />
                      <Badge size="sm" variant="light" color="gray">
                        {item.channel === 'postback' ? 'Postback' : 'Batch API'}
                      </Badge>
                      <Text size="sm" fw={500}>
                        {item.sourceId ? (sourceName(item.sourceId) ?? item.sourceId) : 'unknown source'}
                      </Text>
                      {item.ip && (
                        <Text size="xs" c="dimmed">
                          from {item.ip}
                        </Text>
                      )}
                      <Badge
                        size="sm"
                        variant="light"
                        color={item.status === 'open' ? 'orange' : 'teal'}
                        data-testid="inbox-status-badge"
                      >
                        {item.status === 'open' ? 'Open' : 'Resolved'}
                      </Badge>
                    </Group>
                    <Text size="sm" c="red.8" data-testid="inbox-problem">
                      {p.errors && p.errors.length > 0
                        ? `Refused: ${p.errors.length === 1 ? 'one field is' : `${p.errors.length} fields are`} not valid`
                        : (p.detail ?? p.title ?? 'Refused')}
                    </Text>
                    {p.errors && p.errors.length > 0 && (
                      <ul style={{ margin: 0, paddingLeft: 18 }}>
                        {p.errors.map((fe) => (
                          <li key={fe.field + fe.message}>
                            <Text size="sm">
                              <Code>{fe.field}</Code> {fe.message}
                            </Text>
                          </li>
                        ))}
                      </ul>
                    )}
                    <Code
                      block
                      data-testid="inbox-raw"
                      style={{
                        whiteSpace: 'pre-wrap',
                        wordBreak: 'break-all',
                        maxHeight: 220,
                        overflow: 'auto',
                      }}
                    >
                      {item.raw.trim() || `${item.method} ${item.path}`}
                    </Code>
                    {item.contentType && (
                      <Text size="xs" c="dimmed">
                        Content-Type: {item.contentType}
                      </Text>
                    )}
                    {item.status === 'resolved' && (
                      <Text size="sm" c="teal.8" data-testid="inbox-resolution">
                        Resolved by {userName(item.resolvedBy)}
                        {item.resolvedAt && (
                          <>
                            {' '}
                            <DateTime iso={item.resolvedAt} relative />
                          </>
                        )}
                        : {item.resolution}
                      </Text>
                    )}
                  </Stack>
                  {item.status === 'open' && (
                    <Button
                      size="xs"
                      variant="light"
                      color="teal"
                      onClick={() => setResolving(item)}
                      data-testid="inbox-resolve"
                    >
                      Mark resolved
                    </Button>
                  )}
                </Group>
              </Paper>
            );
          })}
        </Stack>
      )}
      {q.hasNextPage && (
        <Group justify="center" mt="xs">
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
      <ReasonModal
        title="Mark resolved"
        opened={resolving !== null}
        onClose={() => setResolving(null)}
        label="Resolution note: what was done (e.g. “told the back office team to send amount as 250.00”)"
        confirm="Mark resolved"
        color="teal"
        invalidate={[['event-inbox']]}
        onSubmit={async (resolution) => {
          if (!resolving) return;
          await api.post('/api/v1/event-inbox/{id}/resolve', {
            path: { id: resolving.id },
            body: { resolution },
          });
        }}
      />
    </>
  );
}
