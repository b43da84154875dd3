// Stats from the click and event rollups (GET /api/v1/stats): a date range (default the last 30 days, UTC),
// a grouping (day, partner, link, sub1), partner/link/sub1 filters (all in the URL), clicks, registrations
// and FTDs per day as a chart, and a table with the figures and conversion rates. A partner user sees only
// its own figures (the API pins it).
import { LineChart } from '@mantine/charts';
import {
  Anchor,
  Badge,
  Button,
  CloseButton,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { BlockSkeleton, EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { formatBps, formatCount, formatDate, formatLots, formatMoney } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerLink } from '../events/shared';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import { NumTd, type StatsFigures, type StatsRow, useLinkNames } from './shared';

const GROUPS = [
  { value: 'day', label: 'Day' },
  { value: 'partner', label: 'Partner' },
  { value: 'link', label: 'Tracking link' },
  { value: 'sub1', label: 'sub1' },
] as const;
type GroupKey = (typeof GROUPS)[number]['value'];

const KEYS = ['from', 'to', 'groupBy', 'partnerId', 'linkId', 'sub1'] as const;

function addDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export function StatsPage() {
  const { session } = useSession();
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(KEYS);
  const groupBy: GroupKey = GROUPS.some((g) => g.value === f.groupBy) ? (f.groupBy as GroupKey) : 'day';
  const filters = {
    from: f.from || undefined,
    to: f.to || undefined,
    partnerId: f.partnerId || undefined,
    linkId: f.linkId || undefined,
    // An empty sub1 means "without sub1" to the API, so only a typed value filters.
    sub1: f.sub1 || undefined,
  };
  // The day series feeds the chart (and the table when grouped by day): at most 400 days, one page.
  const daily = useQuery({
    queryKey: ['stats', 'day', filters],
    queryFn: ({ signal }) =>
      api.get('/api/v1/stats', { query: { ...filters, groupBy: 'day', limit: 400 }, signal }),
  });
  const grouped = useInfiniteQuery({
    queryKey: ['stats', 'grouped', groupBy, filters],
    enabled: groupBy !== 'day',
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/stats', { query: { ...filters, groupBy, limit: 50, cursor: pageParam }, signal }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const table = groupBy === 'day' ? daily : grouped;
  const rows: StatsRow[] =
    groupBy === 'day' ? (daily.data?.data ?? []) : (grouped.data?.pages.flatMap((p) => p.data) ?? []);
  const totals = daily.data?.totals ?? null;
  const range = daily.data ? { from: daily.data.from, to: daily.data.to } : null;
  const filtered = !!(filters.partnerId || filters.linkId || filters.sub1);

  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Title order={3}>Stats</Title>
          <Text size="sm" c="dimmed" maw={760}>
            Clicks from the tracking links and the events the back office sent, per UTC day. Conversion rates:
            registrations per click, FTDs per registration, qualified FTDs per FTD. Test traffic is never
            counted.
          </Text>
        </div>
        <Button component={Link} to="/links" variant="default">
          Links
        </Button>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          <TextInput
            label="From"
            type="date"
            value={f.from || range?.from || ''}
            onChange={(e) => setF({ from: e.currentTarget.value })}
            w={150}
            data-testid="stats-from"
          />
          <TextInput
            label="To"
            type="date"
            value={f.to || range?.to || ''}
            onChange={(e) => setF({ to: e.currentTarget.value })}
            w={150}
            data-testid="stats-to"
          />
          <RangePresets onPick={(from, to) => setF({ from, to })} />
          <Select
            label="Group by"
            data={GROUPS.map((g) => ({ value: g.value, label: g.label }))}
            value={groupBy}
            onChange={(v) => setF({ groupBy: v === 'day' ? null : v })}
            allowDeselect={false}
            w={150}
            data-testid="stats-group-by"
          />
          {!ownPartnerOnly && (
            <div style={{ width: 240 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v, linkId: null })}
                testId="stats-partner"
              />
            </div>
          )}
          <Sub1Filter value={f.sub1} onChange={(v) => setF({ sub1: v })} />
          {filters.linkId && <LinkFilterChip id={filters.linkId} onClear={() => setF({ linkId: null })} />}
          {(filtered || f.from || f.to) && (
            <Button
              variant="subtle"
              size="xs"
              onClick={() => setF({ from: null, to: null, partnerId: null, linkId: null, sub1: null })}
            >
              Reset
            </Button>
          )}
        </Group>
      </Paper>

      {daily.isError ? (
        <ErrorState error={daily.error} onRetry={() => void daily.refetch()} />
      ) : daily.isPending ? (
        <BlockSkeleton lines={8} />
      ) : (
        <Stack gap="sm">
          {totals && <TotalsCards t={totals} />}
          {daily.data.data.length > 0 && (
            <Paper withBorder p="sm">
              <Group justify="space-between" mb={6}>
                <Text size="sm" fw={600}>
                  Per day, {range ? `${formatDate(range.from)} – ${formatDate(range.to)}` : ''}
                </Text>
                <Text size="xs" c="dimmed">
                  Clicks on the left axis; registrations and FTDs on the right
                </Text>
              </Group>
              <LineChart
                h={260}
                data={chartData(daily.data.data, daily.data.from, daily.data.to)}
                dataKey="label"
                series={[
                  { name: 'Clicks', color: 'blue.6' },
                  { name: 'Registrations', color: 'grape.6', yAxisId: 'right' },
                  { name: 'FTDs', color: 'green.7', yAxisId: 'right' },
                ]}
                withRightYAxis
                curveType="linear"
                withLegend
                withDots={false}
                valueFormatter={(v) => formatCount(v)}
                data-testid="stats-chart"
              />
            </Paper>
          )}
        </Stack>
      )}

      <Paper withBorder mt="sm">
        {table.isPending && !(groupBy === 'day' && daily.isError) ? (
          <TableSkeleton cols={12} rows={6} />
        ) : table.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={table.error} onRetry={() => void table.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'Nothing matches these filters' : 'No activity in this range'}>
            {filtered
              ? 'Clear a filter or widen the dates.'
              : 'Figures appear once tracking links get clicks and the back office sends events. Create a link under Links and open its tracking URL to see the first click.'}
          </EmptyState>
        ) : (
          <StatsTable rows={rows} groupBy={groupBy} totals={totals} />
        )}
      </Paper>
      {groupBy !== 'day' && grouped.hasNextPage && (
        <Group justify="flex-end" mt="xs">
          <Button
            variant="default"
            size="xs"
            onClick={() => void grouped.fetchNextPage()}
            loading={grouped.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      )}
    </>
  );
}

function RangePresets({ onPick }: { onPick: (from: string | null, to: string | null) => void }) {
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Group gap={2} pb={4}>
      <Button size="compact-xs" variant="subtle" onClick={() => onPick(addDay(today, -6), today)}>
        7 d
      </Button>
      <Button size="compact-xs" variant="subtle" onClick={() => onPick(null, null)}>
        30 d
      </Button>
      <Button size="compact-xs" variant="subtle" onClick={() => onPick(addDay(today, -89), today)}>
        90 d
      </Button>
    </Group>
  );
}

