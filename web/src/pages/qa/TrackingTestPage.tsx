// A tracking test's setup record (GET /api/v1/tracking-tests/{id}): the verdict, who ran it and when, what was
// configured when it ran (link, landing URL template, programme windows, postbacks), then every step with its
// evidence. It is evidence for a dispute, so it prints cleanly (no navigation or buttons). A running test fills
// in live.
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
  Title,
  Tooltip,
} from '@mantine/core';
import { type ReactNode, useEffect, useState } from 'react';
import { DateTime } from '../../components/bits';
import { ErrorState } from '../../components/states';
import { formatLocal, formatMoney, formatUtc, humanize } from '../../lib/format';
import { countryName } from '../../lib/reference';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { postbackEventLabel, TrackingUrl } from '../tracking/shared';
import { Dim, Fact, Mono, StepEvidence, YesNo } from './evidence';
import { RunTrackingTestButton } from './RunTrackingTestButton';
import {
  formatDuration,
  STEP_NAMES,
  StepStatusBadge,
  type TestSetup,
  TestStatusBadge,
  type TestStep,
  type TrackingTest,
  TriggerBadge,
  testStatusColor,
  useTrackingTest,
} from './shared';

export function TrackingTestPage({ id }: { id: string }) {
  const q = useTrackingTest(id);
  const t = q.data;
  const crumbs = (
    <Breadcrumbs className="pd-no-print">
      <Anchor component={Link} to="/tracking-qa" size="sm">
        Tracking QA
      </Anchor>
      <Text size="sm">Test {id.length > 18 ? `${id.slice(0, 18)}…` : id}</Text>
    </Breadcrumbs>
  );
  if (q.isPending)
    return (
      <Stack gap="md" data-testid="loading">
        <Skeleton height={28} width={360} />
        <Skeleton height={120} />
        <Skeleton height={320} />
      </Stack>
    );
  if (q.isError || !t)
    return (
      <Stack>
        {crumbs}
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </Stack>
    );
  return <Record t={t} crumbs={crumbs} />;
}

