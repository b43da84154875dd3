// Event sources: the systems (the back office, the CRM, payments) that send events to /postback or the batch
// API. Each has its own token, shown once when the source is created or rotated (with the signing secret
// when signing is on); the list shows only its last 4 characters. Disable a source to refuse its requests.
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
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { Copyable, DateTime, StatusBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { humanize } from '../../lib/format';
import { orNull, useFormErrors } from '../../lib/forms';
import { Link } from '../../lib/router';
import { type EventSource, type EventSourceWithSecrets, SOURCE_KINDS } from '../events/shared';

const KIND_LABELS: Record<string, string> = {
  back_office: 'Back office',
  crm: 'CRM',
  payments: 'Payments',
  other: 'Other',
};
const KEYS = [['event-sources']];

export function EventSourcesPage() {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secrets, setSecrets] = useState<{ source: EventSourceWithSecrets; rotated: boolean } | null>(null);
  const [rotating, setRotating] = useState<EventSource | null>(null);
  const [disabling, setDisabling] = useState<EventSource | null>(null);
  const [showUrl, setShowUrl] = useState<EventSource | null>(null);
  // Always fresh on arrival: "last event" is how Ops checks that a sender is configured right.
  const q = useQuery({
    queryKey: ['event-sources'],
    queryFn: () => api.get('/api/v1/event-sources'),
    staleTime: 0,
  });
  const rows = q.data?.data ?? [];

  async function setStatus(s: EventSource, status: 'active' | 'disabled') {
    try {
      await api.patch('/api/v1/event-sources/{id}', {
        path: { id: s.id },
        body: { status, version: s.version },
      });
      await qc.invalidateQueries({ queryKey: ['event-sources'] });
      notifications.show({
        color: status === 'active' ? 'green' : 'gray',
        message: `${s.name} ${status === 'active' ? 'enabled' : 'disabled'}`,
      });
    } catch (err) {
      notifications.show({
        color: 'red',
        title: 'Could not change the source',
        message: (err as Error).message,
      });
    }
  }

  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Title order={3}>Event sources</Title>
          <Text size="sm" c="dimmed" maw={760}>
            Systems that send registrations, deposits and trades to Partnerdesk. Each source has its own
            token; refused requests land in the <Link to="/event-inbox">event inbox</Link>.
          </Text>
        </div>
        <Button onClick={() => setCreating(true)} data-testid="new-event-source">
          New event source
        </Button>
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={7} rows={3} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            title="No event sources yet"
            action={
              <Button variant="light" onClick={() => setCreating(true)}>
                Create the first source
              </Button>
            }
          >
            Create one for the back office: you get a token (shown once) and the postback URL to configure
            there.
          </EmptyState>
        ) : (
          <Table data-testid="event-sources-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Token</Table.Th>
                <Table.Th>Signed</Table.Th>
                <Table.Th>Last event</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr
                  key={s.id}
                  data-testid="event-source-row"
                  data-name={s.name}
                  style={s.status === 'disabled' ? { opacity: 0.65 } : undefined}
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {s.name}
                    </Text>
                    {s.description && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {s.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{KIND_LABELS[s.kind] ?? humanize(s.kind)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={s.status} testId="event-source-status" />
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Only the last 4 characters are kept visible" openDelay={300}>
                      <Text span className="pd-mono">
                        pds_…{s.tokenHint}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    {s.signed ? (
                      <Tooltip label="Requests must carry a valid X-Partnerdesk-Signature">
                        <Badge size="sm" variant="light" color="indigo">
                          HMAC
                        </Badge>
                      </Tooltip>
                    ) : (
                      <Text size="sm" c="dimmed">
                        no
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.lastEventAt ? (
                      <DateTime iso={s.lastEventAt} relative />
                    ) : (
                      <Text size="sm" c="dimmed">
                        never
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setShowUrl(s)}
                        data-testid="source-url"
                      >
                        Postback URL
                      </Button>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setRotating(s)}
                        data-testid="source-rotate"
                      >
                        Rotate token
                      </Button>
                      {s.status === 'active' ? (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => setDisabling(s)}
                          data-testid="source-disable"
                        >
                          Disable
                        </Button>
                      ) : (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="green"
                          onClick={() => void setStatus(s, 'active')}
                          data-testid="source-enable"
                        >
                          Enable
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New event source"
        closeOnClickOutside={false}
      >
        {creating && (
          <CreateSourceForm
            onCancel={() => setCreating(false)}
            onCreated={(source) => {
              setCreating(false);
              setSecrets({ source, rotated: false });
            }}
          />
        )}
      </Modal>

      <Modal
        opened={rotating !== null}
        onClose={() => setRotating(null)}
        title={`Rotate the token of ${rotating?.name ?? ''}`}
      >
        {rotating && (
          <RotateForm
            source={rotating}
            onCancel={() => setRotating(null)}
            onRotated={(source) => {
              setRotating(null);
              setSecrets({ source, rotated: true });
            }}
          />
        )}
      </Modal>

      <Modal
        opened={secrets !== null}
        onClose={() => setSecrets(null)}
        title={secrets?.rotated ? 'New token issued' : 'Event source created'}
        size="xl"
        closeOnClickOutside={false}
        closeOnEscape={false}
        withCloseButton={false}
      >
        {secrets && (
          <SecretsPanel source={secrets.source} rotated={secrets.rotated} onDone={() => setSecrets(null)} />
        )}
      </Modal>

      <Modal
        opened={showUrl !== null}
        onClose={() => setShowUrl(null)}
        title="Postback URL for the back office"
        size="xl"
      >
        {showUrl && <PostbackHelp source={showUrl} token={null} />}
      </Modal>

      <Modal
        opened={disabling !== null}
        onClose={() => setDisabling(null)}
        title={`Disable ${disabling?.name ?? ''}?`}
      >
        <Stack gap="sm">
          <Text size="sm">
            Requests with this source’s token are refused from now on and kept in the event inbox. Enable it
            again at any time; the token stays the same.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setDisabling(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              data-testid="source-disable-confirm"
              onClick={async () => {
                if (disabling) await setStatus(disabling, 'disabled');
                setDisabling(null);
              }}
            >
              Disable
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function CreateSourceForm({
  onCancel,
  onCreated,
}: {
  onCancel: () => void;
  onCreated: (s: EventSourceWithSecrets) => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<EventSource['kind']>('back_office');
  const [description, setDescription] = useState('');
  const [signed, setSigned] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/event-sources', {
        body: { name: name.trim(), kind, description: orNull(description), signed },
      });
      await Promise.all(KEYS.map((k) => qc.invalidateQueries({ queryKey: k })));
      onCreated(r);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="event-source-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['name', 'kind', 'description', 'signed']} />
        <TextInput
          label="Name"
          description="Which system sends the events, e.g. “MT5 back office”"
          required
          data-autofocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.field('name')}
          data-testid="event-source-name"
        />
        <Select
          label="Kind"
          data={SOURCE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] ?? humanize(k) }))}
          value={kind}
          onChange={(v) => v && setKind(v as EventSource['kind'])}
          allowDeselect={false}
          error={errors.field('kind')}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.field('description')}
        />
        <Checkbox
          label="Require an HMAC-SHA256 signature on every request"
          description="Recommended when the sender can compute one: a leaked URL alone is then not enough to send events."
          checked={signed}
          onChange={(e) => setSigned(e.currentTarget.checked)}
          data-testid="event-source-signed"
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!name.trim()} data-testid="event-source-submit">
            Create source
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function RotateForm({
  source,
  onCancel,
  onRotated,
}: {
  source: EventSource;
  onCancel: () => void;
  onRotated: (s: EventSourceWithSecrets) => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [signing, setSigning] = useState<'keep' | 'on' | 'off'>('keep');
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const r = await api.post('/api/v1/event-sources/{id}/rotate', {
        path: { id: source.id },
        body: signing === 'keep' ? {} : { signed: signing === 'on' },
      });
      await Promise.all(KEYS.map((k) => qc.invalidateQueries({ queryKey: k })));
      onRotated(r);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate data-testid="rotate-form">
      <Stack gap="sm">
        <Alert color="orange" variant="light" p="xs">
          <Text size="sm">
            The current token (…{source.tokenHint}){source.signed ? ' and signing secret' : ''} stop working{' '}
            <b>at once</b>. Have the sending system ready to take the new ones.
          </Text>
        </Alert>
        <FormError errors={errors} />
        <div>
          <Text size="sm" fw={500} mb={4}>
            Signing
          </Text>
          <SegmentedControl
            size="xs"
            value={signing}
            onChange={(v) => setSigning(v as typeof signing)}
            data={[
              { value: 'keep', label: source.signed ? 'Keep on (new secret)' : 'Keep off' },
              source.signed ? { value: 'off', label: 'Turn off' } : { value: 'on', label: 'Turn on' },
            ]}
          />
        </div>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="orange" loading={busy} data-testid="rotate-submit">
            Rotate now
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Shown once: the token, the signing secret and the postback URL with the token filled in. */
function SecretsPanel({
  source,
  rotated,
  onDone,
}: {
  source: EventSourceWithSecrets;
  rotated: boolean;
  onDone: () => void;
}) {
  return (
    <Stack gap="md" data-testid="event-source-secrets">
      <Alert color="yellow" title="Copy these now — they will not be shown again">
        <Text size="sm">
          Partnerdesk keeps only a hash. {rotated ? 'The old token no longer works. ' : ''}If they are lost,
          rotate the token to get new ones.
        </Text>
      </Alert>
      <div>
        <Text size="sm" fw={600}>
          Token of “{source.name}”
        </Text>
        <Paper withBorder p="xs" bg="gray.0">
          <Copyable value={source.token} testId="event-source-token" />
        </Paper>
      </div>
      {source.signingSecret && (
        <div>
          <Text size="sm" fw={600}>
            Signing secret
          </Text>
          <Paper withBorder p="xs" bg="gray.0">
            <Copyable value={source.signingSecret} testId="event-source-secret" />
          </Paper>
        </div>
      )}
      <PostbackHelp source={source} token={source.token} />
      <Group justify="flex-end">
        <Button onClick={onDone} data-testid="event-source-stored">
          I have stored it
        </Button>
      </Group>
    </Stack>
  );
}

/** The URL template for the back office, the fields it may fill, and how to sign. */
function PostbackHelp({ source, token }: { source: EventSource; token: string | null }) {
  const url = token ? source.postbackUrl.replace('<token>', encodeURIComponent(token)) : source.postbackUrl;
  const origin = source.postbackUrl.split('/postback')[0] ?? '';
  return (
    <Stack gap="xs" data-testid="postback-help">
      <div>
        <Text size="sm" fw={600}>
          Postback URL template
        </Text>
        <Text size="xs" c="dimmed" mb={4}>
          Configure it in the sending system; it replaces each <Code>{'{…}'}</Code> with the event’s value.
          {token
            ? ' The token is filled in.'
            : ' Replace <token> with the source’s token (shown once when it was created or rotated).'}
        </Text>
        <Paper withBorder p="xs" bg="gray.0">
          <Copyable value={url} testId="postback-url" />
        </Paper>
      </div>
      <Text size="xs" c="dimmed" component="div">
        <List size="xs" spacing={2}>
          <List.Item>
            <Code>event</Code>: registration, kyc_approved, ftd, deposit, withdrawal, trade or chargeback;{' '}
            <Code>txid</Code>: unique per source and event type (a repeat is answered, not counted twice).
          </List.Item>
          <List.Item>
            <Code>click_id</Code> (from the tracking link) or <Code>ref</Code> (a partner’s referral code)
            attribute the client; <Code>client_id</Code> is the trading account.
          </List.Item>
          <List.Item>
            <Code>amount</Code> in major units (250.00) with <Code>currency</Code>; optional <Code>lots</Code>
            , <Code>instrument_group</Code>, <Code>revenue</Code>, <Code>occurred_at</Code> (ISO 8601 or Unix
            seconds), <Code>country</Code>, <Code>test=1</Code>.
          </List.Item>
          <List.Item>
            GET with the query string, or POST the same fields as a form or JSON to{' '}
            <Code>{origin}/postback</Code>. A 200 means it is recorded; a 4xx names the field and the request
            goes to the event inbox.
          </List.Item>
          {source.signed && (
            <List.Item>
              Signed: send <Code>X-Partnerdesk-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</Code> where
              v1 is HMAC-SHA256 with the signing secret over <Code>&lt;t&gt;.&lt;content&gt;</Code> — the body
              for a POST, the path and query (<Code>/postback?…</Code>) for a GET; the clock may be off by at
              most 5 minutes.
            </List.Item>
          )}
        </List>
      </Text>
    </Stack>
  );
}
