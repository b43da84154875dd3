// One tracking link: its URLs (the tracking URL copyable in one click), settings, status actions with a reason,
// and its clicks, unique clicks and bots per day (chart) and per sub1 (table) from GET /api/v1/links/{id}/stats.
import { LineChart } from '@mantine/charts';
import {
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { formatCount, formatDate } from '../../lib/format';
import { countryName } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerLink, useProgrammes } from '../events/shared';
import { RunTrackingTestButton } from '../qa/RunTrackingTestButton';
import { usePartnerNames } from '../work/PartnerPicker';
import { LinkActions, LinkFormModal, type LinkOp, LinkStatusModal } from './links';
import { type LinkStats, LinkStatusBadge, NumTd, TrackingUrl } from './shared';

export function LinkPage({ id }: { id: string }) {
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const [op, setOp] = useState<LinkOp | null>(null);
  const q = useQuery({
    queryKey: ['link', id],
    queryFn: () => api.get('/api/v1/links/{id}', { path: { id } }),
  });
  const programmes = useProgrammes();
  const partnerName = usePartnerNames(q.data ? [q.data.partnerId] : []);
  const crumbs = (
    <Breadcrumbs>
      <Anchor component={Link} to="/links" size="sm">
        Links
      </Anchor>
      <Text size="sm">{q.data?.name ?? id}</Text>
    </Breadcrumbs>
  );
  if (q.isPending)
    return (
      <Stack gap="md" data-testid="loading">
        <Skeleton height={28} width={320} />
        <Skeleton height={120} />
        <Skeleton height={260} />
      </Stack>
    );
  if (q.isError)
    return (
      <Stack>
        {crumbs}
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </Stack>
    );
  const l = q.data;
  const programme = programmes.data?.data.find((p) => (l.programmeId ? p.id === l.programmeId : p.isDefault));

  return (
    <Stack gap="md" data-testid="link-page">
      {crumbs}
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={3} data-testid="link-title">
              {l.name}
            </Title>
            <LinkStatusBadge status={l.status} />
          </Group>
          <Text size="sm" c="dimmed">
            Tracking link of <PartnerLink id={l.partnerId} name={partnerName} /> · code{' '}
            <span className="pd-mono">{l.code}</span>
            {l.campaign ? ` · campaign ${l.campaign}` : ''}
          </Text>
        </div>
        <Group gap="xs">
          {l.status === 'active' && (
            <RunTrackingTestButton linkId={l.id} partnerId={l.partnerId} size="sm" variant="default" />
          )}
          {can('stats.read') && (
            <Button component={Link} to={`/stats?linkId=${l.id}&partnerId=${l.partnerId}`} variant="default">
              Conversions in stats
            </Button>
          )}
          <LinkActions link={l} onEdit={() => setEditing(true)} onOp={setOp} size="xs" />
        </Group>
      </Group>

      <Paper withBorder p="md">
        <Stack gap="sm">
          <Fact label="Tracking URL — hand this out">
            <TrackingUrl url={l.trackingUrl} />
            <Text size="xs" c="dimmed" mt={2}>
              Partners may add <code>sub1</code>…<code>sub5</code> to it, e.g.{' '}
              <span className="pd-mono" style={{ wordBreak: 'break-all' }}>
                {l.trackingUrl}?sub1=campaign-a&amp;sub2=banner-3
              </span>
            </Text>
          </Fact>
          <Fact label="Landing URL">
            <Text className="pd-mono" style={{ wordBreak: 'break-all' }} data-testid="link-landing">
              {l.landingUrl}
            </Text>
          </Fact>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md">
            <Fact label="Allowed countries">
              <Text size="sm">
                {l.allowedCountries.length === 0
                  ? 'Every country'
                  : l.allowedCountries.map((c) => `${c} (${countryName(c)})`).join(', ')}
              </Text>
            </Fact>
            <Fact label="Programme">
              <Text size="sm">
                {programme?.name ?? l.programmeId ?? 'The default programme'}
                {programme && !l.programmeId ? ' (the default)' : ''}
              </Text>
            </Fact>
            <Fact label="Created">
              <DateTime iso={l.createdAt} />
            </Fact>
            <Fact label="Changed">
              <DateTime iso={l.updatedAt} />
            </Fact>
          </SimpleGrid>
        </Stack>
      </Paper>

      <LinkStatsPanel linkId={l.id} />

      <LinkFormModal opened={editing} onClose={() => setEditing(false)} link={l} />
      <LinkStatusModal link={op ? l : null} op={op} onClose={() => setOp(null)} />
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={2}>
        {label}
      </Text>
      {children}
    </div>
  );
}

function addDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Every day of the range with its counts (days without clicks count zero, so the line does not skip them). */
function dailySeries(s: LinkStats) {
  const byDay = new Map(s.days.map((d) => [d.day, d]));
  const out: { day: string; label: string; Clicks: number; Unique: number; Bots: number }[] = [];
  for (let d = s.from; d <= s.to && out.length < 400; d = addDay(d, 1)) {
    const row = byDay.get(d);
    out.push({
      day: d,
      label: formatDate(d),
      Clicks: row?.clicks ?? 0,
      Unique: row?.uniqueClicks ?? 0,
      Bots: row?.bots ?? 0,
    });
  }
  return out;
}

export function LinkStatsPanel({ linkId }: { linkId: string }) {
  const [f, setF] = useUrlState(['from', 'to'] as const);
  const query = { from: f.from || undefined, to: f.to || undefined };
  const q = useQuery({
    queryKey: ['link', linkId, 'stats', query],
    staleTime: 0,
    queryFn: ({ signal }) => api.get('/api/v1/links/{id}/stats', { path: { id: linkId }, query, signal }),
  });
  const s = q.data;
  return (
    <Stack gap="sm" data-testid="link-stats-panel">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={5}>Clicks</Title>
          <Text size="xs" c="dimmed">
            Days in UTC. Unique clicks are neither duplicates nor bots; test clicks of tracking QA are not
            counted.
          </Text>
        </div>
        <Group gap="xs" align="flex-end">
          <TextInput
            label="From"
            type="date"
            value={f.from || s?.from || ''}
            onChange={(e) => setF({ from: e.currentTarget.value })}
            w={150}
            data-testid="link-stats-from"
          />
          <TextInput
            label="To"
            type="date"
            value={f.to || s?.to || ''}
            onChange={(e) => setF({ to: e.currentTarget.value })}
            w={150}
            data-testid="link-stats-to"
          />
          {(f.from || f.to) && (
            <Button variant="subtle" size="xs" onClick={() => setF({ from: null, to: null })}>
              Last 30 days
            </Button>
          )}
          <Button variant="default" size="xs" onClick={() => void q.refetch()} loading={q.isFetching}>
            Refresh
          </Button>
        </Group>
      </Group>
      {q.isPending ? (
        <BlockSkeleton lines={6} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <Total label="Clicks" value={s?.totals.clicks} testId="link-total-clicks" />
            <Total label="Unique clicks" value={s?.totals.uniqueClicks} testId="link-total-unique" />
            <Total label="Bots" value={s?.totals.bots} testId="link-total-bots" />
          </SimpleGrid>
          {s && s.totals.clicks === 0 ? (
            <Paper withBorder>
              <EmptyState title="No clicks in this range">
                Open the tracking URL above in a browser to see a click arrive here, or widen the dates.
              </EmptyState>
            </Paper>
          ) : (
            s && (
              <>
                <Paper withBorder p="sm">
                  <LineChart
                    h={240}
                    data={dailySeries(s)}
                    dataKey="label"
                    series={[
                      { name: 'Clicks', color: 'blue.6' },
                      { name: 'Unique', color: 'teal.6' },
                      { name: 'Bots', color: 'red.5' },
                    ]}
                    curveType="linear"
                    withLegend
                    withDots={s.days.length < 40}
                    valueFormatter={(v) => formatCount(v)}
                    data-testid="link-stats-chart"
                  />
                </Paper>
                <Paper withBorder>
                  <Table data-testid="sub1-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>sub1</Table.Th>
                        <Table.Th ta="right">Clicks</Table.Th>
                        <Table.Th ta="right">Unique</Table.Th>
                        <Table.Th ta="right">Bots</Table.Th>
                        <Table.Th ta="right">Bot share</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {[...s.bySub1]
                        .sort((a, b) => b.clicks - a.clicks || a.sub1.localeCompare(b.sub1))
                        .map((r) => (
                          <Table.Tr key={r.sub1} data-testid="sub1-row" data-sub1={r.sub1}>
                            <Table.Td maw={360}>
                              {r.sub1 === '' ? (
                                <Text size="sm" c="dimmed" fs="italic">
                                  no sub1
                                </Text>
                              ) : (
                                <Text className="pd-mono" truncate title={r.sub1}>
                                  {r.sub1}
                                </Text>
                              )}
                            </Table.Td>
                            <NumTd n={r.clicks} />
                            <NumTd n={r.uniqueClicks} />
                            <NumTd n={r.bots} />
                            <Table.Td ta="right">
                              {r.clicks ? `${((100 * r.bots) / r.clicks).toFixed(1)}%` : '—'}
                            </Table.Td>
                          </Table.Tr>
                        ))}
                    </Table.Tbody>
                  </Table>
                </Paper>
              </>
            )
          )}
        </>
      )}
    </Stack>
  );
}

function Total({ label, value, testId }: { label: string; value: number | undefined; testId: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {formatCount(value)}
      </Text>
    </Paper>
  );
}
