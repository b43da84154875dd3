// Attribution checks over a period (GET /api/v1/tracking-checks, at most 31 days, default the last 7): orphan
// events by reason, txids stored more than once, clicks from restricted countries (which need a GeoIP
// database), and the failure rate of every partner postback, worst first.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { formatBps, formatCount, humanize } from '../../lib/format';
import { countryName } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { eventLabel, noteText, PartnerLink, useSourceNames } from '../events/shared';
import { ClickIdLink, postbackEventLabel } from '../tracking/shared';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import type { Checks } from './shared';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function daysBack(n: number): { from: string; to: string } {
  const to = new Date();
  return { from: isoDay(new Date(to.getTime() - (n - 1) * 86_400_000)), to: isoDay(to) };
}

export function ChecksPanel() {
  const { session } = useSession();
  const ownPartnerOnly = session.user.role === 'partner';
  const [f, setF] = useUrlState(['partnerId', 'from', 'to'] as const);
  const query = { partnerId: f.partnerId || undefined, from: f.from || undefined, to: f.to || undefined };
  const q = useQuery({
    queryKey: ['tracking-checks', query],
    queryFn: ({ signal }) => api.get('/api/v1/tracking-checks', { query, signal }),
  });
  const c = q.data;
  return (
    <>
      <Text size="sm" c="dimmed" mb="sm" maw={860}>
        What went wrong in real traffic over a period (test traffic is left out): events no partner could be
        given, the same transaction id stored twice, clicks from countries that are not allowed, and partner
        postbacks that fail. Days are UTC; at most 31 days at once.
      </Text>
      <Paper withBorder p="xs" mb="sm">
        <Group gap="xs" align="flex-end">
          {!ownPartnerOnly && (
            <div style={{ width: 240 }}>
              <PartnerPicker
                label="Partner"
                value={f.partnerId || null}
                onChange={(v) => setF({ partnerId: v })}
                testId="qa-checks-partner"
              />
            </div>
          )}
          <TextInput
            label="From"
            type="date"
            value={f.from || c?.from || ''}
            onChange={(e) => setF({ from: e.currentTarget.value })}
            w={150}
            data-testid="qa-checks-from"
          />
          <TextInput
            label="To"
            type="date"
            value={f.to || c?.to || ''}
            onChange={(e) => setF({ to: e.currentTarget.value })}
            w={150}
            data-testid="qa-checks-to"
          />
          <Group gap={4}>
            {[7, 14, 31].map((n) => (
              <Button key={n} size="xs" variant="default" onClick={() => setF(daysBack(n))}>
                Last {n} days
              </Button>
            ))}
          </Group>
          <Button
            size="xs"
            variant="subtle"
            onClick={() => void q.refetch()}
            loading={q.isFetching && !q.isPending}
            data-testid="qa-checks-refresh"
          >
            Refresh
          </Button>
        </Group>
      </Paper>
      {q.isPending ? (
        <BlockSkeleton lines={8} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : c ? (
        <ChecksView c={c} />
      ) : null}
    </>
  );
}

function Count({
  label,
  n,
  tone,
  testId,
  sub,
}: {
  label: string;
  n: ReactNode;
  tone: 'ok' | 'bad' | 'neutral';
  testId: string;
  sub?: ReactNode;
}) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text
        fw={700}
        fz={24}
        c={tone === 'bad' ? 'red.8' : tone === 'ok' ? 'green.8' : undefined}
        data-testid={`${testId}-n`}
      >
        {n}
      </Text>
      {sub && (
        <Text size="xs" c="dimmed">
          {sub}
        </Text>
      )}
    </Paper>
  );
}

function Bar({ bp, color }: { bp: number; color: string }) {
  return (
    <div className="pd-qa-bar" title={formatBps(bp)}>
      <div style={{ width: `${Math.min(100, bp / 100)}%`, background: `var(--mantine-color-${color}-6)` }} />
    </div>
  );
}

function Section({
  title,
  children,
  testId,
  hint,
}: {
  title: string;
  children: ReactNode;
  testId: string;
  hint?: ReactNode;
}) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Title order={5}>{title}</Title>
      {hint && (
        <Text size="xs" c="dimmed" mb="xs">
          {hint}
        </Text>
      )}
      {children}
    </Paper>
  );
}