function Record({ t, crumbs }: { t: TrackingTest; crumbs: ReactNode }) {
  const { can } = useSession();
  const setup = t.setup;
  // The printed page says when it was printed (not when it was opened).
  const [printedAt, setPrintedAt] = useState(() => new Date().toISOString());
  useEffect(() => {
    const onPrint = () => setPrintedAt(new Date().toISOString());
    window.addEventListener('beforeprint', onPrint);
    return () => window.removeEventListener('beforeprint', onPrint);
  }, []);
  const partnerName = setup?.partner.name ?? t.partnerId;
  const linkCode = setup?.link.code ?? t.linkId;
  return (
    <Stack gap="md" className="pd-qa-record" data-testid="qa-record" data-status={t.status}>
      {crumbs}
      <Text className="pd-qa-print-only" size="xs" c="dimmed">
        Partnerdesk · tracking test record {t.id} · printed {formatUtc(printedAt)} · {window.location.href}
      </Text>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={3}>Tracking test</Title>
            <TestStatusBadge status={t.status} size="lg" />
            <TriggerBadge trigger={t.trigger} />
          </Group>
          <Text size="sm" c="dimmed">
            Link <b className="pd-mono">{linkCode}</b> of {partnerName} · started{' '}
            <DateTime iso={t.startedAt} />
          </Text>
        </div>
        <Group gap="xs" className="pd-no-print">
          <Button variant="default" size="xs" onClick={() => window.print()} data-testid="qa-print">
            Print
          </Button>
          <RunTrackingTestButton
            linkId={t.linkId}
            partnerId={t.partnerId}
            label="Run again"
            variant="filled"
          />
        </Group>
      </Group>

      <Alert
        color={testStatusColor(t.status)}
        variant="light"
        title={
          t.status === 'running'
            ? 'Running: the steps fill in as they finish'
            : t.status === 'passed'
              ? 'The whole chain works'
              : t.status === 'failed'
                ? `Broken at: ${t.failedStep ? STEP_NAMES[t.failedStep] : 'a step'}`
                : 'The test stopped with an error'
        }
        data-testid="qa-record-summary"
      >
        <Text size="sm">{t.summary ?? 'Not finished yet.'}</Text>
      </Alert>

      <Paper withBorder p="sm">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" verticalSpacing="sm">
          <Fact label="Partner">
            {can('partners.read') ? (
              <Anchor
                component={Link}
                to={`/partners/${t.partnerId}`}
                size="sm"
                data-testid="qa-record-partner"
              >
                {partnerName}
              </Anchor>
            ) : (
              <Text size="sm">{partnerName}</Text>
            )}
          </Fact>
          <Fact label="Link">
            {can('links.read') ? (
              <Anchor
                component={Link}
                to={`/links/${t.linkId}`}
                size="sm"
                className="pd-mono"
                data-testid="qa-record-link"
              >
                {linkCode}
              </Anchor>
            ) : (
              <Mono>{linkCode}</Mono>
            )}
            {setup && (
              <Text size="xs" c="dimmed">
                {setup.link.name}
              </Text>
            )}
          </Fact>
          <Fact label="Run by">
            <Text size="sm" data-testid="qa-record-by">
              {t.requestedBy.name}
            </Text>
          </Fact>
          <Fact label="Trigger">
            <Text size="sm">{t.trigger === 'monitor' ? 'Monitor (scheduled re-run)' : 'Manual'}</Text>
          </Fact>
          <Fact label="Started">
            <Text size="sm">{formatLocal(t.startedAt)}</Text>
            <Text size="xs" c="dimmed">
              {formatUtc(t.startedAt)}
            </Text>
          </Fact>
          <Fact label="Finished">
            {t.finishedAt ? (
              <>
                <Text size="sm">{formatLocal(t.finishedAt)}</Text>
                <Text size="xs" c="dimmed">
                  {formatUtc(t.finishedAt)}
                </Text>
              </>
            ) : (
              <Dim>still running</Dim>
            )}
          </Fact>
          <Fact label="Duration">
            <Text size="sm" data-testid="qa-record-duration">
              {formatDuration(t.durationMs)}
            </Text>
          </Fact>
          <Fact label="Test click · test client">
            {t.clickId ? <Mono>{t.clickId}</Mono> : <Dim>no click</Dim>}
            {t.clientExternalId && (
              <Text size="xs" c="dimmed" className="pd-mono">
                {t.clientExternalId}
              </Text>
            )}
          </Fact>
        </SimpleGrid>
        <Group gap={6} mt="sm" className="pd-no-print" data-testid="qa-step-chips">
          {t.steps.map((s, i) => (
            <Anchor
              key={s.key}
              href={`#step-${s.key}`}
              underline="never"
              data-testid="qa-step-chip"
              data-key={s.key}
            >
              <Group gap={4} wrap="nowrap">
                <Text span size="xs" c="dimmed">
                  {i + 1}. {STEP_NAMES[s.key]}
                </Text>
                <StepStatusBadge status={s.status} />
              </Group>
            </Anchor>
          ))}
        </Group>
      </Paper>

      <Configured t={t} setup={setup} />

      <Stack gap="sm">
        <Title order={4}>What was tested</Title>
        {t.steps.map((s, i) => (
          <StepCard key={s.key} step={s} n={i + 1} failed={t.failedStep === s.key} />
        ))}
      </Stack>
      <Text size="xs" c="dimmed">
        Times in your time zone (UTC shown where it matters). Test traffic — the click, the client{' '}
        {t.clientExternalId ? <span className="pd-mono">{t.clientExternalId}</span> : null} and its events —
        is kept as evidence and never counted in stats or paid.
      </Text>
    </Stack>
  );
}

