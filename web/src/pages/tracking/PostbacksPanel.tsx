// A partner's outbound postbacks (Partnerdesk → the partner's own tracker): list, set up, change, enable,
// disable with a reason, rotate the signing secret (shown once) and fire a test through the real delivery
// path. The macro linter runs on the server at save time; its 422 names every problem, shown under the URL
// template. While typing, the known macros are listed (those used are filled) — a hint, not a second linter.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useRef, useState } from 'react';
import { api } from '../../api/client';
import type { Partner } from '../../api/types';
import { Copyable, DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { formatCount } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';
import { ReasonModal } from '../partner/DocumentsTab';
import { insertToken, TokenChips } from './links';
import {
  type Attempt,
  allShownInline,
  attemptErrorLabel,
  CONTENT_TYPES,
  type Delivery,
  macroHelp,
  OutcomeBadge,
  POSTBACK_EVENT_TYPES,
  POSTBACK_MACROS,
  type Postback,
  type PostbackSaved,
  ProblemList,
  postbackEventLabel,
  problemsOf,
} from './shared';

export const postbacksKey = (partnerId: string) => ['postbacks', partnerId];
export const deliveriesKey = (partnerId: string) => ['postback-deliveries', partnerId];

export function usePostbacks(partnerId: string, enabled = true) {
  return useQuery({
    queryKey: postbacksKey(partnerId),
    enabled,
    queryFn: () =>
      api.get('/api/v1/partners/{id}/postbacks', { path: { id: partnerId }, query: { limit: 200 } }),
  });
}

export function PostbacksPanel({
  partner,
  onShowDeliveries,
}: {
  partner: Partner;
  onShowDeliveries: (postbackId: string) => void;
}) {
  const { can } = useSession();
  const qc = useQueryClient();
  const q = usePostbacks(partner.id);
  const [editing, setEditing] = useState<Postback | 'new' | null>(null);
  const [saved, setSaved] = useState<{ secret: string | null; warnings: PostbackSaved['warnings'] } | null>(
    null,
  );
  const [disabling, setDisabling] = useState<Postback | null>(null);
  const [rotating, setRotating] = useState<Postback | null>(null);
  const [tested, setTested] = useState<{ postback: Postback; attempt: Attempt; delivery: Delivery } | null>(
    null,
  );
  const [testing, setTesting] = useState<string | null>(null);
  const write = can('postbacks.write');
  const rows = q.data?.data ?? [];

  async function refresh() {
    await Promise.all([
      qc.invalidateQueries({ queryKey: postbacksKey(partner.id) }),
      qc.invalidateQueries({ queryKey: deliveriesKey(partner.id) }),
    ]);
  }

  async function testFire(p: Postback) {
    setTesting(p.id);
    try {
      const r = await api.post('/api/v1/partners/{id}/postbacks/{postbackId}/test', {
        path: { id: partner.id, postbackId: p.id },
        // The sample values as they are (an absent body is refused as null).
        body: {},
      });
      setTested({ postback: p, attempt: r.attempt, delivery: r.delivery });
      await refresh();
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not send the test', message: (err as Error).message });
    } finally {
      setTesting(null);
    }
  }

  async function enable(p: Postback) {
    try {
      await api.post('/api/v1/partners/{id}/postbacks/{postbackId}/enable', {
        path: { id: partner.id, postbackId: p.id },
      });
      await refresh();
      notifications.show({ color: 'green', message: `${postbackEventLabel(p.eventType)} postback enabled` });
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not enable', message: (err as Error).message });
    }
  }

  return (
    <Stack gap="xs">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={5}>Outbound postbacks</Title>
          <Text size="xs" c="dimmed" maw={760}>
            Partnerdesk calls the partner’s tracker when an event of the chosen type arrives. Answers other
            than 2xx are failures and are retried for about three days; 10 failures in a row within 72 hours
            disable the postback.
          </Text>
        </div>
        {write && (
          <Button size="xs" onClick={() => setEditing('new')} data-testid="new-postback">
            New postback
          </Button>
        )}
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} rows={2} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            title="No postbacks yet"
            action={
              write ? (
                <Button variant="light" size="xs" onClick={() => setEditing('new')}>
                  Set up a postback
                </Button>
              ) : undefined
            }
          >
            Ask the partner for their tracker’s postback URL (for example for registrations and FTDs) and set
            it up here with macros such as <code>{'{click_id}'}</code> and <code>{'{txid}'}</code>; then send
            a test.
          </EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table data-testid="postbacks-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">
                    <Tooltip label="Consecutive failed attempts; 10 within 72 hours disable the postback">
                      <span>Failures</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>Last attempt</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((p) => (
                  <Table.Tr
                    key={p.id}
                    data-testid="postback-row"
                    data-event={p.eventType}
                    data-status={p.status}
                    style={p.status === 'disabled' ? { opacity: 0.75 } : undefined}
                  >
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                        {postbackEventLabel(p.eventType)}
                      </Text>
                      {p.signed && (
                        <Tooltip label="Every request carries X-Partnerdesk-Signature (HMAC-SHA256)">
                          <Badge size="xs" variant="light" color="indigo">
                            Signed
                          </Badge>
                        </Tooltip>
                      )}
                    </Table.Td>
                    <Table.Td maw={460} style={{ verticalAlign: 'top' }}>
                      <Text size="xs" fw={700} span>
                        {p.method}{' '}
                      </Text>
                      <Text
                        span
                        className="pd-mono"
                        style={{ wordBreak: 'break-all' }}
                        data-testid="postback-url-template"
                      >
                        {p.urlTemplate}
                      </Text>
                      {p.bodyTemplate && (
                        <Text size="xs" c="dimmed" lineClamp={2} className="pd-mono">
                          body ({p.contentType}): {p.bodyTemplate}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top', minWidth: 90 }}>
                      <Badge
                        size="sm"
                        variant="light"
                        color={p.status === 'active' ? 'green' : 'gray'}
                        miw="fit-content"
                        style={{ overflow: 'visible' }}
                        data-testid="postback-status"
                      >
                        {p.status === 'active' ? 'Active' : 'Disabled'}
                      </Badge>
                      {p.disabledReason && (
                        <Text size="xs" c="dimmed" maw={220} data-testid="postback-disabled-reason">
                          {p.disabledReason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right" style={{ verticalAlign: 'top' }}>
                      <Text size="sm" c={p.consecutiveFailures > 0 ? 'red.7' : undefined}>
                        {formatCount(p.consecutiveFailures)}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      {p.lastAttemptAt ? <DateTime iso={p.lastAttemptAt} relative /> : <Dim>never</Dim>}
                      {p.lastSuccessAt && (
                        <Text size="xs" c="dimmed">
                          last success <DateTime iso={p.lastSuccessAt} relative />
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ verticalAlign: 'top' }}>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => onShowDeliveries(p.id)}
                          data-testid="postback-deliveries"
                        >
                          Deliveries
                        </Button>
                        {write && (
                          <>
                            <Button
                              size="compact-xs"
                              variant="light"
                              onClick={() => void testFire(p)}
                              loading={testing === p.id}
                              data-testid="postback-test"
                            >
                              Send test
                            </Button>
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              onClick={() => setEditing(p)}
                              data-testid="postback-edit"
                            >
                              Edit
                            </Button>
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              onClick={() => setRotating(p)}
                              data-testid="postback-rotate"
                            >
                              {p.signed ? 'Rotate secret' : 'Add signing secret'}
                            </Button>
                            {p.status === 'active' ? (
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                color="red"
                                onClick={() => setDisabling(p)}
                                data-testid="postback-disable"
                              >
                                Disable
                              </Button>
                            ) : (
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                color="green"
                                onClick={() => void enable(p)}
                                data-testid="postback-enable"
                              >
                                Enable
                              </Button>
                            )}
                          </>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>

      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={
          editing === 'new'
            ? 'New postback'
            : `Edit the ${postbackEventLabel(editing?.eventType ?? '')} postback`
        }
        size="xl"
        closeOnClickOutside={false}
      >
        {editing !== null && (
          <PostbackForm
            partnerId={partner.id}
            postback={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={async (s) => {
              setEditing(null);
              await refresh();
              if (s.signingSecret || s.warnings.length > 0)
                setSaved({ secret: s.signingSecret, warnings: s.warnings });
              else notifications.show({ color: 'green', message: 'Postback saved' });
            }}
          />
        )}
      </Modal>

      <Modal
        opened={saved !== null}
        onClose={() => setSaved(null)}
        title="Postback saved"
        size="lg"
        closeOnClickOutside={!saved?.secret}
      >
        {saved && (
          <SavedPanel secret={saved.secret} warnings={saved.warnings} onDone={() => setSaved(null)} />
        )}
      </Modal>

      <Modal
        opened={rotating !== null}
        onClose={() => setRotating(null)}
        title={rotating?.signed ? 'Rotate the signing secret?' : 'Add a signing secret?'}
      >
        {rotating && (
          <RotateConfirm
            partnerId={partner.id}
            postback={rotating}
            onCancel={() => setRotating(null)}
            onRotated={async (secret) => {
              setRotating(null);
              await refresh();
              setSaved({ secret, warnings: [] });
            }}
          />
        )}
      </Modal>

      <ReasonModal
        title={`Disable the ${postbackEventLabel(disabling?.eventType ?? '')} postback`}
        opened={disabling !== null}
        onClose={() => setDisabling(null)}
        label="Reason"
        confirm="Disable"
        color="red"
        invalidate={[postbacksKey(partner.id), deliveriesKey(partner.id)]}
        onSubmit={async (reason) => {
          if (!disabling) return;
          await api.post('/api/v1/partners/{id}/postbacks/{postbackId}/disable', {
            path: { id: partner.id, postbackId: disabling.id },
            body: { reason },
          });
        }}
      >
        <Text size="sm">
          Nothing is sent to the partner while it is disabled, and deliveries still waiting for a retry are
          cancelled. Enable it again at any time.
        </Text>
      </ReasonModal>

      <Modal opened={tested !== null} onClose={() => setTested(null)} title="Test postback sent" size="xl">
        {tested && <AttemptResult attempt={tested.attempt} delivery={tested.delivery} />}
      </Modal>
    </Stack>
  );
}

function Dim({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed">
      {children}
    </Text>
  );
}

/** One attempt as evidence: what was sent, what came back, how long it took and why it failed. */
export function AttemptResult({ attempt: a, delivery }: { attempt: Attempt; delivery: Delivery }) {
  return (
    <Stack gap="sm" data-testid="test-result" data-outcome={a.outcome}>
      <Alert
        color={a.outcome === 'success' ? 'green' : 'red'}
        variant="light"
        title={
          a.outcome === 'success'
            ? 'The partner’s endpoint accepted it'
            : `It failed${a.error ? `: ${attemptErrorLabel(a.error)}` : ''}`
        }
      >
        <Text size="sm">
          {a.outcome === 'success'
            ? 'The endpoint answered 2xx. Ask the partner to confirm they see the test conversion on their side.'
            : (a.errorDetail ?? 'Check the URL with the partner, fix it with Edit and send another test.')}
        </Text>
      </Alert>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Fact label="Outcome">
          <OutcomeBadge outcome={a.outcome} />
        </Fact>
        <Fact label="Status code">
          <Text size="sm" fw={600} data-testid="test-status-code">
            {a.statusCode ?? '—'}
          </Text>
        </Fact>
        <Fact label="Latency">
          <Text size="sm" data-testid="test-latency">
            {formatCount(a.latencyMs)} ms
          </Text>
        </Fact>
        <Fact label="Sent">
          <DateTime iso={a.startedAt} />
        </Fact>
      </SimpleGrid>
      <Fact label={`Request (${a.method})`}>
        <Text className="pd-mono" style={{ wordBreak: 'break-all' }} data-testid="test-url">
          {a.url}
        </Text>
      </Fact>
      {a.error && (
        <Fact label="Error">
          <Text size="sm" c="red.8" data-testid="test-error">
            {attemptErrorLabel(a.error)}
            {a.errorDetail ? ` — ${a.errorDetail}` : ''}
          </Text>
        </Fact>
      )}
      <Fact label="Answer (first 1 KB)">
        {a.responseStart ? (
          <Code
            block
            style={{ maxHeight: 200, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            data-testid="test-response"
          >
            {a.responseStart}
          </Code>
        ) : (
          <Dim>empty</Dim>
        )}
      </Fact>
      <Text size="xs" c="dimmed">
        Sample values were used (click id test-…, amount 100.00 USD). The test is kept in the delivery log as
        delivery <span className="pd-mono">{delivery.id}</span>; tests are never retried.
      </Text>
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

function PostbackForm({
  partnerId,
  postback,
  onCancel,
  onSaved,
}: {
  partnerId: string;
  postback: Postback | null;
  onCancel: () => void;
  onSaved: (saved: PostbackSaved) => void | Promise<void>;
}) {
  const errors = useFormErrors();
  const urlRef = useRef<HTMLTextAreaElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const [busy, setBusy] = useState(false);
  const [eventType, setEventType] = useState<Postback['eventType']>(postback?.eventType ?? 'registration');
  const [method, setMethod] = useState<Postback['method']>(postback?.method ?? 'GET');
  const [urlTemplate, setUrlTemplate] = useState(postback?.urlTemplate ?? '');
  const [bodyTemplate, setBodyTemplate] = useState(postback?.bodyTemplate ?? '');
  const [contentType, setContentType] = useState<NonNullable<Postback['contentType']>>(
    postback?.contentType ?? 'application/json',
  );
  const [sign, setSign] = useState(false);
  const urlProblems = problemsOf(errors.error, 'urlTemplate');
  const bodyProblems = problemsOf(errors.error, 'bodyTemplate');
  const shown = ['eventType', 'method', 'urlTemplate', 'bodyTemplate', 'contentType'];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    const post = method === 'POST';
    try {
      const saved = postback
        ? await api.patch('/api/v1/partners/{id}/postbacks/{postbackId}', {
            path: { id: partnerId, postbackId: postback.id },
            body: {
              eventType,
              method,
              urlTemplate: urlTemplate.trim(),
              bodyTemplate: post ? bodyTemplate || null : null,
              contentType: post ? contentType : null,
              version: postback.version,
            },
          })
        : await api.post('/api/v1/partners/{id}/postbacks', {
            path: { id: partnerId },
            body: {
              eventType,
              method,
              urlTemplate: urlTemplate.trim(),
              ...(post ? { bodyTemplate: bodyTemplate || null, contentType } : {}),
              generateSigningSecret: sign,
            },
          });
      await onSaved(saved);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="postback-form">
      <Stack gap="sm">
        {!allShownInline(errors.error, shown) && <FormError errors={errors} shown={shown} />}
        <Group gap="md" align="flex-end">
          <Select
            label="Event"
            description="The postback fires for each event of this type"
            data={POSTBACK_EVENT_TYPES.map((t) => ({ value: t, label: postbackEventLabel(t) }))}
            value={eventType}
            onChange={(v) => v && setEventType(v as Postback['eventType'])}
            allowDeselect={false}
            error={errors.field('eventType')}
            w={260}
            data-testid="postback-event"
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              Method
            </Text>
            <SegmentedControl
              data={['GET', 'POST']}
              value={method}
              onChange={(v) => setMethod(v as Postback['method'])}
              data-testid="postback-method"
            />
          </div>
        </Group>
        <div>
          <Textarea
            ref={urlRef}
            label="URL template"
            description="The partner’s postback URL; macros in braces are replaced with the event’s values (URL-encoded)."
            placeholder="https://tracker.partner.example/postback?clickid={click_id}&event={event}&tx={txid}&sum={amount}"
            required
            autosize
            minRows={2}
            value={urlTemplate}
            onChange={(e) => setUrlTemplate(e.currentTarget.value)}
            error={
              urlProblems.length > 0 ? (
                <ProblemList problems={urlProblems} testId="url-template-errors" />
              ) : undefined
            }
            classNames={{ input: 'pd-mono' }}
            data-testid="postback-url"
          />
          <MacroHint
            value={urlTemplate}
            onInsert={(t) => insertToken(urlRef, urlTemplate, setUrlTemplate, t)}
          />
        </div>
        {method === 'POST' && (
          <>
            <Select
              label="Content type"
              data={[...CONTENT_TYPES]}
              value={contentType}
              onChange={(v) => v && setContentType(v as NonNullable<Postback['contentType']>)}
              allowDeselect={false}
              error={errors.field('contentType')}
              w={320}
              data-testid="postback-content-type"
            />
            <div>
              <Textarea
                ref={bodyRef}
                label="Body template (optional)"
                description={
                  contentType === 'application/json'
                    ? 'JSON with macros inside strings, e.g. {"click": "{click_id}", "amount": "{amount}"}'
                    : 'The body with the same macros'
                }
                autosize
                minRows={3}
                value={bodyTemplate}
                onChange={(e) => setBodyTemplate(e.currentTarget.value)}
                error={
                  bodyProblems.length > 0 ? (
                    <ProblemList problems={bodyProblems} testId="body-template-errors" />
                  ) : undefined
                }
                classNames={{ input: 'pd-mono' }}
                data-testid="postback-body"
              />
              <MacroHint
                value={bodyTemplate}
                onInsert={(t) => insertToken(bodyRef, bodyTemplate, setBodyTemplate, t)}
              />
            </div>
          </>
        )}
        {!postback && (
          <Checkbox
            label="Sign every request (HMAC-SHA256 in X-Partnerdesk-Signature); the secret is shown once after saving"
            checked={sign}
            onChange={(e) => setSign(e.currentTarget.checked)}
            data-testid="postback-sign"
          />
        )}
        <Text size="xs" c="dimmed">
          The URL is checked when you save: unknown macros or macros in the wrong case, braces that do not
          close, non-http(s) URLs, credentials in the URL and hosts that resolve to private addresses are
          refused, each named under the field.
        </Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!urlTemplate.trim()} data-testid="postback-submit">
            {postback ? 'Save' : 'Create postback'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The known macros, as buttons that insert them; the ones the template already uses are filled. */
function MacroHint({ value, onInsert }: { value: string; onInsert: (token: string) => void }) {
  const used = POSTBACK_MACROS.filter((m) => value.includes(`{${m}}`));
  return (
    <Stack gap={4} mt={6}>
      <Group gap={6} align="center">
        <Text size="xs" c="dimmed">
          Known macros (click to insert; used ones are filled):
        </Text>
      </Group>
      <TokenChips
        tokens={POSTBACK_MACROS}
        used={value}
        onInsert={onInsert}
        help={(t) => macroHelp(t as (typeof POSTBACK_MACROS)[number])}
        testId="postback-macros"
      />
      <Text size="xs" c="dimmed" data-testid="macros-used">
        {used.length === 0
          ? 'No known macro in the template yet.'
          : `Uses ${used.map((m) => `{${m}}`).join(' ')}.`}{' '}
        Macros are lower case, exactly as listed.
      </Text>
    </Stack>
  );
}

function SavedPanel({
  secret,
  warnings,
  onDone,
}: {
  secret: string | null;
  warnings: PostbackSaved['warnings'];
  onDone: () => void;
}) {
  return (
    <Stack gap="sm" data-testid="postback-saved">
      {secret && (
        <Alert color="yellow" variant="light" title="Signing secret — shown only now">
          <Stack gap={6}>
            <Text size="sm">
              Give it to the partner over a safe channel; their endpoint verifies{' '}
              <code>X-Partnerdesk-Signature: t=…,v1=HMAC-SHA256(secret, "t.content")</code>. It cannot be
              shown again; rotate it if it is lost.
            </Text>
            <Copyable value={secret} testId="postback-secret" />
          </Stack>
        </Alert>
      )}
      {warnings.length > 0 && (
        <Alert color="orange" variant="light" title="Saved, with warnings" data-testid="postback-warnings">
          <List size="sm">
            {warnings.map((w) => (
              <List.Item key={`${w.code}-${w.index}`}>{w.message}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button onClick={onDone} data-testid="postback-saved-done">
          {secret ? 'I have stored the secret' : 'Done'}
        </Button>
      </Group>
    </Stack>
  );
}

function RotateConfirm({
  partnerId,
  postback,
  onCancel,
  onRotated,
}: {
  partnerId: string;
  postback: Postback;
  onCancel: () => void;
  onRotated: (secret: string) => void | Promise<void>;
}) {
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  async function rotate() {
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/partners/{id}/postbacks/{postbackId}/rotate-secret', {
        path: { id: partnerId, postbackId: postback.id },
      });
      await onRotated(r.signingSecret);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Stack gap="sm">
      <FormError errors={errors} />
      <Text size="sm">
        {postback.signed
          ? 'A new secret is created and the old one stops working at once: requests signed with it fail verification on the partner’s side until they store the new one.'
          : 'From now on every request carries X-Partnerdesk-Signature. The partner needs the secret (shown once) to verify it.'}
      </Text>
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button
          color={postback.signed ? 'red' : 'blue'}
          onClick={() => void rotate()}
          loading={busy}
          data-testid="postback-rotate-confirm"
        >
          {postback.signed ? 'Rotate now' : 'Create secret'}
        </Button>
      </Group>
    </Stack>
  );
}
