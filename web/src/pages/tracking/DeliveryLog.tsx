// A partner's postback delivery log: every delivery, newest first, with every attempt (method, the URL as
// sent — secret-looking values redacted by the server —, status, latency, outcome, error, the start of the
// answer), filtered by postback and status, and a resend with confirmation.
import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, EmptyState, ErrorState } from '../../components/states';
import { humanize } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';
import { deliveriesKey, postbacksKey, usePostbacks } from './PostbacksPanel';
import {
  AttemptTable,
  DELIVERY_STATUSES,
  type Delivery,
  DeliveryStatusBadge,
  type Postback,
  postbackEventLabel,
} from './shared';

export function postbackLabel(p: Postback): string {
  const url = p.urlTemplate.replace(/^https?:\/\//, '');
  return `${postbackEventLabel(p.eventType)} · ${p.method} ${url.length > 48 ? `${url.slice(0, 48)}…` : url}`;
}

export function DeliveryLog({
  partnerId,
  postbackId,
  status,
  onFilter,
}: {
  partnerId: string;
  postbackId: string;
  status: string;
  onFilter: (patch: { postbackId?: string | null; status?: string | null }) => void;
}) {
  const { can } = useSession();
  const postbacks = usePostbacks(partnerId);
  const [resending, setResending] = useState<Delivery | null>(null);
  const query = {
    postbackId: postbackId || undefined,
    status: (DELIVERY_STATUSES as readonly string[]).includes(status)
      ? (status as Delivery['status'])
      : undefined,
  };
  const q = useInfiniteQuery({
    queryKey: [...deliveriesKey(partnerId), query],
    staleTime: 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/partners/{id}/postbacks/deliveries', {
        path: { id: partnerId },
        query: { ...query, limit: 25, cursor: pageParam },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const byId = new Map((postbacks.data?.data ?? []).map((p) => [p.id, p]));
  const filtered = query.postbackId !== undefined || query.status !== undefined;

  return (
    <Stack gap="xs" data-testid="delivery-log">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={5}>Delivery log</Title>
          <Text size="xs" c="dimmed">
            Every call made to the partner’s tracker, with what it answered. Times in your time zone (hover
            for UTC).
          </Text>
        </div>
        <Group gap="xs" align="flex-end">
          <Select
            label="Postback"
            placeholder="Any"
            data={(postbacks.data?.data ?? []).map((p) => ({ value: p.id, label: postbackLabel(p) }))}
            value={query.postbackId ?? null}
            onChange={(v) => onFilter({ postbackId: v })}
            clearable
            w={320}
            data-testid="deliveries-postback"
          />
          <Select
            label="Status"
            placeholder="Any"
            data={DELIVERY_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
            value={query.status ?? null}
            onChange={(v) => onFilter({ status: v })}
            clearable
            w={140}
            data-testid="deliveries-status"
          />
          <Button variant="default" size="sm" onClick={() => void q.refetch()} loading={q.isFetching}>
            Refresh
          </Button>
        </Group>
      </Group>
      {q.isPending ? (
        <BlockSkeleton lines={5} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : rows.length === 0 ? (
        <Paper withBorder>
          <EmptyState title={filtered ? 'No deliveries match these filters' : 'Nothing delivered yet'}>
            {filtered
              ? 'Clear a filter to see more.'
              : 'A delivery appears when an event of a postback’s type arrives for this partner, or when you send a test.'}
          </EmptyState>
        </Paper>
      ) : (
        rows.map((d) => (
          <DeliveryCard
            key={d.id}
            d={d}
            postback={byId.get(d.postbackId)}
            canResend={can('postbacks.write')}
            onResend={() => setResending(d)}
          />
        ))
      )}
      {q.hasNextPage && (
        <Group justify="flex-end">
          <Button
            variant="default"
            size="xs"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      )}
      <Modal opened={resending !== null} onClose={() => setResending(null)} title="Send this delivery again?">
        {resending && (
          <ResendConfirm
            partnerId={partnerId}
            delivery={resending}
            postback={byId.get(resending.postbackId)}
            onDone={() => setResending(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}

function DeliveryCard({
  d,
  postback,
  canResend,
  onResend,
}: {
  d: Delivery;
  postback: Postback | undefined;
  canResend: boolean;
  onResend: () => void;
}) {
  // Failures are opened, successes folded: the log is read to find what went wrong.
  const [open, setOpen] = useState(d.status !== 'succeeded');
  return (
    <Paper withBorder data-testid="delivery" data-status={d.status} data-delivery-id={d.id}>
      <Group justify="space-between" p="xs" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <Text size="sm" fw={600}>
              {postbackEventLabel(d.eventType)}
            </Text>
            <DeliveryStatusBadge status={d.status} />
            {d.test && (
              <Badge size="sm" variant="outline" color="gray">
                Test
              </Badge>
            )}
            <Text size="xs" c="dimmed">
              {d.attemptCount} attempt{d.attemptCount === 1 ? '' : 's'} · created{' '}
              <DateTime iso={d.createdAt} />
              {d.completedAt && (
                <>
                  {' '}
                  · done <DateTime iso={d.completedAt} relative />
                </>
              )}
              {d.nextAttemptAt && (
                <>
                  {' '}
                  · next try <DateTime iso={d.nextAttemptAt} relative />
                </>
              )}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {postback ? postbackLabel(postback) : d.postbackId}
            {d.eventId && (
              <>
                {' '}
                · event <span className="pd-mono">{d.eventId}</span>
              </>
            )}{' '}
            · delivery <span className="pd-mono">{d.id}</span>
          </Text>
          {d.lastError && d.status !== 'succeeded' && (
            <Text size="xs" c="red.8" data-testid="delivery-last-error">
              Last error: {d.lastError}
            </Text>
          )}
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => setOpen((o) => !o)}
            data-testid="delivery-toggle"
          >
            {open ? 'Hide attempts' : `Show attempts (${d.attempts.length})`}
          </Button>
          {canResend && !d.test && (
            <Button size="compact-xs" variant="light" onClick={onResend} data-testid="delivery-resend">
              Resend
            </Button>
          )}
        </Group>
      </Group>
      {open && <AttemptTable attempts={d.attempts} />}
    </Paper>
  );
}

function ResendConfirm({
  partnerId,
  delivery,
  postback,
  onDone,
}: {
  partnerId: string;
  delivery: Delivery;
  postback: Postback | undefined;
  onDone: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  async function resend() {
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/partners/{id}/postbacks/deliveries/{deliveryId}/resend', {
        path: { id: partnerId, deliveryId: delivery.id },
      });
      await Promise.all([
        qc.invalidateQueries({ queryKey: deliveriesKey(partnerId) }),
        qc.invalidateQueries({ queryKey: postbacksKey(partnerId) }),
      ]);
      const a = r.attempt;
      notifications.show({
        color: a.outcome === 'success' ? 'green' : 'red',
        title: a.outcome === 'success' ? 'Delivered' : 'The resend failed too',
        message: `Answer ${a.statusCode ?? 'none'} in ${a.latencyMs} ms${a.errorDetail ? ` — ${a.errorDetail}` : ''}`,
      });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Stack gap="sm">
      <FormError errors={errors} />
      {postback?.status === 'disabled' && (
        <Alert color="orange" variant="light">
          <Text size="sm">The postback is disabled: enable it first (or send a test).</Text>
        </Alert>
      )}
      <Text size="sm">
        A new attempt of this {postbackEventLabel(delivery.eventType)} delivery is sent now and logged. The
        partner may receive the event twice; the <code>X-Partnerdesk-Delivery</code> header stays the same, so
        their tracker can drop the duplicate.
      </Text>
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={() => void resend()} loading={busy} data-testid="delivery-resend-confirm">
          Resend now
        </Button>
      </Group>
    </Stack>
  );
}
