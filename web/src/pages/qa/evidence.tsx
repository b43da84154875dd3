// The evidence of each tracking test step, for humans: the click (status, Location, click id), the redirect hops
// (where the click id was lost), the landing page, the test events and their attribution, and every partner
// postback as sent and as answered (empty macros, leftover braces, the start of the answer).
import {
  Alert,
  Badge,
  Code,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { formatBytes, formatCount } from '../../lib/format';
import {
  ATTRIBUTIONS,
  AttributionBadge,
  eventLabel,
  noteText,
  PartnerLink,
  type PdEvent,
} from '../events/shared';
import { attemptErrorLabel, ClickIdLink, OutcomeBadge, postbackEventLabel } from '../tracking/shared';
import { usePartnerNames } from '../work/PartnerPicker';
import type { Evidence, TestStep } from './shared';

export function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={2}>
        {label}
      </Text>
      {children}
    </div>
  );
}

export function Dim({ children }: { children: ReactNode }) {
  return (
    <Text span size="sm" c="dimmed">
      {children}
    </Text>
  );
}

export function Mono({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Text span className="pd-mono" style={{ overflowWrap: 'anywhere' }} data-testid={testId}>
      {children}
    </Text>
  );
}

/** ✓ / ✗ with words for screen readers and print. */
export function YesNo({
  yes,
  yesText = 'yes',
  noText = 'no',
  neutral = false,
}: {
  yes: boolean;
  yesText?: string;
  noText?: string;
  /** "No" is not a problem here (grey instead of red). */
  neutral?: boolean;
}) {
  return (
    <Text
      span
      size="sm"
      c={yes ? 'green.8' : neutral ? 'dimmed' : 'red.8'}
      fw={yes || !neutral ? 600 : undefined}
      style={{ whiteSpace: 'nowrap' }}
    >
      {yes ? '✓' : '✗'} {yes ? yesText : noText}
    </Text>
  );
}

function StatusCode({ code, testId }: { code: number | null | undefined; testId?: string }) {
  if (code === null || code === undefined) return <Dim>no answer</Dim>;
  const color = code >= 200 && code < 300 ? 'green' : code >= 300 && code < 400 ? 'blue' : 'red';
  return (
    <Badge color={color} variant="light" size="sm" miw="fit-content" data-testid={testId}>
      {code}
    </Badge>
  );
}

