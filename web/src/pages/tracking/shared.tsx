// Pieces shared by the tracking screens (links, link stats, postbacks, the delivery log, the click story and
// stats): the closed lists (checked against the generated API types), status badges, the copyable tracking
// URL, the attempt table, and names for link ids the API answers bare.
import { Anchor, Badge, Button, Code, CopyButton, Group, List, Table, Text, Tooltip } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { type ApiError, api } from '../../api/client';
import type { components } from '../../api/schema';
import { DateTime } from '../../components/bits';
import { formatCount, humanize } from '../../lib/format';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';

type S = components['schemas'];
export type TrackingLink = S['Link'];
export type LinkStats = S['LinkStats'];
export type Postback = S['Postback'];
export type PostbackSaved = S['PostbackSaved'];
export type Delivery = S['PostbackDelivery'];
export type Attempt = S['PostbackAttempt'];
export type ClickStory = S['ClickStoryWithEvidence'];
export type StatsRow = S['StatsRow'];
export type StatsFigures = S['StatsFigures'];

export const LINK_STATUSES = [
  'active',
  'paused',
  'archived',
] as const satisfies readonly TrackingLink['status'][];
export const POSTBACK_EVENT_TYPES = [
  'registration',
  'kyc_approved',
  'ftd',
  'qualified_ftd',
  'deposit',
  'withdrawal',
  'trade',
  'chargeback',
] as const satisfies readonly Postback['eventType'][];
export const DELIVERY_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'dead',
  'cancelled',
] as const satisfies readonly Delivery['status'][];
export const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
] as const satisfies readonly NonNullable<Postback['contentType']>[];

