// Inbound events, newest first, filtered by partner, type, attribution, source and test (filters live in the
// URL); a row opens the client the event belongs to.
import { Button, Group, Paper, Select, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerPicker } from '../work/PartnerPicker';
import {
  ATTRIBUTIONS,
  attributionOptions,
  EVENT_TYPES,
  EventTable,
  eventLabel,
  type PdEvent,
} from './shared';

const TEST_OPTIONS = [
  { value: 'false', label: 'Real only' },
  { value: 'true', label: 'Test only' },
];

export function EventsPage() {
  const { can, session } = useSession();
  // A partner user sees only its own partner's events: no partner filter.
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'type', 'attribution', 'sourceId', 'test'] as const);
  const sources = useQuery({
    queryKey: ['event-sources'],
    queryFn: () => api.get('/api/v1/event-sources'),
    enabled: can('event_sources.manage'),
  });
  const query = {
    partnerId: f.partnerId || undefined,
    type: (EVENT_TYPES as readonly string[]).includes(f.type) ? (f.type as PdEvent['type']) : undefined,
    attribution: (ATTRIBUTIONS as readonly string[]).includes(f.attribution)
      ? (f.attribution as PdEvent['attribution'])
      : undefined,
    sourceId: f.sourceId || undefined,
    test: f.test === 'true' || f.test === 'false' ? f.test : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['events', query],
    staleTime: 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/events', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.values(query).some((v) => v !== undefined);

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Events</Title>
        <Group gap="xs">
          <Button component={Link} to="/clients" variant="default" size="xs">
            Clients
          </Button>
          <Button component={Link} to="/admin/programmes" variant="default" size="xs">
            Programmes
          </Button>
        </Group>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          {!ownPartnerOnly && (
            <div style={{ width: 240 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v })}
                testId="events-partner"
              />
            </div>
          )}
          <Select
            label="Type"
            placeholder="Any"
            data={EVENT_TYPES.map((t) => ({ value: t, label: eventLabel(t) }))}
            value={query.type ?? null}
            onChange={(v) => setF({ type: v })}
            clearable
            w={150}
            data-testid="events-type"
          />
          <Select
            label="Attribution"
            placeholder="Any"
            data={attributionOptions}
            value={query.attribution ?? null}
            onChange={(v) => setF({ attribution: v })}
            clearable
            w={150}
            data-testid="events-attribution"
          />
          {can('event_sources.manage') && (
            <Select
              label="Source"
              placeholder="Any"
              data={(sources.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={f.sourceId || null}
              onChange={(v) => setF({ sourceId: v })}
              clearable
              w={180}
              data-testid="events-source"
            />
          )}
          <Select
            label="Test events"
            placeholder="Real and test"
            data={TEST_OPTIONS}
            value={query.test ?? null}
            onChange={(v) => setF({ test: v })}
            clearable
            w={150}
            data-testid="events-test"
          />
          {filtered && (
            <Button
              variant="subtle"
              size="xs"
              onClick={() =>
                setF({ partnerId: null, type: null, attribution: null, sourceId: null, test: null })
              }
            >
              Clear filters
            </Button>
          )}
        </Group>
      </Paper>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={9} rows={6} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'No events match these filters' : 'No events yet'}>
            {filtered ? (
              'Clear a filter to see more.'
            ) : (
              <>
                Events arrive from the back office at <code>/postback</code> or through the batch API.
                {can('event_sources.manage') && (
                  <>
                    {' '}
                    Create an event source under <Link to="/admin/event-sources">Event sources</Link> to get a
                    token.
                  </>
                )}
              </>
            )}
          </EmptyState>
        ) : (
          <EventTable events={rows} />
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