const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${formatCount(n)} ms`);

export function StepEvidence({ step }: { step: TestStep }) {
  const ev = step.evidence;
  const body = (() => {
    switch (step.key) {
      case 'click':
        return <ClickEvidence ev={ev} />;
      case 'redirects':
        return <RedirectEvidence ev={ev} />;
      case 'landing':
        return <LandingEvidence ev={ev} />;
      case 'events':
        return <EventsEvidence ev={ev} />;
      case 'attribution':
        return <AttributionEvidence ev={ev} />;
      case 'postbacks':
        return <PostbacksEvidence ev={ev} />;
    }
  })();
  const warnings = ev.warnings ?? [];
  return (
    <Stack gap="sm">
      {body}
      {warnings.length > 0 && (
        <Alert
          color={step.status === 'failed' ? 'red' : 'yellow'}
          variant="light"
          p="xs"
          data-testid="qa-warnings"
        >
          <Text size="sm" fw={600} mb={4}>
            {step.status === 'failed' ? 'Also wrong' : 'Warnings'}
          </Text>
          <List size="sm" spacing={2}>
            {warnings.map((w) => (
              <List.Item key={w} data-testid="qa-warning">
                {w}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

function hasAny(ev: Evidence, keys: (keyof Evidence)[]): boolean {
  return keys.some((k) => ev[k] !== undefined);
}

function ClickEvidence({ ev }: { ev: Evidence }) {
  if (!hasAny(ev, ['trackingUrl', 'statusCode'])) return null;
  return (
    <Stack gap="xs" data-testid="qa-click-evidence">
      <Fact label="Requested (as a browser, marked as a test click)">
        <Mono testId="qa-click-url">{ev.trackingUrl}</Mono>
      </Fact>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Fact label="Answer">
          <StatusCode code={ev.statusCode} testId="qa-click-status" />
        </Fact>
        <Fact label="Click id">
          {ev.clickId ? (
            <span data-testid="qa-click-id">
              <ClickIdLink id={ev.clickId} full />
            </span>
          ) : (
            <Dim>none issued</Dim>
          )}
        </Fact>
        <Fact label="Click recorded">
          {ev.clickStored === undefined ? (
            <Dim>—</Dim>
          ) : (
            <YesNo yes={ev.clickStored} yesText="stored as a test click" noText="not stored" />
          )}
        </Fact>
        <Fact label="Latency">
          <Text size="sm">{ms(ev.latencyMs)}</Text>
        </Fact>
      </SimpleGrid>
      <Fact label="Location (where the visitor is sent)">
        {ev.location ? <Mono testId="qa-click-location">{ev.location}</Mono> : <Dim>no Location header</Dim>}
      </Fact>
    </Stack>
  );
}

function RedirectEvidence({ ev }: { ev: Evidence }) {
  const hops = ev.hops ?? [];
  if (hops.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        Hop 1 is the URL the tracking link redirected to; every further hop is a redirect it answered. Each
        URL must still carry the click id, or the landing page cannot pass it on to the registration.
      </Text>
      <Table.ScrollContainer minWidth={760}>
        <Table withTableBorder verticalSpacing={4} data-testid="qa-hops">
          <Table.Thead>
            <Table.Tr>
              <Table.Th ta="right">#</Table.Th>
              <Table.Th>URL</Table.Th>
              <Table.Th ta="right">Status</Table.Th>
              <Table.Th ta="right">Latency</Table.Th>
              <Table.Th>Click id in URL</Table.Th>
              <Table.Th>Address / error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {hops.map((h) => {
              const lost = ev.lostAt === h.n;
              return (
                <Table.Tr
                  key={h.n}
                  className={lost ? 'pd-qa-lost' : undefined}
                  data-testid="qa-hop"
                  data-n={h.n}
                  data-click-id={h.clickIdInUrl ? 'yes' : 'no'}
                  data-lost={lost ? 'true' : undefined}
                >
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    {h.n}
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }} maw={460}>
                    <Mono>{h.url}</Mono>
                    {h.location && (
                      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                        → {h.location}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                    <StatusCode code={h.statusCode} />
                  </Table.Td>
                  <Table.Td ta="right" style={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
                    {ms(h.latencyMs)}
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <YesNo yes={h.clickIdInUrl} yesText="kept" noText="missing" />
                    {lost && (
                      <Badge
                        color="red"
                        variant="filled"
                        size="xs"
                        mt={4}
                        display="block"
                        w="fit-content"
                        data-testid="qa-hop-lost"
                      >
                        Lost here
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }} maw={240}>
                    {h.error ? (
                      <Text size="xs" c="red.8">
                        {h.error}
                      </Text>
                    ) : (
                      <Mono>{h.address ?? '—'}</Mono>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function LandingEvidence({ ev }: { ev: Evidence }) {
  if (!hasAny(ev, ['url', 'statusCode'])) return null;
  return (
    <Stack gap="xs" data-testid="qa-landing-evidence">
      <Fact label="Page the chain ended on">
        <Mono testId="qa-landing-url">{ev.url}</Mono>
      </Fact>
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm">
        <Fact label="Answer">
          <StatusCode code={ev.statusCode} testId="qa-landing-status" />
        </Fact>
        <Fact label="Title">
          {ev.title ? (
            <Text size="sm" data-testid="qa-landing-title" style={{ overflowWrap: 'anywhere' }}>
              {ev.title}
            </Text>
          ) : (
            <Dim>no title</Dim>
          )}
        </Fact>
        <Fact label="Content type">{ev.contentType ? <Mono>{ev.contentType}</Mono> : <Dim>—</Dim>}</Fact>
        <Fact label="Size">
          <Text size="sm">{ev.bytes === undefined ? '—' : formatBytes(ev.bytes)}</Text>
        </Fact>
        <Fact label="Latency">
          <Text size="sm">{ms(ev.latencyMs)}</Text>
        </Fact>
      </SimpleGrid>
    </Stack>
  );
}

type TestEvent = NonNullable<Evidence['events']>[number];

function Attribution({ e, partnerName }: { e: TestEvent; partnerName: (id: string) => string }) {
  const known = (ATTRIBUTIONS as readonly string[]).includes(e.attribution ?? '');
  return (
    <Stack gap={2}>
      {known ? (
        <AttributionBadge attribution={e.attribution as PdEvent['attribution']} />
      ) : (
        <Dim>{e.attribution ?? '—'}</Dim>
      )}
      {e.attributionNote && (
        <Text size="xs" c="dimmed" maw={280}>
          {noteText(e.attributionNote, partnerName)}
        </Text>
      )}
    </Stack>
  );
}

function EventTable({ events, expectedPartnerId }: { events: TestEvent[]; expectedPartnerId?: string }) {
  const partnerName = usePartnerNames(
    events
      .flatMap((e) => (e.partnerId ? [e.partnerId] : []))
      .concat(expectedPartnerId ? [expectedPartnerId] : []),
  );
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table withTableBorder verticalSpacing={4} data-testid="qa-events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Event</Table.Th>
            <Table.Th>Txid</Table.Th>
            <Table.Th>Answer</Table.Th>
            <Table.Th>Attribution</Table.Th>
            <Table.Th>Partner</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => {
            const wrong = expectedPartnerId !== undefined && e.partnerId !== expectedPartnerId;
            return (
              <Table.Tr
                key={e.txid}
                className={wrong ? 'pd-qa-lost' : undefined}
                data-testid="qa-event-row"
                data-type={e.type}
                data-attribution={e.attribution ?? ''}
              >
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Group gap={4} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {eventLabel(e.type)}
                    </Text>
                    {e.isFtd && (
                      <Badge size="xs" color="green" variant="filled">
                        FTD
                      </Badge>
                    )}
                    {e.isQualifiedFtd && (
                      <Badge size="xs" color="green" variant="light">
                        Qualified
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Mono>{e.txid}</Mono>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Badge
                    size="sm"
                    variant="light"
                    color={e.status === 'accepted' ? 'green' : 'red'}
                    miw="fit-content"
                  >
                    {e.status}
                  </Badge>
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <Attribution e={e} partnerName={partnerName} />
                </Table.Td>
                <Table.Td style={{ verticalAlign: 'top' }}>
                  <PartnerLink id={e.partnerId} name={partnerName} />
                  {wrong && (
                    <Text size="xs" c="red.8">
                      expected {expectedPartnerId ? partnerName(expectedPartnerId) : '—'}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function EventsEvidence({ ev }: { ev: Evidence }) {
  const events = ev.events ?? [];
  if (events.length === 0 && ev.waitedMs === undefined) return null;
  return (
    <Stack gap={4}>
      {ev.waitedMs !== undefined && ev.waitedMs > 0 && (
        <Text size="xs" c="dimmed">
          Sent after waiting {(ev.waitedMs / 1000).toFixed(1)} s, the programme's minimum time between a click
          and its events (faster events are treated as bots).
        </Text>
      )}
      {events.length > 0 && <EventTable events={events} />}
      <Text size="xs" c="dimmed">
        Test events come from the built-in “Tracking QA” source and are never counted in stats or paid.
      </Text>
    </Stack>
  );
}

function AttributionEvidence({ ev }: { ev: Evidence }) {
  const partnerName = usePartnerNames(ev.expectedPartnerId ? [ev.expectedPartnerId] : []);
  if (!ev.expectedPartnerId && !ev.events) return null;
  return (
    <Stack gap={4}>
      {ev.expectedPartnerId && (
        <Text size="sm">
          Expected partner: <PartnerLink id={ev.expectedPartnerId} name={partnerName} />
        </Text>
      )}
      {ev.events && ev.events.length > 0 && (
        <EventTable events={ev.events} expectedPartnerId={ev.expectedPartnerId} />
      )}
    </Stack>
  );
}

type TestDelivery = NonNullable<Evidence['deliveries']>[number];

function PostbacksEvidence({ ev }: { ev: Evidence }) {
  const deliveries = ev.deliveries ?? [];
  if (deliveries.length === 0) return null;
  return (
    <Stack gap="xs">
      {deliveries.map((d) => (
        <DeliveryCard key={d.deliveryId} d={d} />
      ))}
    </Stack>
  );
}

function DeliveryCard({ d }: { d: TestDelivery }) {
  const a = d.attempt;
  const bad = !!d.problem || d.leftover.length > 0 || (a !== null && a.outcome !== 'success');
  return (
    <Paper
      withBorder
      p="xs"
      style={bad ? { borderColor: 'var(--mantine-color-red-4)' } : undefined}
      data-testid="qa-delivery"
      data-event-type={d.eventType}
      data-status-code={a?.statusCode ?? ''}
      data-outcome={a?.outcome ?? 'none'}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text size="sm" fw={600}>
              {postbackEventLabel(d.eventType)} postback
            </Text>
            {a && <OutcomeBadge outcome={a.outcome} />}
          </Group>
          <Text size="xs" c="dimmed" className="pd-mono">
            delivery {d.deliveryId}
          </Text>
        </Group>
        {a ? (
          <>
            <Fact label={`Sent (${a.method})`}>
              <Mono testId="qa-delivery-url">{a.url}</Mono>
            </Fact>
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
              <Fact label="Status code">
                <StatusCode code={a.statusCode} testId="qa-delivery-status" />
              </Fact>
              <Fact label="Latency">
                <Text size="sm">{ms(a.latencyMs)}</Text>
              </Fact>
              <Fact label="Outcome">
                <Text size="sm" c={a.outcome === 'success' ? 'green.8' : 'red.8'} fw={600}>
                  {a.outcome === 'success' ? 'Accepted (2xx, no rejection in the body)' : 'Failed'}
                </Text>
              </Fact>
              <Fact label="Error">
                {a.error ? (
                  <Text size="sm" c="red.8" data-testid="qa-delivery-error">
                    {attemptErrorLabel(a.error)}
                    {a.errorDetail ? ` — ${a.errorDetail}` : ''}
                  </Text>
                ) : (
                  <Dim>none</Dim>
                )}
              </Fact>
            </SimpleGrid>
          </>
        ) : (
          <Text size="sm" c="red.8">
            Not sent.
          </Text>
        )}
        {d.problem && (
          <Text size="sm" c="red.8" data-testid="qa-delivery-problem">
            {d.problem}
          </Text>
        )}
        <Group gap="lg" align="flex-start">
          <Fact label="Macros that rendered empty">
            {d.emptyMacros.length === 0 ? (
              <Dim>none</Dim>
            ) : (
              <Group gap={4} data-testid="qa-empty-macros">
                {d.emptyMacros.map((m) => (
                  <Badge key={m} size="sm" color="yellow" variant="light" tt="none" className="pd-mono">
                    {`{${m}}`}
                  </Badge>
                ))}
              </Group>
            )}
          </Fact>
          <Fact label="Left unreplaced in what was sent">
            {d.leftover.length === 0 ? (
              <Dim>nothing</Dim>
            ) : (
              <Tooltip label="A macro that was not replaced: misspelt, wrong case, or not a macro Partnerdesk knows">
                <Group gap={4} data-testid="qa-leftover">
                  {d.leftover.map((m) => (
                    <Badge key={m} size="sm" color="red" variant="filled" tt="none" className="pd-mono">
                      {m}
                    </Badge>
                  ))}
                </Group>
              </Tooltip>
            )}
          </Fact>
        </Group>
        {a && (
          <Fact label="Answer (first 1 KB)">
            {a.responseStart ? (
              <Code
                block
                style={{ maxHeight: 160, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                data-testid="qa-delivery-response"
              >
                {a.responseStart}
              </Code>
            ) : (
              <Dim>empty</Dim>
            )}
          </Fact>
        )}
      </Stack>
    </Paper>
  );
}