/** Placeholders a landing URL may carry (filled at click time). */
export const LANDING_PLACEHOLDERS = ['click_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;

/**
 * The macros an outbound postback may carry — a hint list only: the server's linter decides at save time
 * (422 naming each problem). The keys are checked against the API's PostbackMacroValues.
 */
export const POSTBACK_MACROS = [
  'click_id',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'event',
  'txid',
  'amount',
  'currency',
  'payout',
  'partner_id',
  'link_code',
  'country',
  'timestamp',
] as const satisfies readonly (keyof S['PostbackMacroValues'])[];

const MACRO_HELP: Record<(typeof POSTBACK_MACROS)[number], string> = {
  click_id: 'The click id the client came with',
  sub1: 'sub1 of the click',
  sub2: 'sub2 of the click',
  sub3: 'sub3 of the click',
  sub4: 'sub4 of the click',
  sub5: 'sub5 of the click',
  event: 'The event type (registration, ftd, …)',
  txid: 'The transaction id of the event',
  amount: 'The amount in major units (250.00)',
  currency: 'ISO currency of the amount',
  payout: 'The commission for this event, when known (empty otherwise)',
  partner_id: 'The partner id in Partnerdesk',
  link_code: 'The code of the tracking link',
  country: "The client's country (ISO2)",
  timestamp: 'When the event happened (Unix seconds)',
};
export const macroHelp = (m: (typeof POSTBACK_MACROS)[number]) => MACRO_HELP[m];

const EVENT_LABELS: Record<string, string> = {
  ftd: 'FTD',
  qualified_ftd: 'Qualified FTD',
  kyc_approved: 'KYC approved',
};
export const postbackEventLabel = (t: string) => EVENT_LABELS[t] ?? humanize(t);

const LINK_STATUS: Record<TrackingLink['status'], { color: string; tip: string }> = {
  active: { color: 'green', tip: 'Clicks are recorded and redirected to the landing page' },
  paused: { color: 'orange', tip: 'Clicks answer 410 until the link is activated again' },
  archived: { color: 'gray', tip: 'Archived for good: clicks answer 410' },
};

export function LinkStatusBadge({ status }: { status: TrackingLink['status'] }) {
  const s = LINK_STATUS[status];
  return (
    <Tooltip label={s.tip} openDelay={300}>
      <Badge
        color={s.color}
        variant="light"
        size="sm"
        miw="fit-content"
        style={{ overflow: 'visible' }}
        data-testid="link-status"
      >
        {humanize(status)}
      </Badge>
    </Tooltip>
  );
}

const DELIVERY_STATUS: Record<Delivery['status'], { color: string; tip: string }> = {
  pending: { color: 'yellow', tip: 'Waiting for its next attempt (retries back off over about three days)' },
  succeeded: { color: 'green', tip: 'The partner answered 2xx' },
  failed: { color: 'red', tip: 'A test delivery that failed (tests are not retried)' },
  dead: { color: 'red', tip: 'Every retry failed; resend it once the partner fixed their endpoint' },
  cancelled: { color: 'gray', tip: 'Cancelled: the postback was disabled before it was sent' },
};

export function DeliveryStatusBadge({ status }: { status: Delivery['status'] }) {
  const s = DELIVERY_STATUS[status];
  return (
    <Tooltip label={s.tip} openDelay={300}>
      <Badge
        color={s.color}
        variant={status === 'dead' ? 'filled' : 'light'}
        size="sm"
        miw="fit-content"
        style={{ overflow: 'visible' }}
        data-testid="delivery-status"
      >
        {humanize(status)}
      </Badge>
    </Tooltip>
  );
}

export function OutcomeBadge({ outcome }: { outcome: Attempt['outcome'] }) {
  return (
    <Badge
      color={outcome === 'success' ? 'green' : 'red'}
      variant="light"
      size="sm"
      miw="fit-content"
      style={{ overflow: 'visible' }}
      data-testid="attempt-outcome"
    >
      {outcome === 'success' ? 'Success' : 'Failure'}
    </Badge>
  );
}

const ERROR_WORDS: Record<NonNullable<Attempt['error']>, string> = {
  timeout: 'Timed out',
  refused_private: 'Refused: private address',
  dns: 'Host not found',
  connection: 'Connection failed',
  redirect: 'Answered a redirect',
  invalid_url: 'Invalid URL',
  http_status: 'Non-2xx answer',
  rejected_body: 'Rejected in the body',
};
export const attemptErrorLabel = (e: NonNullable<Attempt['error']>) => ERROR_WORDS[e] ?? humanize(e);

/** The full tracking URL, wrapped rather than cut, with a one-click copy button. */
export function TrackingUrl({ url, compact = false }: { url: string; compact?: boolean }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" data-testid="tracking-url-box">
      <Text
        span
        className="pd-mono"
        style={{ overflowWrap: 'anywhere', minWidth: 0 }}
        data-testid="tracking-url"
      >
        {url}
      </Text>
      <CopyButton value={url} timeout={1500}>
        {({ copied, copy }) => (
          <Button
            size="compact-xs"
            variant={copied ? 'filled' : 'light'}
            color={copied ? 'teal' : 'blue'}
            onClick={(e) => {
              e.stopPropagation();
              copy();
            }}
            style={{ flexShrink: 0 }}
            data-testid="copy-tracking-url"
          >
            {copied ? 'Copied' : compact ? 'Copy' : 'Copy URL'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** Right-aligned count cell. */
export function NumTd({ n, testId }: { n: number | null | undefined; testId?: string }) {
  return (
    <Table.Td
      ta="right"
      style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}
      data-testid={testId}
    >
      {formatCount(n)}
    </Table.Td>
  );
}

/** Tracking link names by id (each loaded once); the id where the user may not read links. */
export function useLinkNames(ids: (string | null | undefined)[]): (id: string) => TrackingLink | null {
  const { can } = useSession();
  const unique = [...new Set(ids.filter((x): x is string => !!x))];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['link', id],
      staleTime: 5 * 60_000,
      enabled: can('links.read'),
      queryFn: () => api.get('/api/v1/links/{id}', { path: { id } }),
    })),
  });
  const map = new Map<string, TrackingLink>();
  unique.forEach((id, i) => {
    const d = results[i]?.data;
    if (d) map.set(id, d);
  });
  return (id) => map.get(id) ?? null;
}

