// Pieces shared by the tracking QA screens (the run dialog, the setup record, the tests/monitors/checks lists
// and reconciliation): the closed lists (checked against the generated API types), status and band badges,
// the live-polled test, the step timeline and durations in words.
import './qa.css';
import { Badge, Group, Loader, Text, ThemeIcon, Timeline, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/schema';
import { formatCount, humanize } from '../../lib/format';

type S = components['schemas'];
export type TrackingTest = S['TrackingTest'];
export type TestStep = S['TrackingTestStep'];
export type Evidence = S['TrackingTestEvidence'];
export type TestSetup = S['TrackingTestSetup'];
export type TestListItem = S['TrackingTestList']['data'][number];
export type Monitor = S['TrackingMonitor'];
export type Checks = S['TrackingChecks'];
export type Reconciliation = S['Reconciliation'];
export type ReconciliationSummary = S['ReconciliationList']['data'][number];
export type Band = Reconciliation['band'];
export type Metric = Reconciliation['result']['metrics'][number];

export const TEST_STATUSES = [
  'running',
  'passed',
  'failed',
  'error',
] as const satisfies readonly TrackingTest['status'][];
export const TRIGGERS = ['manual', 'monitor'] as const satisfies readonly TrackingTest['trigger'][];
export const STEP_KEYS = [
  'click',
  'redirects',
  'landing',
  'events',
  'attribution',
  'postbacks',
] as const satisfies readonly TestStep['key'][];
export const BANDS = ['normal', 'watch', 'investigate'] as const satisfies readonly Band[];
export const METRICS = [
  'clicks',
  'unique_clicks',
  'registrations',
  'ftds',
  'qualified_ftds',
  'deposits',
  'lots',
] as const satisfies readonly Metric[];

/** Short names of the steps (the API's labels are full sentences; both are shown). */
export const STEP_NAMES: Record<TestStep['key'], string> = {
  click: 'Click',
  redirects: 'Redirect chain',
  landing: 'Landing page',
  events: 'Test events',
  attribution: 'Attribution',
  postbacks: 'Partner postbacks',
};

const STEP_STATUS: Record<TestStep['status'], { label: string; color: string; symbol: string; tip: string }> =
  {
    pending: { label: 'Waiting', color: 'gray', symbol: '·', tip: 'Not started yet' },
    running: { label: 'Running', color: 'blue', symbol: '…', tip: 'In progress' },
    passed: { label: 'Passed', color: 'green', symbol: '✓', tip: 'This part of the chain works' },
    warning: {
      label: 'Warning',
      color: 'yellow',
      symbol: '!',
      tip: 'Works, but something is worth fixing (see the warnings)',
    },
    failed: { label: 'Failed', color: 'red', symbol: '✕', tip: 'This part of the chain is broken' },
    skipped: {
      label: 'Skipped',
      color: 'gray',
      symbol: '–',
      tip: 'Not applicable, or could not run because an earlier step gave nothing to work with',
    },
  };

export function StepStatusBadge({ status }: { status: TestStep['status'] }) {
  const s = STEP_STATUS[status];
  return (
    <Tooltip label={s.tip} openDelay={300}>
      <Badge
        color={s.color}
        variant={status === 'failed' ? 'filled' : 'light'}
        size="sm"
        miw="fit-content"
        style={{ overflow: 'visible' }}
        data-testid="qa-step-status"
      >
        {s.label}
      </Badge>
    </Tooltip>
  );
}

const TEST_STATUS: Record<TrackingTest['status'], { label: string; color: string; tip: string }> = {
  running: { label: 'Running', color: 'blue', tip: 'The test is still running' },
  passed: { label: 'Passed', color: 'green', tip: 'Every step of the chain works' },
  failed: { label: 'Failed', color: 'red', tip: 'At least one step of the chain is broken' },
  error: {
    label: 'Error',
    color: 'orange',
    tip: 'The test itself stopped with an error (see the summary); run it again',
  },
};

export function TestStatusBadge({
  status,
  size = 'sm',
}: {
  status: TrackingTest['status'];
  size?: 'sm' | 'lg';
}) {
  const s = TEST_STATUS[status];
  return (
    <Tooltip label={s.tip} openDelay={300}>
      <Badge
        color={s.color}
        variant={status === 'running' ? 'light' : 'filled'}
        size={size}
        miw="fit-content"
        style={{ overflow: 'visible' }}
        leftSection={status === 'running' ? <Loader size={10} color="blue" /> : undefined}
        data-testid="qa-test-status"
        data-status={status}
      >
        {s.label}
      </Badge>
    </Tooltip>
  );
}
export const testStatusColor = (s: TrackingTest['status']) => TEST_STATUS[s].color;
export const testStatusLabel = (s: TrackingTest['status']) => TEST_STATUS[s].label;

export function TriggerBadge({ trigger }: { trigger: TrackingTest['trigger'] }) {
  return (
    <Tooltip
      label={
        trigger === 'monitor'
          ? 'Run by the monitor schedule (a link whose test once passed is re-tested while the partner is active)'
          : 'Run by a person'
      }
      openDelay={300}
    >
      <Badge color={trigger === 'monitor' ? 'grape' : 'gray'} variant="outline" size="sm" miw="fit-content">
        {trigger === 'monitor' ? 'Monitor' : 'Manual'}
      </Badge>
    </Tooltip>
  );
}

const BAND_INFO: Record<Band, { label: string; color: string; tip: string }> = {
  normal: { label: 'Normal', color: 'green', tip: 'Under 2% apart' },
  watch: { label: 'Watch', color: 'yellow', tip: '2–5% apart: worth watching' },
  investigate: { label: 'Investigate', color: 'red', tip: 'Over 5% apart: find out why' },
};
export const bandColor = (b: Band) => BAND_INFO[b].color;
export const bandLabel = (b: Band) => BAND_INFO[b].label;
export const bandTip = (b: Band) => BAND_INFO[b].tip;

export function BandBadge({ band, count }: { band: Band; count?: number }) {
  const b = BAND_INFO[band];
  return (
    <Tooltip label={b.tip} openDelay={300}>
      <Badge
        color={b.color}
        variant={band === 'investigate' ? 'filled' : 'light'}
        size="sm"
        miw="fit-content"
        style={{ overflow: 'visible' }}
        data-testid="band-badge"
        data-band={band}
      >
        {count === undefined ? b.label : `${b.label}: ${count}`}
      </Badge>
    </Tooltip>
  );
}

const METRIC_LABELS: Record<Metric, string> = {
  clicks: 'Clicks',
  unique_clicks: 'Unique clicks',
  registrations: 'Registrations',
  ftds: 'FTDs',
  qualified_ftds: 'Qualified FTDs',
  deposits: 'Deposits',
  lots: 'Lots',
};
export const metricLabel = (m: string) => METRIC_LABELS[m as Metric] ?? humanize(m);

/** 850 → "850 ms", 2300 → "2.3 s", 95000 → "1 min 35 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${formatCount(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min${s ? ` ${s} s` : ''}`;
}

export const testKey = (id: string) => ['tracking-test', id] as const;

/**
 * One tracking test, polled every second while it runs (each step is stored when it finishes, so the poll
 * shows progress). When it finishes, the lists, monitors and the onboarding gate that depend on it reload.
 */
export function useTrackingTest(id: string, initial?: TrackingTest) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: testKey(id),
    queryFn: ({ signal }) => api.get('/api/v1/tracking-tests/{id}', { path: { id }, signal }),
    initialData: initial,
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1000 : false),
    refetchIntervalInBackground: true,
  });
  const status = q.data?.status;
  const wasRunning = useRef(status === 'running');
  useEffect(() => {
    if (status === 'running') wasRunning.current = true;
    else if (status && wasRunning.current) {
      wasRunning.current = false;
      for (const key of ['tracking-tests', 'tracking-monitors', 'onboarding', 'risk-flags', 'pipeline'])
        void qc.invalidateQueries({ queryKey: [key] });
    }
  }, [status, qc]);
  return q;
}