function Configured({ t, setup }: { t: TrackingTest; setup: TestSetup | null }) {
  if (!setup)
    return (
      <Paper withBorder p="sm">
        <Title order={4} mb={4}>
          What was configured
        </Title>
        <Dim>The setup is recorded when the test starts; it is not there yet.</Dim>
      </Paper>
    );
  const p = setup.programme;
  const subs = t.options.subs ?? {};
  return (
    <Paper withBorder p="sm" data-testid="qa-setup">
      <Title order={4}>What was configured</Title>
      <Text size="xs" c="dimmed" mb="sm">
        As it was when the test ran. The setup may have changed since: the onboarding gate counts a pass only
        while no active link or postback of the partner changed after it.
      </Text>
      <Stack gap="sm">
        <Fact label="Tracking URL">
          <TrackingUrl url={setup.trackingUrl} />
        </Fact>
        <Fact label="Landing URL template">
          <Mono testId="qa-setup-landing">{setup.link.landingUrl}</Mono>
        </Fact>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Fact label="Link status">
            <Text size="sm">{humanize(setup.link.status)}</Text>
          </Fact>
          <Fact label="Allowed countries">
            <Text size="sm">
              {setup.link.allowedCountries.length === 0
                ? 'Every country'
                : setup.link.allowedCountries.map((c) => countryName(c)).join(', ')}
            </Text>
          </Fact>
          <Fact label="Link last changed">
            <DateTime iso={setup.link.updatedAt} />
          </Fact>
          <Fact label="Partner stage">
            <Text size="sm">{humanize(setup.partner.stage)}</Text>
          </Fact>
        </SimpleGrid>
        <Fact label="Programme (attribution windows)">
          {p ? (
            <Text size="sm" data-testid="qa-setup-programme">
              <b>{p.name}</b>: an event counts from {p.minClickToEventSeconds} s after the click up to{' '}
              {p.maxClickAgeDays} days after it · FTD ={' '}
              {p.ftdDefinition === 'deposits_24h'
                ? 'all deposits within 24 h of the first'
                : 'the first deposit'}{' '}
              · qualifying deposit{' '}
              {formatMoney(p.qualifyingDeposit.amountMinor, p.qualifyingDeposit.currency)}
            </Text>
          ) : (
            <Dim>No programme (defaults applied)</Dim>
          )}
        </Fact>
        <Fact label="Test options">
          <Text size="sm">
            Expected landing text: {t.options.expectText ? <b>“{t.options.expectText}”</b> : <Dim>none</Dim>}{' '}
            · sub-IDs:{' '}
            <span className="pd-mono">
              {['sub1', 'sub2', 'sub3', 'sub4', 'sub5']
                .map((k, i) => `${k}=${subs[k as keyof typeof subs] || `qa-s${i + 1}`}`)
                .join(' ')}
            </span>
            {t.options.eventTypes && <> · events asked: {t.options.eventTypes.join(', ')}</>}
          </Text>
        </Fact>
        <Fact label={`Partner postbacks (${setup.postbacks.length})`}>
          {setup.postbacks.length === 0 ? (
            <Dim>None: the chain ends at attribution (the partner reads its numbers in the portal).</Dim>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table withTableBorder verticalSpacing={4} data-testid="qa-setup-postbacks">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Method</Table.Th>
                    <Table.Th>URL template</Table.Th>
                    <Table.Th>Signed</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {setup.postbacks.map((pb) => (
                    <Table.Tr key={pb.id} data-testid="qa-setup-postback" data-event-type={pb.eventType}>
                      <Table.Td style={{ verticalAlign: 'top', whiteSpace: 'nowrap' }}>
                        {postbackEventLabel(pb.eventType)}
                      </Table.Td>
                      <Table.Td style={{ verticalAlign: 'top' }}>{pb.method}</Table.Td>
                      <Table.Td style={{ verticalAlign: 'top' }} maw={480}>
                        <Mono>{pb.urlTemplate}</Mono>
                        {pb.bodyTemplate && (
                          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                            body ({pb.contentType}): <span className="pd-mono">{pb.bodyTemplate}</span>
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td style={{ verticalAlign: 'top' }}>
                        <YesNo yes={pb.signed} yesText="HMAC" noText="no" neutral />
                      </Table.Td>
                      <Table.Td style={{ verticalAlign: 'top' }}>
                        <Badge
                          size="sm"
                          variant="light"
                          color={pb.status === 'active' ? 'green' : 'gray'}
                          miw="fit-content"
                        >
                          {humanize(pb.status)}
                        </Badge>
                        {pb.disabledReason && (
                          <Text size="xs" c="dimmed" maw={220}>
                            {pb.disabledReason}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Fact>
      </Stack>
    </Paper>
  );
}

function StepCard({ step: s, n, failed }: { step: TestStep; n: number; failed: boolean }) {
  return (
    <Paper
      withBorder
      p="sm"
      id={`step-${s.key}`}
      className="pd-qa-step"
      style={failed ? { borderColor: 'var(--mantine-color-red-5)', borderWidth: 2 } : undefined}
      data-testid="qa-step"
      data-key={s.key}
      data-status={s.status}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb={4}>
        <div style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Text fw={700}>
              {n}. {STEP_NAMES[s.key]}
            </Text>
            <StepStatusBadge status={s.status} />
          </Group>
          <Text size="xs" c="dimmed">
            {s.label}
          </Text>
        </div>
        <Tooltip label={s.startedAt ? `started ${formatUtc(s.startedAt)}` : 'not started'} openDelay={300}>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {formatDuration(s.durationMs)}
          </Text>
        </Tooltip>
      </Group>
      <Text
        size="sm"
        mb="xs"
        c={s.status === 'failed' ? 'red.8' : undefined}
        fw={s.status === 'failed' ? 600 : undefined}
        style={{ overflowWrap: 'anywhere' }}
        data-testid="qa-step-summary"
      >
        {s.summary}
      </Text>
      <StepEvidence step={s} />
    </Paper>
  );
}