/** A click id shortened, linking to its story. */
export function ClickIdLink({ id, full = false }: { id: string; full?: boolean }) {
  const { can } = useSession();
  const text = full ? id : `${id.slice(0, 12)}…`;
  if (!can('clicks.read'))
    return (
      <Text span className="pd-mono" title={id}>
        {text}
      </Text>
    );
  return (
    <Anchor
      component={Link}
      to={`/clicks/${encodeURIComponent(id)}`}
      className="pd-mono"
      title={`Open the story of click ${id}`}
      onClick={(e) => e.stopPropagation()}
      data-testid="click-link"
    >
      {text}
    </Anchor>
  );
}

/**
 * Every attempt of a delivery: method, URL as sent (the server redacts secret-looking values), status,
 * latency, outcome, error and the start of the answer.
 */
export function AttemptTable({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0)
    return (
      <Text size="sm" c="dimmed" p="xs" data-testid="no-attempts">
        No attempt yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table data-testid="attempts-table" verticalSpacing={4} withRowBorders>
        <Table.Thead>
          <Table.Tr>
            <Table.Th ta="right">#</Table.Th>
            <Table.Th>Sent</Table.Th>
            <Table.Th>Request</Table.Th>
            <Table.Th ta="right">Status</Table.Th>
            <Table.Th ta="right">Latency</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Answer (first 1 KB)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attempts.map((a) => (
            <Table.Tr key={a.id} data-testid="attempt-row" data-outcome={a.outcome}>
              <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                {a.attemptNo}
              </Table.Td>
              <Table.Td style={{ verticalAlign: 'top' }}>
                <DateTime iso={a.startedAt} />
                <Text size="xs" c="dimmed">
                  {a.via === 'schedule' ? 'scheduled' : a.via}
                </Text>
              </Table.Td>
              <Table.Td maw={420} style={{ verticalAlign: 'top' }}>
                <Text size="xs" fw={700} span>
                  {a.method}{' '}
                </Text>
                <Text span className="pd-mono" style={{ wordBreak: 'break-all' }} data-testid="attempt-url">
                  {a.url}
                </Text>
              </Table.Td>
              <Table.Td ta="right" style={{ verticalAlign: 'top' }} data-testid="attempt-status">
                {a.statusCode ?? '—'}
              </Table.Td>
              <Table.Td ta="right" style={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
                {formatCount(a.latencyMs)} ms
              </Table.Td>
              <Table.Td style={{ verticalAlign: 'top' }}>
                <OutcomeBadge outcome={a.outcome} />
                {a.error && (
                  <Text size="xs" c="red.8" mt={2} data-testid="attempt-error">
                    {attemptErrorLabel(a.error)}
                  </Text>
                )}
                {a.errorDetail && (
                  <Text size="xs" c="dimmed" maw={260} data-testid="attempt-error-detail">
                    {a.errorDetail}
                  </Text>
                )}
              </Table.Td>
              <Table.Td maw={320} style={{ verticalAlign: 'top' }}>
                {a.responseStart ? (
                  <Code
                    block
                    style={{
                      maxHeight: 90,
                      overflow: 'auto',
                      whiteSpace: 'pre-wrap',
                      wordBreak: 'break-all',
                    }}
                    data-testid="attempt-response"
                  >
                    {a.responseStart}
                  </Code>
                ) : (
                  <Text size="xs" c="dimmed">
                    empty
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Every problem the server named for one field, one per line (a linter may name several). */
export function ProblemList({ problems, testId }: { problems: string[]; testId: string }) {
  if (problems.length === 1)
    return (
      <span data-testid={testId}>
        <span data-testid="template-problem">{problems[0]}</span>
      </span>
    );
  return (
    <List size="xs" spacing={2} data-testid={testId} c="red.7">
      {problems.map((p) => (
        <List.Item key={p} data-testid="template-problem">
          {p}
        </List.Item>
      ))}
    </List>
  );
}

/** The messages of a failed save for one body field (`body.landingUrl`), in the order the server gave. */
export function problemsOf(error: ApiError | null, field: string): string[] {
  return (error?.errors ?? []).filter((e) => e.field === `body.${field}`).map((e) => e.message);
}

/** True when every field error of a failed save is shown beside its input (no need for a summary box). */
export function allShownInline(error: ApiError | null, shown: string[]): boolean {
  if (!error || error.errors.length === 0) return false;
  return error.errors.every((e) => shown.includes(e.field.replace(/^(body|query|path)\./, '')));
}
