// The audit log: every change, newest first, filterable; "Verify chain" recomputes the hash chain on the
// server and names the first entry that was altered, removed or reordered.
import {
  Alert,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { paths } from '../../api/schema';
import { DateTime } from '../../components/bits';
import { Changes } from '../../components/Changes';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { ACTION_WORDS, actionColor, actionInWords } from '../../lib/audit-words';
import { Link } from '../../lib/router';
import { useUrlState } from '../../lib/url-state';

type AuditAction = NonNullable<NonNullable<paths['/api/v1/audit']['get']['parameters']['query']>['action']>;

const KEYS = ['action', 'entityType', 'entityId', 'partnerId', 'actorId', 'from', 'to'] as const;

export function AuditPage() {
  const [f, setF] = useUrlState(KEYS);
  const q = useInfiniteQuery({
    queryKey: ['audit', f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get('/api/v1/audit', {
        query: {
          action: (f.action || undefined) as AuditAction | undefined,
          entityType: f.entityType || undefined,
          entityId: f.entityId || undefined,
          partnerId: f.partnerId || undefined,
          actorId: f.actorId || undefined,
          from: f.from || undefined,
          to: f.to || undefined,
          limit: 100,
          cursor: pageParam,
        },
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const verify = useMutation({ mutationFn: () => api.get('/api/v1/audit/verify') });
  const entries = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = KEYS.some((k) => f[k]);

  const text = (key: (typeof KEYS)[number], placeholder: string, w: number, type = 'text') => (
    <TextInput
      key={`${key}-${f[key]}`}
      placeholder={placeholder}
      defaultValue={f[key]}
      type={type}
      w={w}
      aria-label={placeholder}
      onBlur={(e) => setF({ [key]: e.currentTarget.value.trim() })}
      onKeyDown={(e) => {
        if (e.key === 'Enter') setF({ [key]: e.currentTarget.value.trim() });
      }}
    />
  );

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3}>Audit log</Title>
        <Button
          variant="default"
          onClick={() => verify.mutate()}
          loading={verify.isPending}
          data-testid="audit-verify"
        >
          Verify chain
        </Button>
      </Group>
      {verify.isError && <ErrorState error={verify.error} />}
      {verify.data && (
        <Alert
          color={verify.data.ok ? 'green' : 'red'}
          variant="light"
          title={verify.data.ok ? 'The audit chain is intact' : 'The audit chain is broken'}
          withCloseButton
          onClose={() => verify.reset()}
          data-testid="audit-verify-result"
        >
          <Text size="sm">
            {verify.data.checked} entries checked; head #{verify.data.headSeq}{' '}
            <Tooltip label={verify.data.headHash}>
              <span className="pd-mono">{verify.data.headHash.slice(0, 16)}…</span>
            </Tooltip>
          </Text>
          {verify.data.firstBad && (
            <Text size="sm" fw={600}>
              First bad entry: #{verify.data.firstBad.seq} ({verify.data.firstBad.id}) —{' '}
              {verify.data.firstBad.problem}
            </Text>
          )}
        </Alert>
      )}
      <Paper withBorder p="xs">
        <Group gap="xs">
          <Select
            placeholder="Action"
            data={Object.keys(ACTION_WORDS).map((a) => ({ value: a, label: a }))}
            value={f.action || null}
            onChange={(v) => setF({ action: v })}
            searchable
            clearable
            w={220}
            aria-label="Action"
          />
          {text('entityType', 'Entity type', 120)}
          {text('entityId', 'Entity id', 200)}
          {text('partnerId', 'Partner id', 200)}
          {text('actorId', 'Actor id', 200)}
          <Tooltip label="From (UTC date)">{text('from', 'From', 140, 'date')}</Tooltip>
          <Tooltip label="To (UTC date, exclusive)">{text('to', 'To', 140, 'date')}</Tooltip>
          {filtered && (
            <Button variant="subtle" onClick={() => setF(Object.fromEntries(KEYS.map((k) => [k, null])))}>
              Clear
            </Button>
          )}
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : entries.length === 0 ? (
          <EmptyState title={filtered ? 'No entries match' : 'The audit log is empty'}>
            {filtered ? 'Remove a filter to see more.' : ''}
          </EmptyState>
        ) : (
          <Table data-testid="audit-table" verticalSpacing={6} layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={50}>#</Table.Th>
                <Table.Th w={150}>When</Table.Th>
                <Table.Th w={170}>Actor</Table.Th>
                <Table.Th w={190}>Action</Table.Th>
                <Table.Th w={200}>Entity</Table.Th>
                <Table.Th>Changes</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => (
                <Table.Tr key={e.id} style={{ verticalAlign: 'top' }} data-testid="audit-row">
                  <Table.Td>
                    <Tooltip label={`hash ${e.hash}\nprev ${e.prevHash}`} multiline w={360}>
                      <Text size="xs" className="pd-mono">
                        {e.seq}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <DateTime iso={e.at} />
                  </Table.Td>
                  <Table.Td>
                    <Text
                      size="xs"
                      className="pd-mono"
                      style={{ cursor: 'pointer', overflowWrap: 'anywhere' }}
                      onClick={() => setF({ actorId: e.actorId })}
                      title="Filter by this actor"
                    >
                      {e.actorType === 'system' ? 'system' : e.actorId}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text
                      size="xs"
                      className="pd-mono"
                      c={`${actionColor(e.action)}.8`}
                      style={{ cursor: 'pointer', overflowWrap: 'anywhere' }}
                      onClick={() => setF({ action: e.action })}
                      title="Filter by this action"
                    >
                      {e.action}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {actionInWords(e.action)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{e.entityType}</Text>
                    {e.partnerId ? (
                      <Link
                        to={`/partners/${e.partnerId}/timeline`}
                        className="pd-mono"
                        style={{ fontSize: 11, overflowWrap: 'anywhere' }}
                      >
                        {e.entityId}
                      </Link>
                    ) : (
                      <Text size="xs" className="pd-mono" style={{ overflowWrap: 'anywhere' }}>
                        {e.entityId}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td maw={480}>
                    {e.data ? (
                      <>
                        <Changes before={e.data.before} after={e.data.after} />
                        {e.data.reason && (
                          <Text size="xs" c="dimmed">
                            Reason: “{e.data.reason}”
                          </Text>
                        )}
                      </>
                    ) : (
                      <Text size="xs" c="dimmed">
                        personal data erased
                      </Text>
                    )}
                    {e.requestId && (
                      <Text size="xs" c="dimmed" className="pd-mono">
                        {e.requestId}
                      </Text>
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