function Sub1Filter({ value, onChange }: { value: string; onChange: (v: string | null) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <TextInput
      label="sub1"
      placeholder="Any"
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => text !== value && onChange(text || null)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onChange(text || null);
      }}
      w={140}
      classNames={{ input: 'pd-mono' }}
      data-testid="stats-sub1"
    />
  );
}

function LinkFilterChip({ id, onClear }: { id: string; onClear: () => void }) {
  const link = useLinkNames([id])(id);
  return (
    <Badge
      size="lg"
      variant="light"
      tt="none"
      mb={4}
      rightSection={<CloseButton size="xs" onClick={onClear} aria-label="Remove the link filter" />}
      data-testid="stats-link-filter"
    >
      Link: {link ? link.name : id}
    </Badge>
  );
}

function chartData(rows: StatsRow[], from: string, to: string) {
  const byDay = new Map(rows.map((r) => [r.day ?? '', r]));
  const out: { label: string; Clicks: number; Registrations: number; FTDs: number }[] = [];
  for (let d = from; d <= to && out.length < 401; d = addDay(d, 1)) {
    const r = byDay.get(d);
    out.push({
      label: formatDate(d),
      Clicks: r?.clicks ?? 0,
      Registrations: r?.registrations ?? 0,
      FTDs: r?.ftds ?? 0,
    });
  }
  return out;
}

function TotalsCards({ t }: { t: StatsFigures }) {
  const cards: { label: string; value: string; hint?: string; testId: string }[] = [
    {
      label: 'Clicks',
      value: formatCount(t.clicks),
      hint: `${formatCount(t.uniqueClicks)} unique · ${formatCount(t.bots)} bots`,
      testId: 'stats-total-clicks',
    },
    {
      label: 'Registrations',
      value: formatCount(t.registrations),
      hint: `${formatBps(t.rates.registrationsPerClickBp)} of clicks`,
      testId: 'stats-total-registrations',
    },
    {
      label: 'FTDs',
      value: formatCount(t.ftds),
      hint: `${formatBps(t.rates.ftdsPerRegistrationBp)} of registrations`,
      testId: 'stats-total-ftds',
    },
    {
      label: 'Qualified FTDs',
      value: formatCount(t.qualifiedFtds),
      hint: `${formatBps(t.rates.qualifiedFtdsPerFtdBp)} of FTDs`,
      testId: 'stats-total-qualified',
    },
    {
      label: 'Lots traded',
      value: formatLots(t.lots),
      hint: `${formatCount(t.trades)} trades`,
      testId: 'stats-total-lots',
    },
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
      {cards.map((c) => (
        <Paper key={c.label} withBorder p="sm">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            {c.label}
          </Text>
          <Text size="xl" fw={700} data-testid={c.testId} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {c.value}
          </Text>
          {c.hint && (
            <Text size="xs" c="dimmed">
              {c.hint}
            </Text>
          )}
        </Paper>
      ))}
      <Paper withBorder p="sm">
        <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
          Deposits
        </Text>
        {t.money.length === 0 ? (
          <Text size="xl" fw={700}>
            —
          </Text>
        ) : (
          t.money.map((m) => (
            <Text key={m.currency} size="sm" fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
              {formatMoney(m.depositAmountMinor, m.currency)}
            </Text>
          ))
        )}
        <Text size="xs" c="dimmed">
          {formatCount(t.deposits)} deposits · {formatCount(t.chargebacks)} chargebacks
        </Text>
      </Paper>
    </SimpleGrid>
  );
}

