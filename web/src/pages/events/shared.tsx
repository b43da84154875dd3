// Pieces shared by the events, clients, inbox and event-source screens: the closed lists (checked against the
// generated API types), attribution and event-flag badges, the events table, and names for ids the API
// answers bare (event sources, programmes, users).
import { Anchor, Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { components } from '../../api/schema';
import { DateTime } from '../../components/bits';
import { formatLots, formatMoney, humanize } from '../../lib/format';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { usePartnerNames } from '../work/PartnerPicker';

type S = components['schemas'];
export type PdEvent = S['Event'];
export type Client = S['Client'];
export type ClientDetail = S['ClientDetail'];
export type Decision = S['AttributionDecision'];
export type EventSource = S['EventSource'];
export type EventSourceWithSecrets = S['EventSourceWithSecrets'];
export type InboxItem = S['EventInboxItem'];
export type Programme = S['Programme'];

export const EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const satisfies readonly PdEvent['type'][];
export const ATTRIBUTIONS = [
  'click',
  'referral',
  'client',
  'manual',
  'none',
] as const satisfies readonly PdEvent['attribution'][];
export const SOURCE_KINDS = [
  'back_office',
  'crm',
  'payments',
  'other',
] as const satisfies readonly EventSource['kind'][];

const EVENT_LABELS: Record<string, string> = { ftd: 'FTD', kyc_approved: 'KYC approved' };
export const eventLabel = (t: string) => EVENT_LABELS[t] ?? humanize(t);

const ATTRIBUTION_INFO: Record<PdEvent['attribution'], { label: string; color: string; tip: string }> = {
  click: { label: 'Click', color: 'blue', tip: 'A verified click id within the programme windows' },
  referral: { label: 'Referral code', color: 'grape', tip: "The partner's referral code" },
  client: {
    label: 'Client',
    color: 'teal',
    tip: 'The client was already attributed (the first attribution sticks)',
  },
  manual: { label: 'Manual', color: 'orange', tip: 'Moved by an approved attribution decision' },
  none: { label: 'Unattributed', color: 'gray', tip: 'No partner: no valid click id or referral code' },
};

/** The attribution note (a code from the resolver) in words. */
export function noteText(note: string, partnerName: (id: string) => string): string {
  const m = /^client_attributed_to_(.+)$/.exec(note);
  if (m?.[1])
    return `The client already belongs to ${partnerName(m[1])}; this event's own click or code was not used`;
  return NOTE_WORDS[note] ?? humanize(note);
}
const NOTE_WORDS: Record<string, string> = {
  no_click_id: 'No click id or referral code in the event',
  forged_click_id: 'The click id is not one Partnerdesk issued (altered or made up)',
  unknown_link: 'The click id names a link that no longer exists',
  too_fast: "Sooner after the click than the programme's minimum",
  too_old: "The click is older than the programme's maximum age",
  unknown_referral_code: 'The referral code is not any partner’s',
};

export const attributionOptions = ATTRIBUTIONS.map((a) => ({ value: a, label: ATTRIBUTION_INFO[a].label }));

export function AttributionBadge({ attribution }: { attribution: PdEvent['attribution'] }) {
  const info = ATTRIBUTION_INFO[attribution];
  return (
    <Tooltip label={info.tip} openDelay={300}>
      <Badge size="sm" variant="light" color={info.color} miw="fit-content" data-testid="attribution-badge">
        {info.label}
      </Badge>
    </Tooltip>
  );
}

export function TestBadge() {
  return (
    <Tooltip label="A test event: kept apart, never counted in figures or paid" openDelay={300}>
      <Badge size="sm" variant="outline" color="gray" miw="fit-content" data-testid="test-badge">
        Test
      </Badge>
    </Tooltip>
  );
}

export function EventFlags({ e }: { e: Pick<PdEvent, 'isFtd' | 'isQualifiedFtd' | 'isTest'> }) {
  return (
    <Group gap={4} wrap="nowrap">
      {e.isFtd && (
        <Badge size="sm" color="green" variant="filled" miw="fit-content" data-testid="ftd-badge">
          FTD
        </Badge>
      )}
      {e.isQualifiedFtd && (
        <Tooltip label="The first deposit reached the programme's qualifying amount" openDelay={300}>
          <Badge size="sm" color="green" variant="light" miw="fit-content" data-testid="qualified-badge">
            Qualified
          </Badge>
        </Tooltip>
      )}
      {e.isTest && <TestBadge />}
    </Group>
  );
}

export function Money({ minor, currency }: { minor: number | null; currency: string | null }) {
  if (minor === null || !currency)
    return (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
      {formatMoney(minor, currency)}
    </Text>
  );
}

/** Names of event sources by id (only users who manage sources can list them; others see the id). */
export function useSourceNames(): (id: string | null) => string | null {
  const { can } = useSession();
  const q = useQuery({
    queryKey: ['event-sources'],
    queryFn: () => api.get('/api/v1/event-sources'),
    enabled: can('event_sources.manage'),
    staleTime: 60_000,
  });
  const map = new Map((q.data?.data ?? []).map((s) => [s.id, s.name]));
  return (id) => (id ? (map.get(id) ?? null) : null);
}

/**
 * External ids of clients the events list answers without one (GET /api/v1/events leaves
 * clientExternalId empty): each client loaded once, cached with the client page's query.
 */
export function useClientExternalIds(ids: string[]): (id: string) => string {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['client', id],
      staleTime: 60_000,
      queryFn: () => api.get('/api/v1/clients/{id}', { path: { id } }),
    })),
  });
  const map = new Map<string, string>();
  unique.forEach((id, i) => {
    const d = results[i]?.data;
    if (d) map.set(id, d.externalId);
  });
  return (id) => map.get(id) ?? `${id.slice(0, 10)}…`;
}