const BULLET_SYMBOL: Record<TestStep['status'], string> = {
  pending: '',
  running: '',
  passed: '✓',
  warning: '!',
  failed: '✕',
  skipped: '–',
};

/**
 * The steps of a test as a vertical timeline: each step's name, status, duration and summary. Steps that
 * have not started stay grey; the running one spins.
 */
export function StepTimeline({ steps }: { steps: TestStep[] }) {
  const reached = steps.reduce((n, s, i) => (s.status === 'pending' ? n : i), -1);
  return (
    <Timeline active={reached} bulletSize={22} lineWidth={2} data-testid="qa-steps">
      {steps.map((s, i) => {
        const info = STEP_STATUS[s.status];
        return (
          <Timeline.Item
            key={s.key}
            color={info.color}
            lineVariant={i >= reached ? 'dashed' : 'solid'}
            bullet={
              s.status === 'running' ? (
                <Loader size={12} color="white" />
              ) : (
                <ThemeIcon
                  size={20}
                  radius="xl"
                  color={info.color}
                  variant={s.status === 'pending' ? 'light' : 'filled'}
                >
                  <Text span size="xs" fw={700}>
                    {BULLET_SYMBOL[s.status]}
                  </Text>
                </ThemeIcon>
              )
            }
            title={
              <Group gap="xs" wrap="nowrap" justify="space-between">
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={600}>
                    {STEP_NAMES[s.key]}
                  </Text>
                  <StepStatusBadge status={s.status} />
                </Group>
                {s.durationMs !== null && (
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {formatDuration(s.durationMs)}
                  </Text>
                )}
              </Group>
            }
            data-testid="qa-step"
            data-key={s.key}
            data-status={s.status}
          >
            <Text size="xs" c="dimmed">
              {s.label}
            </Text>
            <Text
              size="sm"
              c={s.status === 'failed' ? 'red.8' : s.status === 'pending' ? 'dimmed' : undefined}
              style={{ overflowWrap: 'anywhere' }}
              data-testid="qa-step-summary"
            >
              {s.summary}
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
