// The click story (GET /api/v1/clicks/{clickId}): the evidence a dispute needs, on one printable page — the
// click (time, link, partner, sub-IDs, visitor, bot/duplicate/test marks, or what the verified id proves when
// the raw click is pruned), then in time order its events, the clients it attributed, manual attribution
// decisions and every partner postback attempt. A forged or unknown id answers 404 and says so.
import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, asApiError } from '../../api/client';
import { Copyable, DateTime, StatusBadge } from '../../components/bits';
import { ErrorState } from '../../components/states';
import { formatLocal, formatLots, formatUtc } from '../../lib/format';
import { countryName } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import {
  AttributionBadge,
  EventFlags,
  eventLabel,
  Money,
  noteText,
  PartnerLink,
  useUserNames,
} from '../events/shared';
import { usePartnerNames } from '../work/PartnerPicker';
import { ClickLookup } from './LinksPage';
import { AttemptTable, type ClickStory, DeliveryStatusBadge, postbackEventLabel } from './shared';

type StoryEvent = ClickStory['events'][number];

export function ClickStoryPage({ clickId }: { clickId: string }) {
  const { session } = useSession();
  const q = useQuery({
    queryKey: ['click', clickId],
    queryFn: () => api.get('/api/v1/clicks/{clickId}', { path: { clickId } }),
  });
  const c = q.data;
  const partnerName = usePartnerNames(
    c
      ? [
          c.partnerId,
          ...c.events.flatMap((e) => (e.partnerId ? [e.partnerId] : [])),
          ...c.clients.flatMap((x) => (x.partnerId ? [x.partnerId] : [])),
          ...c.decisions.flatMap((d) => [d.toPartnerId, ...(d.fromPartnerId ? [d.fromPartnerId] : [])]),
        ]
      : [],
  );
  const crumbs = (
    <Breadcrumbs className="pd-no-print">
      <Anchor component={Link} to="/links" size="sm">
        Links
      </Anchor>
      <Text size="sm">Click {clickId.length > 16 ? `${clickId.slice(0, 16)}…` : clickId}</Text>
    </Breadcrumbs>
  );
  if (q.isPending)
    return (
      <Stack gap="md" data-testid="loading">
        <Skeleton height={28} width={360} />
        <Skeleton height={160} />
        <Skeleton height={300} />
      </Stack>
    );
  if (q.isError || !c)
    return <ClickNotFound clickId={clickId} error={q.error} crumbs={crumbs} retry={() => void q.refetch()} />;

  return (
    <Stack gap="md" data-testid="click-story">
      {crumbs}
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={3}>Click story</Title>
            <Tooltip label="The id carries a valid signature: it was issued by this installation">
              <Badge color="green" variant="light" size="sm" data-testid="click-verified">
                Verified id
              </Badge>
            </Tooltip>
            {c.isBot && (
              <Badge color="red" variant="light" size="sm" data-testid="click-bot">
                Bot
              </Badge>
            )}
            {c.isDuplicate && (
              <Tooltip label="The same visitor clicked this link shortly before: counted, but not as unique">
                <Badge color="orange" variant="light" size="sm" data-testid="click-duplicate">
                  Duplicate
                </Badge>
              </Tooltip>
            )}
            {c.isTest && (
              <Tooltip label="A tracking QA click: kept as evidence, never counted in stats">
                <Badge color="gray" variant="outline" size="sm" data-testid="click-test">
                  Test
                </Badge>
              </Tooltip>
            )}
          </Group>
          <Group gap={6}>
            <Text size="sm" c="dimmed">
              Click id
            </Text>
            <Copyable value={c.id} testId="click-id" />
          </Group>
        </div>
        <Group gap="xs" className="pd-no-print">
          <ClickLookup />
          <Button variant="default" onClick={() => window.print()} data-testid="click-print">
            Print
          </Button>
        </Group>
      </Group>

      {c.raw !== 'stored' && (
        <Alert
          color={c.raw === 'pruned' ? 'blue' : 'yellow'}
          variant="light"
          title={c.raw === 'pruned' ? 'Raw click pruned by retention' : 'No raw click stored'}
          data-testid="click-raw-note"
        >
          <Text size="sm">{c.note}</Text>
        </Alert>
      )}

      <Paper withBorder p="md" data-testid="click-facts">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md" verticalSpacing="sm">
          <Fact label="Time">
            <Text size="sm" data-testid="click-time">
              {formatLocal(c.time)}
            </Text>
            <Text size="xs" c="dimmed">
              {formatUtc(c.time)}
            </Text>
          </Fact>
          <Fact label="Tracking link">
            <Anchor component={Link} to={`/links/${c.link.id}`} size="sm" data-testid="click-link-name">
              {c.link.name}
            </Anchor>
            <Text size="xs" c="dimmed" className="pd-mono">
              /c/{c.link.code}
            </Text>
          </Fact>
          <Fact label="Partner">
            <PartnerLink id={c.partnerId} name={partnerName} />
          </Fact>
          <Fact label="Raw click">
            <Text size="sm" data-testid="click-raw">
              {c.raw === 'stored' ? 'Stored' : c.raw === 'pruned' ? 'Pruned (retention)' : 'Not stored'}
            </Text>
            {c.pruned && (
              <Text size="xs" c="dimmed">
                clicks before {formatUtc(c.pruned.cutoff)} deleted on {formatLocal(c.pruned.at)}
              </Text>
            )}
          </Fact>
          {c.raw === 'stored' && (
            <>
              <Fact label="Country">
                <Text size="sm">
                  {c.country ? `${c.country} · ${countryName(c.country)}` : 'unknown'}
                  {c.geoAllowed === false && (
                    <Badge ml={6} size="xs" color="orange" variant="light">
                      not an allowed country
                    </Badge>
                  )}
                </Text>
              </Fact>
              <Fact label="IP address">
                <Text size="sm" className="pd-mono">
                  {c.ip ?? '—'}
                </Text>
              </Fact>
              <Fact label="Referrer" span={2}>
                <Text size="sm" className="pd-mono" style={{ wordBreak: 'break-all' }}>
                  {c.referrer || '— (none sent)'}
                </Text>
              </Fact>
              <Fact label="User agent" span={4}>
                <Text size="sm" className="pd-mono" style={{ wordBreak: 'break-all' }} data-testid="click-ua">
                  {c.userAgent || '—'}
                </Text>
              </Fact>
              <Fact label="Sub-IDs" span={4}>
                <Group gap="md" data-testid="click-subs">
                  {(['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const).map((k) => (
                    <Text key={k} size="sm">
                      <Text span c="dimmed" size="xs">
                        {k}{' '}
                      </Text>
                      <span className="pd-mono" data-testid={`click-${k}`}>
                        {c.subs?.[k] ?? '—'}
                      </span>
                    </Text>
                  ))}
                </Group>
              </Fact>
            </>
          )}
        </SimpleGrid>
      </Paper>

      {c.clients.length > 0 && (
        <div>
          <Title order={5} mb="xs">
            Clients from this click ({c.clients.length})
          </Title>
          <Paper withBorder>
            <Table data-testid="click-clients">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client</Table.Th>
                  <Table.Th>Partner</Table.Th>
                  <Table.Th>Attribution</Table.Th>
                  <Table.Th>First deposit</Table.Th>
                  <Table.Th>Qualified</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {c.clients.map((x) => (
                  <Table.Tr key={x.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/clients/${x.id}`} size="sm" className="pd-mono">
                        {x.externalId}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <PartnerLink id={x.partnerId} name={partnerName} />
                    </Table.Td>
                    <Table.Td>
                      <AttributionBadge attribution={x.attribution} />{' '}
                      {x.attributedAt && <DateTime iso={x.attributedAt} />}
                    </Table.Td>
                    <Table.Td>
                      {x.ftdAt ? (
                        <>
                          <Money minor={x.ftdAmountMinor} currency={x.ftdCurrency} />{' '}
                          <Text span size="xs" c="dimmed">
                            <DateTime iso={x.ftdAt} />
                          </Text>
                        </>
                      ) : (
                        <Text size="sm" c="dimmed">
                          none yet
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{x.qualifiedAt ? <DateTime iso={x.qualifiedAt} /> : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        </div>
      )}

      <div>
        <Title order={5} mb="xs">
          What happened, in time order
        </Title>
        <Paper withBorder p="md">
          <StoryTimeline story={c} partnerName={partnerName} />
        </Paper>
      </div>

      <Text size="xs" c="dimmed" data-testid="click-evidence-footer">
        {`Evidence from Partnerdesk: click ${c.id}, shown ${formatUtc(new Date().toISOString())} to ${session.user.name}. `}
        Times in your time zone with UTC beside them; attempt URLs have secret-looking values redacted.
      </Text>
    </Stack>
  );
}

function ClickNotFound({
  clickId,
  error,
  crumbs,
  retry,
}: {
  clickId: string;
  error: unknown;
  crumbs: ReactNode;
  retry: () => void;
}) {
  const e = asApiError(error);
  const forged = e.status === 404 && e.extra.reason === 'forged';
  const malformed = e.status === 422;
  if (e.status !== 404 && !malformed)
    return (
      <Stack>
        {crumbs}
        <ErrorState error={error} onRetry={retry} />
      </Stack>
    );
  return (
    <Stack maw={720} data-testid="click-not-found">
      {crumbs}
      <Alert
        color={forged ? 'red' : 'yellow'}
        variant="light"
        title={
          malformed
            ? 'This is not a click id'
            : forged
              ? 'This click id was not issued by Partnerdesk'
              : 'No click with this id that you can see'
        }
      >
        <Stack gap={6}>
          <Text size="sm" className="pd-mono" style={{ wordBreak: 'break-all' }}>
            {clickId}
          </Text>
          <Text size="sm">
            {malformed
              ? 'A click id is the letter “c” followed by 29 letters and digits, as it arrives on the landing page (click_id=…). Check that it was copied whole.'
              : forged
                ? 'Its signature does not verify: it was altered or made up, so no event may be attributed with it. If it came from a partner’s report, ask where they got it.'
                : 'The id is well formed but names a link that no longer exists or a partner you do not have access to.'}
          </Text>
        </Stack>
      </Alert>
      <ClickLookup />
    </Stack>
  );
}

function Fact({ label, children, span = 1 }: { label: string; children: ReactNode; span?: number }) {
  return (
    <div style={{ gridColumn: span > 1 ? `span ${span}` : undefined, minWidth: 0 }}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={2}>
        {label}
      </Text>
      {children}
    </div>
  );
}

/** "3 min after the click" — the click-to-event time programmes check (bots convert in under a second). */
function sinceClick(clickIso: string, iso: string): string {
  const ms = Date.parse(iso) - Date.parse(clickIso);
  if (Number.isNaN(ms)) return '';
  const abs = Math.abs(ms);
  const unit =
    abs < 60_000
      ? `${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${(abs / 3_600_000).toFixed(1)} h`
          : `${Math.round(abs / 86_400_000)} days`;
  return ms >= 0 ? `${unit} after the click` : `${unit} before the click`;
}

type Item =
  | { kind: 'click'; at: string }
  | { kind: 'event'; at: string; e: StoryEvent }
  | { kind: 'decision'; at: string; d: ClickStory['decisions'][number]; step: 'requested' | 'decided' };

function StoryTimeline({ story, partnerName }: { story: ClickStory; partnerName: (id: string) => string }) {
  const userName = useUserNames();
  const items: Item[] = [
    { kind: 'click', at: story.time },
    ...story.events.map((e) => ({ kind: 'event' as const, at: e.occurredAt, e })),
    ...story.decisions.flatMap((d) => [
      { kind: 'decision' as const, at: d.requestedAt, d, step: 'requested' as const },
      ...(d.decidedAt ? [{ kind: 'decision' as const, at: d.decidedAt, d, step: 'decided' as const }] : []),
    ]),
  ];
  // Stable: the click first at equal times, then the order the API gave.
  const sorted = items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => a.it.at.localeCompare(b.it.at) || a.i - b.i)
    .map((x) => x.it);
  const clientName = new Map(story.clients.map((x) => [x.id, x.externalId]));

  return (
    <>
      {story.events.length === 0 && (
        <Text size="sm" c="dimmed" mb="sm" data-testid="click-no-events">
          No event has carried this click id yet: no registration, deposit or trade came back from the back
          office with it. If the partner reports a conversion, check that the landing page passes{' '}
          <code>click_id</code> to the sign-up form.
        </Text>
      )}
      <Timeline bulletSize={18} lineWidth={2} active={sorted.length} data-testid="click-timeline">
        {sorted.map((it) => {
          if (it.kind === 'click')
            return (
              <Timeline.Item
                key="click"
                color="blue"
                title={<ItemTitle at={it.at} title="Click" />}
                data-testid="timeline-click"
              >
                <Text size="sm">
                  on <b>{story.link.name}</b> (<span className="pd-mono">/c/{story.link.code}</span>) for{' '}
                  {partnerName(story.partnerId)}
                  {story.raw === 'stored' && story.country ? ` from ${countryName(story.country)}` : ''}
                  {story.isBot ? ' — marked as a bot' : ''}
                  {story.isDuplicate ? ' — a duplicate' : ''}
                </Text>
              </Timeline.Item>
            );
          if (it.kind === 'decision') {
            const d = it.d;
            return (
              <Timeline.Item
                key={`${d.id}-${it.step}`}
                color="orange"
                title={
                  <ItemTitle
                    at={it.at}
                    title={
                      it.step === 'requested'
                        ? 'Attribution change requested'
                        : `Attribution change ${d.status}`
                    }
                  />
                }
                data-testid="timeline-decision"
              >
                <Text size="sm">
                  Client <span className="pd-mono">{clientName.get(d.clientId) ?? d.clientId}</span>:{' '}
                  {d.fromPartnerId ? partnerName(d.fromPartnerId) : 'no partner'} →{' '}
                  <b>{partnerName(d.toPartnerId)}</b> ·{' '}
                  {it.step === 'requested' ? `by ${userName(d.requestedBy)}` : `by ${userName(d.decidedBy)}`}
                </Text>
                <Text size="xs" c="dimmed">
                  {it.step === 'requested'
                    ? `Reason: ${d.reason}`
                    : d.decisionNote
                      ? `Note: ${d.decisionNote}`
                      : ''}
                </Text>
                {it.step === 'requested' && <StatusBadge status={d.status} />}
              </Timeline.Item>
            );
          }
          const e = it.e;
          return (
            <Timeline.Item
              key={e.id}
              color={e.isFtd ? 'green' : 'teal'}
              title={
                <ItemTitle
                  at={e.occurredAt}
                  title={eventLabel(e.type)}
                  extra={sinceClick(story.time, e.occurredAt)}
                />
              }
              data-testid="timeline-event"
              data-txid={e.txid}
            >
              <Stack gap={4}>
                <Group gap="xs">
                  <Text size="sm">
                    txid <span className="pd-mono">{e.txid}</span>
                    {e.clientId && (
                      <>
                        {' '}
                        · client{' '}
                        <Anchor component={Link} to={`/clients/${e.clientId}`} size="sm" className="pd-mono">
                          {e.clientExternalId ?? clientName.get(e.clientId) ?? e.clientId}
                        </Anchor>
                      </>
                    )}
                    {e.amountMinor !== null && (
                      <>
                        {' '}
                        · <Money minor={e.amountMinor} currency={e.currency} />
                      </>
                    )}
                    {e.lots !== null && ` · ${formatLots(e.lots)} lots`}
                    {e.instrumentGroup ? ` (${e.instrumentGroup})` : ''}
                  </Text>
                  <EventFlags e={e} />
                </Group>
                <Group gap="xs">
                  <AttributionBadge attribution={e.attribution} />
                  <Text size="xs" c="dimmed">
                    {e.partnerId ? `to ${partnerName(e.partnerId)}` : 'to no partner'}
                    {e.attributionNote ? ` — ${noteText(e.attributionNote, partnerName)}` : ''}
                  </Text>
                </Group>
                <Text size="xs" c="dimmed">
                  received <DateTime iso={e.receivedAt} />
                </Text>
                {e.postbacks.length === 0 ? (
                  <Text size="xs" c="dimmed">
                    No partner postback for this event.
                  </Text>
                ) : (
                  e.postbacks.map((d) => (
                    <Paper key={d.id} withBorder p={0} mt={4} data-testid="timeline-postback">
                      <Group gap="xs" p={6}>
                        <Text size="xs" fw={600}>
                          Partner postback ({postbackEventLabel(d.eventType)})
                        </Text>
                        <DeliveryStatusBadge status={d.status} />
                        <Text size="xs" c="dimmed">
                          {d.attemptCount} attempt{d.attemptCount === 1 ? '' : 's'}
                          {d.nextAttemptAt ? ' · next try ' : ''}
                          {d.nextAttemptAt && <DateTime iso={d.nextAttemptAt} relative />}
                        </Text>
                      </Group>
                      <AttemptTable attempts={d.attempts} />
                    </Paper>
                  ))
                )}
              </Stack>
            </Timeline.Item>
          );
        })}
      </Timeline>
    </>
  );
}

function ItemTitle({ at, title, extra }: { at: string; title: string; extra?: string }) {
  return (
    <Group gap="xs">
      <Text size="sm" fw={600}>
        {title}
      </Text>
      <Text size="xs" c="dimmed">
        {formatLocal(at)} · {formatUtc(at)}
        {extra ? ` · ${extra}` : ''}
      </Text>
    </Group>
  );
}