function MoneyCell({
  money,
  pick,
}: {
  money: StatsRow['money'];
  pick: (m: StatsRow['money'][number]) => number;
}) {
  const shown = money.filter((m) => pick(m) !== 0);
  return (
    <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
      {shown.length === 0 ? (
        <Text span size="sm" c="dimmed">
          —
        </Text>
      ) : (
        shown.map((m) => <div key={m.currency}>{formatMoney(pick(m), m.currency)}</div>)
      )}
    </Table.Td>
  );
}

function RateTd({ bp }: { bp: number | null }) {
  return (
    <Table.Td ta="right" c={bp === null ? 'dimmed' : undefined} style={{ whiteSpace: 'nowrap' }}>
      {formatBps(bp)}
    </Table.Td>
  );
}

function StatsTable({
  rows,
  groupBy,
  totals,
}: {
  rows: StatsRow[];
  groupBy: GroupKey;
  totals: StatsFigures | null;
}) {
  const partnerName = usePartnerNames(
    groupBy === 'partner' ? rows.flatMap((r) => (r.partnerId ? [r.partnerId] : [])) : [],
  );
  const linkOf = useLinkNames(groupBy === 'link' ? rows.map((r) => r.linkId) : []);
  const keyLabel = GROUPS.find((g) => g.value === groupBy)?.label ?? 'Group';
  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table data-testid="stats-table" className="pd-sticky-head" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{keyLabel}</Table.Th>
            <Table.Th ta="right">Clicks</Table.Th>
            <Table.Th ta="right">Unique</Table.Th>
            <Table.Th ta="right">Bots</Table.Th>
            <Table.Th ta="right">Registrations</Table.Th>
            <Table.Th ta="right">
              <Tooltip label="Registrations per click">
                <span>Reg / click</span>
              </Tooltip>
            </Table.Th>
            <Table.Th ta="right">FTDs</Table.Th>
            <Table.Th ta="right">
              <Tooltip label="FTDs per registration">
                <span>FTD / reg</span>
              </Tooltip>
            </Table.Th>
            <Table.Th ta="right">Qualified</Table.Th>
            <Table.Th ta="right">FTD amount</Table.Th>
            <Table.Th ta="right">Deposits</Table.Th>
            <Table.Th ta="right">Lots</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const key = r.day ?? r.partnerId ?? r.linkId ?? r.sub1 ?? 'none';
            return (
              <Table.Tr key={key} data-testid="stats-row" data-key={key}>
                <Table.Td maw={280}>
                  {groupBy === 'day' ? (
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {formatDate(r.day)}
                    </Text>
                  ) : groupBy === 'partner' ? (
                    <PartnerLink id={r.partnerId ?? null} name={partnerName} />
                  ) : groupBy === 'link' ? (
                    r.linkId ? (
                      <Anchor component={Link} to={`/links/${r.linkId}`} size="sm">
                        {linkOf(r.linkId)?.name ?? r.linkId}
                      </Anchor>
                    ) : (
                      <Tooltip label="Events attributed by referral code or manually, without a tracking link">
                        <Text size="sm" c="dimmed" fs="italic">
                          without a link
                        </Text>
                      </Tooltip>
                    )
                  ) : r.sub1 ? (
                    <Text className="pd-mono" truncate title={r.sub1}>
                      {r.sub1}
                    </Text>
                  ) : (
                    <Text size="sm" c="dimmed" fs="italic">
                      no sub1
                    </Text>
                  )}
                </Table.Td>
                <FigureCells r={r} />
              </Table.Tr>
            );
          })}
        </Table.Tbody>
        {totals && (
          <Table.Tfoot>
            <Table.Tr data-testid="stats-totals-row" style={{ fontWeight: 700 }}>
              <Table.Td>Total</Table.Td>
              <FigureCells r={totals} />
            </Table.Tr>
          </Table.Tfoot>
        )}
      </Table>
    </Table.ScrollContainer>
  );
}

function FigureCells({ r }: { r: StatsFigures }) {
  return (
    <>
      <NumTd n={r.clicks} testId="stats-clicks" />
      <NumTd n={r.uniqueClicks} />
      <NumTd n={r.bots} />
      <NumTd n={r.registrations} testId="stats-registrations" />
      <RateTd bp={r.rates.registrationsPerClickBp} />
      <NumTd n={r.ftds} testId="stats-ftds" />
      <RateTd bp={r.rates.ftdsPerRegistrationBp} />
      <NumTd n={r.qualifiedFtds} />
      <MoneyCell money={r.money} pick={(m) => m.ftdAmountMinor} />
      <MoneyCell money={r.money} pick={(m) => m.depositAmountMinor} />
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        {formatLots(r.lots)}
      </Table.Td>
    </>
  );
}