function ChecksView({ c }: { c: Checks }) {
  const { can } = useSession();
  const sourceName = useSourceNames();
  const partnerName = usePartnerNames([
    ...c.postbacks.map((p) => p.partnerId),
    ...c.duplicateTxids.samples.flatMap((s) => s.events.flatMap((e) => (e.partnerId ? [e.partnerId] : []))),
  ]);
  const failing = c.postbacks.filter((p) => p.failures > 0);
  const geo = c.restrictedClicks.geoConfigured;
  const maxReason = Math.max(1, ...c.orphanEvents.byReason.map((r) => r.count));
  return (
    <Stack gap="sm" data-testid="qa-checks">
      <SimpleGrid cols={{ base: 2, md: c.partnerId ? 4 : 5 }} spacing="sm">
        <Count
          label="Orphan events"
          n={formatCount(c.orphanEvents.total)}
          tone={c.orphanEvents.total ? 'bad' : 'ok'}
          testId="qa-count-orphans"
        />
        <Count
          label="Duplicate txids"
          n={formatCount(c.duplicateTxids.total)}
          tone={c.duplicateTxids.total ? 'bad' : 'ok'}
          testId="qa-count-duplicates"
        />
        <Count
          label="Restricted-country clicks"
          n={geo ? formatCount(c.restrictedClicks.total) : '—'}
          tone={!geo ? 'neutral' : c.restrictedClicks.total ? 'bad' : 'ok'}
          sub={geo ? undefined : 'no GeoIP database'}
          testId="qa-count-restricted"
        />
        <Count
          label="Postbacks failing"
          n={`${failing.length} / ${c.postbacks.length}`}
          tone={failing.length ? 'bad' : 'ok'}
          sub="with a failed attempt in the period"
          testId="qa-count-postbacks"
        />
        {!c.partnerId && (
          <Count
            label="Event inbox"
            n={formatCount(c.inboxOpen)}
            tone={c.inboxOpen ? 'bad' : 'ok'}
            sub={
              can('event_sources.manage') ? (
                <Anchor component={Link} to="/event-inbox" size="xs">
                  malformed requests waiting
                </Anchor>
              ) : (
                'malformed requests waiting'
              )
            }
            testId="qa-count-inbox"
          />
        )}
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <Section
          title="Orphan events"
          testId="qa-orphans"
          hint={
            c.partnerId
              ? 'Events whose verified click id names one of this partner’s links but that were not attributed to it. A forged click id names no link: clear the partner filter to see those.'
              : 'Real events that no partner got: a forged, unknown, too fast or too old click id, or nothing to attribute them by.'
          }
        >
          {c.orphanEvents.total === 0 ? (
            <Text size="sm" c="green.8">
              None in this period.
            </Text>
          ) : (
            <Stack gap="xs">
              <Table verticalSpacing={4}>
                <Table.Tbody>
                  {c.orphanEvents.byReason.map((r) => (
                    <Table.Tr key={r.reason} data-testid="qa-orphan-reason" data-reason={r.reason}>
                      <Table.Td>{r.label}</Table.Td>
                      <Table.Td w={120}>
                        <Bar bp={Math.round((r.count * 10_000) / maxReason)} color="orange" />
                      </Table.Td>
                      <Table.Td ta="right" w={60} fw={600}>
                        {formatCount(r.count)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed" fw={600} tt="uppercase">
                Latest {c.orphanEvents.samples.length}
              </Text>
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing={4} withTableBorder>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Received</Table.Th>
                      <Table.Th>Event</Table.Th>
                      <Table.Th>Txid</Table.Th>
                      <Table.Th>Why</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {c.orphanEvents.samples.map((e) => (
                      <Table.Tr key={e.eventId} data-testid="qa-orphan">
                        <Table.Td>
                          <DateTime iso={e.receivedAt} />
                        </Table.Td>
                        <Table.Td>
                          {eventLabel(e.type)}
                          <Text size="xs" c="dimmed">
                            {sourceName(e.sourceId) ?? e.sourceId}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text span className="pd-mono" style={{ whiteSpace: 'nowrap' }}>
                            {e.txid}
                          </Text>
                        </Table.Td>
                        <Table.Td maw={260}>
                          <Text size="xs">{noteText(e.reason, partnerName)}</Text>
                          {e.clickId && <ClickIdLink id={e.clickId} />}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Stack>
          )}
        </Section>

        <Section
          title="Duplicate txids"
          testId="qa-duplicates"
          hint="The same transaction id stored more than once across sources or event types: two systems reporting one deposit is double counting. (A replay of the same source, type and txid is already ignored.)"
        >
          {c.duplicateTxids.total === 0 ? (
            <Text size="sm" c="green.8">
              None in this period.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing={4} withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Txid</Table.Th>
                    <Table.Th ta="right">Times</Table.Th>
                    <Table.Th>Stored as</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {c.duplicateTxids.samples.map((s) => (
                    <Table.Tr key={s.txid} data-testid="qa-duplicate" data-txid={s.txid}>
                      <Table.Td style={{ verticalAlign: 'top' }}>
                        <Text span className="pd-mono">
                          {s.txid}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right" fw={600} style={{ verticalAlign: 'top' }}>
                        {s.count}
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          {s.events.map((e) => (
                            <Text key={e.eventId} size="xs">
                              {eventLabel(e.type)} from{' '}
                              {sourceName(e.sourceId) ?? <span className="pd-mono">{e.sourceId}</span>} →{' '}
                              <PartnerLink id={e.partnerId} name={partnerName} />
                            </Text>
                          ))}
                        </Stack>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Section>
      </SimpleGrid>

      <Section
        title="Clicks from restricted countries"
        testId="qa-restricted"
        hint="A click counts when its country is restricted for the partner’s regulated entity, or not among the link’s allowed countries."
      >
        {!geo ? (
          <Alert
            color="gray"
            variant="light"
            p="xs"
            title="Clicks have no country yet"
            data-testid="qa-geo-missing"
          >
            <Text size="sm">
              No GeoIP database is configured, so clicks are recorded without a country and this check cannot
              run. To turn it on, set <code>PARTNERDESK_GEOIP_CSV</code> to a CSV of{' '}
              <code>start_ip,end_ip,country</code> IPv4 ranges and restart Partnerdesk (see “Configuration” in
              docs/OPERATIONS.md). Clicks recorded from then on get a country; earlier clicks stay without
              one.
            </Text>
          </Alert>
        ) : c.restrictedClicks.byCountry.length === 0 ? (
          <Text size="sm" c="green.8">
            None in this period.
          </Text>
        ) : (
          <Table verticalSpacing={4} withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Country</Table.Th>
                <Table.Th ta="right">Clicks</Table.Th>
                <Table.Th>Why</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.restrictedClicks.byCountry.map((r) => (
                <Table.Tr
                  key={`${r.country}-${r.why}-${r.detail}`}
                  data-testid="qa-restricted-row"
                  data-country={r.country}
                >
                  <Table.Td>
                    {countryName(r.country)}{' '}
                    <Text span size="xs" c="dimmed">
                      ({r.country})
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right" fw={600}>
                    {formatCount(r.clicks)}
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      size="sm"
                      variant="light"
                      color={r.why === 'restricted_for_entity' ? 'red' : 'orange'}
                      miw="fit-content"
                    >
                      {r.why === 'restricted_for_entity'
                        ? 'Restricted for the entity'
                        : 'Not allowed for the link'}
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {r.detail}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Section>

      <Section
        title="Partner postbacks: failure rate"
        testId="qa-postback-rates"
        hint="Every real delivery attempt in the period (test sends are left out), worst first. A postback is disabled after 10 failures in a row within 72 hours."
      >
        {c.postbacks.length === 0 ? (
          <Text size="sm" c="dimmed">
            No partner postback was attempted in this period.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table verticalSpacing={4} withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Partner</Table.Th>
                  <Table.Th>Postback</Table.Th>
                  <Table.Th ta="right">Attempts</Table.Th>
                  <Table.Th ta="right">Failures</Table.Th>
                  <Table.Th>Failure rate</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Last attempt</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...c.postbacks]
                  .sort((x, y) => y.failureRateBp - x.failureRateBp || y.failures - x.failures)
                  .map((p) => {
                    const color = p.failureRateBp === 0 ? 'green' : p.failureRateBp < 500 ? 'yellow' : 'red';
                    return (
                      <Table.Tr key={p.postbackId} data-testid="qa-postback-rate" data-rate={p.failureRateBp}>
                        <Table.Td>
                          <PartnerLink id={p.partnerId} name={partnerName} />
                        </Table.Td>
                        <Table.Td>
                          {postbackEventLabel(p.eventType)}
                          {p.status !== 'active' && (
                            <Badge size="xs" color="gray" variant="light" ml={6}>
                              {humanize(p.status)}
                            </Badge>
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{formatCount(p.attempts)}</Table.Td>
                        <Table.Td ta="right" fw={p.failures ? 700 : undefined}>
                          {formatCount(p.failures)}
                        </Table.Td>
                        <Table.Td w={200}>
                          <Group gap={6} wrap="nowrap">
                            <Bar bp={p.failureRateBp} color={color} />
                            <Text size="sm" fw={600} c={`${color}.8`} style={{ whiteSpace: 'nowrap' }}>
                              {formatBps(p.failureRateBp)}
                            </Text>
                          </Group>
                        </Table.Td>
                        <Table.Td maw={280}>
                          <Text
                            size="xs"
                            c={p.lastError ? 'red.8' : 'dimmed'}
                            lineClamp={2}
                            title={p.lastError ?? ''}
                          >
                            {p.lastError ?? '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <DateTime iso={p.lastAttemptAt} />
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
    </Stack>
  );
}