/** Programme names by id. */
export function useProgrammes() {
  return useQuery({
    queryKey: ['programmes'],
    queryFn: () => api.get('/api/v1/programmes'),
    staleTime: 60_000,
  });
}

/** User names by id where the user may list users; "you" for the signed-in user. */
export function useUserNames(): (id: string | null) => string {
  const { can, session } = useSession();
  const q = useQuery({
    queryKey: ['users', 'names'],
    queryFn: () => api.get('/api/v1/users', { query: { limit: 200 } }),
    enabled: can('users.read'),
    staleTime: 5 * 60_000,
  });
  const map = new Map((q.data?.data ?? []).map((u) => [u.id, u.name]));
  return (id) => {
    if (!id) return '—';
    if (id === session.user.id) return 'you';
    return map.get(id) ?? id;
  };
}

export function PartnerLink({ id, name }: { id: string | null; name: (id: string) => string }) {
  if (!id)
    return (
      <Text span size="sm" c="dimmed">
        no partner
      </Text>
    );
  return (
    <Anchor
      component={Link}
      to={`/partners/${id}`}
      size="sm"
      onClick={(e) => e.stopPropagation()}
      data-testid="partner-link"
    >
      {name(id)}
    </Anchor>
  );
}

/** Events, newest first: a row opens its client (when the event has one). */
export function EventTable({
  events,
  showClient = true,
  showSource = true,
}: {
  events: PdEvent[];
  showClient?: boolean;
  showSource?: boolean;
}) {
  const partnerName = usePartnerNames(
    events.flatMap((e) => [
      ...(e.partnerId ? [e.partnerId] : []),
      ...(e.attributionNote?.startsWith('client_attributed_to_')
        ? [e.attributionNote.slice('client_attributed_to_'.length)]
        : []),
    ]),
  );
  const sourceName = useSourceNames();
  const canSeeClicks = useSession().can('clicks.read');
  const externalId = useClientExternalIds(
    showClient ? events.flatMap((e) => (e.clientId && !e.clientExternalId ? [e.clientId] : [])) : [],
  );
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table data-testid="events-table" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Type</Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Txid</Table.Th>
            {showClient && <Table.Th>Client</Table.Th>}
            <Table.Th>Partner</Table.Th>
            <Table.Th>Attribution</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th ta="right">Lots</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => {
            const to = e.clientId ? `/clients/${e.clientId}` : null;
            return (
              <Table.Tr
                key={e.id}
                data-testid="event-row"
                data-txid={e.txid}
                className={to && showClient ? 'pd-row-link' : undefined}
                tabIndex={to && showClient ? 0 : undefined}
                onClick={(ev) => {
                  if (!to || !showClient) return;
                  if (ev.metaKey || ev.ctrlKey) window.open(to, '_blank');
                  else navigate(to);
                }}
                onKeyDown={(ev) => {
                  if (to && showClient && ev.key === 'Enter') navigate(to);
                }}
              >
                <Table.Td>
                  <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                    {eventLabel(e.type)}
                  </Text>
                  {showSource && sourceName(e.sourceId) && (
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {sourceName(e.sourceId)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <DateTime iso={e.occurredAt} />
                  {Math.abs(Date.parse(e.receivedAt) - Date.parse(e.occurredAt)) > 60_000 && (
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      received <DateTime iso={e.receivedAt} relative />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td maw={200}>
                  <Text className="pd-mono" truncate title={e.txid}>
                    {e.txid}
                  </Text>
                </Table.Td>
                {showClient && (
                  <Table.Td>
                    {e.clientId ? (
                      <Anchor
                        component={Link}
                        to={`/clients/${e.clientId}`}
                        size="sm"
                        className="pd-mono"
                        style={{ whiteSpace: 'nowrap' }}
                        onClick={(ev) => ev.stopPropagation()}
                      >
                        {e.clientExternalId ?? externalId(e.clientId)}
                      </Anchor>
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                )}
                <Table.Td>
                  <PartnerLink id={e.partnerId} name={partnerName} />
                </Table.Td>
                <Table.Td maw={280}>
                  <Group gap={6} wrap="nowrap">
                    <AttributionBadge attribution={e.attribution} />
                    {e.clickId && canSeeClicks && (
                      <Anchor
                        component={Link}
                        to={`/clicks/${encodeURIComponent(e.clickId)}`}
                        size="xs"
                        style={{ whiteSpace: 'nowrap' }}
                        title={`Click ${e.clickId}`}
                        onClick={(ev) => ev.stopPropagation()}
                        data-testid="event-click-story"
                      >
                        click story
                      </Anchor>
                    )}
                  </Group>
                  {e.attributionNote && (
                    <Text
                      size="xs"
                      c="dimmed"
                      lineClamp={2}
                      title={e.attributionNote}
                      data-testid="attribution-note"
                    >
                      {noteText(e.attributionNote, partnerName)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Money minor={e.amountMinor} currency={e.currency} />
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm">{formatLots(e.lots)}</Text>
                </Table.Td>
                <Table.Td>
                  <EventFlags e={e} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
