// Tracking links of every partner (a partner user: its own), filtered by partner and status (filters live in
// the URL), with the tracking URL copyable in one click, a new-link form, and a box to look up a click id.
import { Button, Group, Paper, Select, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerPicker } from '../work/PartnerPicker';
import { LinkFormModal, LinksTable } from './links';
import { LINK_STATUSES, type TrackingLink } from './shared';

export function LinksPage() {
  const { can, session } = useSession();
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'status'] as const);
  const [creating, setCreating] = useState(false);
  const query = {
    partnerId: f.partnerId || undefined,
    status: (LINK_STATUSES as readonly string[]).includes(f.status)
      ? (f.status as TrackingLink['status'])
      : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: ['links', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/links', { query: { ...query, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.values(query).some((v) => v !== undefined);

  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Title order={3}>Tracking links</Title>
          <Text size="sm" c="dimmed" maw={720}>
            Each link is a <code>/c/…</code> URL a partner hands out. A click is recorded with its sub-IDs and
            redirected to the landing page with a click id that comes back on every event.
          </Text>
        </div>
        <Group gap="xs" align="flex-end">
          <ClickLookup />
          {can('stats.read') && (
            <Button component={Link} to="/stats" variant="default">
              Stats
            </Button>
          )}
          {can('links.write') && (
            <Button onClick={() => setCreating(true)} data-testid="new-link">
              New link
            </Button>
          )}
        </Group>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          {!ownPartnerOnly && (
            <div style={{ width: 260 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v })}
                testId="links-partner"
              />
            </div>
          )}
          <Select
            label="Status"
            placeholder="Any"
            data={LINK_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
            value={query.status ?? null}
            onChange={(v) => setF({ status: v })}
            clearable
            w={150}
            data-testid="links-status"
          />
          {filtered && (
            <Button variant="subtle" size="xs" onClick={() => setF({ partnerId: null, status: null })}>
              Clear filters
            </Button>
          )}
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
          <EmptyState
            title={filtered ? 'No links match these filters' : 'No tracking links yet'}
            action={
              !filtered && can('links.write') ? (
                <Button variant="light" onClick={() => setCreating(true)}>
                  Create the first link
                </Button>
              ) : undefined
            }
          >
            {filtered
              ? 'Clear a filter to see more.'
              : can('links.write')
                ? 'Create a link for a partner: give it a name and the landing page; you get the tracking URL to send them.'
                : 'Links appear here once your partner manager creates them.'}
          </EmptyState>
        ) : (
          <LinksTable links={rows} showPartner={!ownPartnerOnly} />
        )}
      </Paper>
      {rows.length > 0 && (
        <Group justify="space-between" mt="xs">
          <Text size="xs" c="dimmed">
            {rows.length} shown
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
      <LinkFormModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

/** "Look up a click id": opens the click's story. */
export function ClickLookup({ initial = '' }: { initial?: string }) {
  const { can } = useSession();
  const [id, setId] = useState(initial);
  if (!can('clicks.read')) return null;
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = id.trim();
    if (v) navigate(`/clicks/${encodeURIComponent(v)}`);
  }
  return (
    <form onSubmit={submit} data-testid="click-lookup-form">
      <Group gap={4} align="flex-end" wrap="nowrap">
        <TextInput
          label="Look up a click id"
          placeholder="c01J…"
          value={id}
          onChange={(e) => setId(e.currentTarget.value)}
          w={240}
          classNames={{ input: 'pd-mono' }}
          data-testid="click-lookup"
        />
        <Button type="submit" variant="default" disabled={!id.trim()} data-testid="click-lookup-submit">
          Open
        </Button>
      </Group>
    </form>
  );
}
