// "Run tracking test": one action that tests a link's whole chain (click → redirects → landing page → test
// events → attribution → partner postbacks). The dialog asks for the optional expected landing text and sub-IDs,
// starts the test (202 with the running record), then polls it every second so the steps fill in live; when it
// is done it links to the full setup record. Self-contained: give it a link (or a partner, or nothing, and the
// dialog asks which link).
import {
  Alert,
  Anchor,
  Button,
  type ButtonProps,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { FormError } from '../../components/FormError';
import { ErrorState } from '../../components/states';
import { useFormErrors } from '../../lib/forms';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { PartnerPicker } from '../work/PartnerPicker';
import {
  formatDuration,
  StepTimeline,
  TestStatusBadge,
  type TrackingTest,
  testStatusColor,
  useTrackingTest,
} from './shared';

const SUB_KEYS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5'] as const;
type Subs = Record<(typeof SUB_KEYS)[number], string>;
const NO_SUBS: Subs = { sub1: '', sub2: '', sub3: '', sub4: '', sub5: '' };

interface Options {
  expectText: string;
  subs: Subs;
}

export function RunTrackingTestButton({
  linkId,
  partnerId,
  onDone,
  label = 'Run tracking test',
  size = 'xs',
  variant = 'default',
}: {
  /** The link to test; absent = the dialog lists the partner's active links. */
  linkId?: string;
  /** The link's partner; absent with no link = the dialog asks for a partner first. */
  partnerId?: string;
  /** Called once when a test started here has finished (passed, failed or error). */
  onDone?: (test: TrackingTest) => void;
  label?: string;
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
}) {
  const { can } = useSession();
  const [opened, setOpened] = useState(false);
  if (!can('tracking_qa.run')) return null;
  return (
    <>
      <Button size={size} variant={variant} onClick={() => setOpened(true)} data-testid="run-tracking-test">
        {label}
      </Button>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        title="Run a tracking test"
        size="lg"
        closeOnClickOutside={false}
      >
        {opened && (
          <RunTest linkId={linkId} partnerId={partnerId} onDone={onDone} onClose={() => setOpened(false)} />
        )}
      </Modal>
    </>
  );
}

function RunTest({
  linkId,
  partnerId,
  onDone,
  onClose,
}: {
  linkId?: string;
  partnerId?: string;
  onDone?: (test: TrackingTest) => void;
  onClose: () => void;
}) {
  const [started, setStarted] = useState<TrackingTest | null>(null);
  const [watching, setWatching] = useState<string | null>(null);
  const [options, setOptions] = useState<Options>({ expectText: '', subs: NO_SUBS });
  const [chosenLink, setChosenLink] = useState<string | null>(linkId ?? null);
  const testId = started?.id ?? watching;
  if (testId)
    return (
      <LiveRun
        key={testId}
        id={testId}
        initial={started ?? undefined}
        onDone={onDone}
        onAgain={() => {
          setStarted(null);
          setWatching(null);
        }}
        onClose={onClose}
      />
    );
  return (
    <RunForm
      linkId={linkId}
      partnerId={partnerId}
      chosenLink={chosenLink}
      onChooseLink={setChosenLink}
      options={options}
      onOptions={setOptions}
      onStarted={setStarted}
      onWatch={setWatching}
      onClose={onClose}
    />
  );
}

function RunForm({
  linkId,
  partnerId: fixedPartner,
  chosenLink,
  onChooseLink,
  options,
  onOptions,
  onStarted,
  onWatch,
  onClose,
}: {
  linkId?: string;
  partnerId?: string;
  chosenLink: string | null;
  onChooseLink: (id: string | null) => void;
  options: Options;
  onOptions: (o: Options) => void;
  onStarted: (t: TrackingTest) => void;
  onWatch: (id: string) => void;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [busy, setBusy] = useState(false);
  const [pickedPartner, setPickedPartner] = useState<string | null>(fixedPartner ?? null);
  const link = useQuery({
    queryKey: ['link', chosenLink],
    enabled: !!chosenLink,
    staleTime: 60_000,
    queryFn: () => api.get('/api/v1/links/{id}', { path: { id: chosenLink as string } }),
  });
  const partnerForList = linkId ? null : pickedPartner;
  const links = useQuery({
    queryKey: ['links', { partnerId: partnerForList, status: 'active', picker: true }],
    enabled: !!partnerForList,
    queryFn: () =>
      api.get('/api/v1/links', {
        query: { partnerId: partnerForList as string, status: 'active', limit: 200 },
      }),
  });
  const runningId = errors.error?.extra.runningTestId;
  // A partner with a single active link: that is the link to test.
  const only = links.data?.data.length === 1 ? links.data.data[0]?.id : undefined;
  useEffect(() => {
    if (only && !chosenLink) onChooseLink(only);
  }, [only, chosenLink, onChooseLink]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosenLink) return;
    setBusy(true);
    errors.clear();
    const subs = Object.fromEntries(
      SUB_KEYS.flatMap((k) => (options.subs[k].trim() ? [[k, options.subs[k].trim()]] : [])),
    );
    try {
      const t = await api.post('/api/v1/tracking-tests', {
        body: {
          linkId: chosenLink,
          ...(options.expectText.trim() ? { expectText: options.expectText.trim() } : {}),
          ...(Object.keys(subs).length > 0 ? { subs } : {}),
        },
      });
      onStarted(t);
      void qc.invalidateQueries({ queryKey: ['tracking-tests'] });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  const l = link.data;
  return (
    <form onSubmit={submit} noValidate data-testid="qa-run-form">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          The test clicks the tracking link as a visitor would, follows the redirects to the landing page,
          sends test events through the inbound path, checks they are attributed to the partner, and fires the
          partner's postbacks at their endpoint. Nothing of it is counted in stats or paid.
        </Text>
        {!linkId && !fixedPartner && (
          <PartnerPicker
            label="Partner"
            value={pickedPartner}
            onChange={(v) => {
              setPickedPartner(v);
              onChooseLink(null);
            }}
            testId="qa-run-partner"
          />
        )}
        {!linkId && pickedPartner && (
          <Select
            label="Tracking link"
            placeholder={links.isPending ? 'Loading links…' : 'Pick a link'}
            data={(links.data?.data ?? []).map((x) => ({ value: x.id, label: `${x.code} — ${x.name}` }))}
            value={chosenLink}
            onChange={onChooseLink}
            nothingFoundMessage="No active link"
            error={
              links.isSuccess && links.data.data.length === 0
                ? 'This partner has no active link: create or activate one on its Tracking tab first.'
                : errors.field('linkId')
            }
            data-testid="qa-run-link"
          />
        )}
        {l && (
          <Paper withBorder p="xs" data-testid="qa-run-link-info">
            <Text size="sm">
              Link <b className="pd-mono">{l.code}</b> — {l.name}
            </Text>
            <Text size="xs" c="dimmed">
              Landing page
            </Text>
            <Text className="pd-mono" style={{ overflowWrap: 'anywhere' }}>
              {l.landingUrl}
            </Text>
            {l.status !== 'active' && (
              <Text size="xs" c="red.8" mt={4}>
                This link is {l.status}: a {l.status} link answers 410, so activate it before testing.
              </Text>
            )}
          </Paper>
        )}
        {link.isError && <ErrorState error={link.error} />}
        {errors.error && <FormError errors={errors} shown={['expectText', 'subs']} />}
        {typeof runningId === 'string' && (
          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              onClick={() => onWatch(runningId)}
              data-testid="qa-watch-running"
            >
              Watch the running test
            </Button>
          </Group>
        )}
        <TextInput
          label="Text the landing page must show (optional)"
          description='Catches a page that works but is the wrong one, e.g. "Open an account".'
          value={options.expectText}
          onChange={(e) => onOptions({ ...options, expectText: e.currentTarget.value })}
          error={errors.field('expectText')}
          maxLength={200}
          data-autofocus
          data-testid="qa-run-expect"
        />
        <div>
          <Text size="sm" fw={500}>
            Sub-IDs of the test click (optional)
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            Empty ones are sent as qa-s1 … qa-s5, so every {'{subN}'} macro in the postbacks has a value to
            check.
          </Text>
          <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs">
            {SUB_KEYS.map((k, i) => (
              <TextInput
                key={k}
                aria-label={k}
                placeholder={`${k}: qa-s${i + 1}`}
                value={options.subs[k]}
                onChange={(e) =>
                  onOptions({ ...options, subs: { ...options.subs, [k]: e.currentTarget.value } })
                }
                error={errors.field(`subs.${k}`)}
                maxLength={100}
                data-testid={`qa-run-${k}`}
              />
            ))}
          </SimpleGrid>
        </div>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!chosenLink} data-testid="qa-run-submit">
            Run test
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function LiveRun({
  id,
  initial,
  onDone,
  onAgain,
  onClose,
}: {
  id: string;
  initial?: TrackingTest;
  onDone?: (test: TrackingTest) => void;
  onAgain: () => void;
  onClose: () => void;
}) {
  const q = useTrackingTest(id, initial);
  const t = q.data;
  const reported = useRef(false);
  useEffect(() => {
    if (t && t.status !== 'running' && !reported.current) {
      reported.current = true;
      onDone?.(t);
    }
  }, [t, onDone]);
  if (!t) return q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : null;
  const done = t.status !== 'running';
  return (
    <Stack gap="sm" data-testid="qa-live" data-status={t.status}>
      <Group justify="space-between">
        <Group gap="xs">
          <TestStatusBadge status={t.status} />
          {t.setup && (
            <Text size="sm">
              Link <b className="pd-mono">{t.setup.link.code}</b> of {t.setup.partner.name}
            </Text>
          )}
        </Group>
        {done && (
          <Text size="xs" c="dimmed">
            took {formatDuration(t.durationMs)}
          </Text>
        )}
      </Group>
      <StepTimeline steps={t.steps} />
      {q.isError && (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} title="Lost track of the test" />
      )}
      {done ? (
        <Alert color={testStatusColor(t.status)} variant="light" p="xs" data-testid="qa-live-summary">
          <Text size="sm">{t.summary}</Text>
        </Alert>
      ) : (
        <Text size="xs" c="dimmed">
          You can close this window: the test keeps running and its record is kept with the partner under
          Tracking QA.
        </Text>
      )}
      <Group justify="space-between">
        <Anchor
          component={Link}
          to={`/tracking-tests/${t.id}`}
          size="sm"
          onClick={onClose}
          data-testid="qa-open-record"
        >
          {done ? 'Open the full record (evidence of every step)' : 'Open the record'}
        </Anchor>
        <Group gap="xs">
          {done && (
            <Button variant="default" onClick={onAgain} data-testid="qa-run-again">
              Run again
            </Button>
          )}
          <Button variant={done ? 'filled' : 'default'} onClick={onClose} data-testid="qa-live-close">
            Close
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
