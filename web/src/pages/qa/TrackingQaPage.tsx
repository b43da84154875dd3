// Tracking QA: proving that partners' tracking works. Tabs (the tab and every filter live in the URL): the tests
// with their setup records, the monitors that re-run them, attribution checks over a period, and reconciliation
// against a partner's own CSV.
import { Group, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { EmptyState } from '../../components/states';
import { useSession } from '../../lib/session';
import { useUrlState } from '../../lib/url-state';
import { PartnerPicker } from '../work/PartnerPicker';
import { ChecksPanel } from './ChecksPanel';
import { MonitorsPanel } from './MonitorsPanel';
import { ReconciliationPanel } from './ReconciliationPanel';
import { TestsPanel } from './TestsPanel';

const TABS = [
  { value: 'tests', label: 'Tests' },
  { value: 'monitors', label: 'Monitors' },
  { value: 'checks', label: 'Attribution checks' },
  { value: 'reconcile', label: 'Reconcile' },
] as const;

export function TrackingQaPage() {
  const [f, setF] = useUrlState(['tab'] as const);
  const tab = TABS.some((t) => t.value === f.tab) ? f.tab : 'tests';
  return (
    <>
      <Group justify="space-between" mb="sm" align="flex-start">
        <div>
          <Title order={3}>Tracking QA</Title>
          <Text size="sm" c="dimmed" maw={820}>
            Proof that a partner’s tracking works end to end: the click, the redirects, the landing page, test
            events, attribution and the partner’s own postbacks — with the evidence kept as a setup record.
          </Text>
        </div>
      </Group>
      <Tabs
        value={tab}
        onChange={(v) => setF({ tab: v === 'tests' ? null : v })}
        keepMounted={false}
        data-testid="qa-tabs"
      >
        <Tabs.List mb="sm">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value} data-testid={`qa-tab-${t.value}`}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="tests">
          <TestsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="monitors">
          <MonitorsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="checks">
          <ChecksPanel />
        </Tabs.Panel>
        <Tabs.Panel value="reconcile">
          <ReconcileTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function ReconcileTab() {
  const { session } = useSession();
  const [f, setF] = useUrlState(['partnerId'] as const);
  const own = session.user.role === 'partner' ? session.user.partnerId : null;
  const partnerId = own ?? (f.partnerId || null);
  return (
    <Stack gap="sm">
      {!own && (
        <Paper withBorder p="xs">
          <div style={{ width: 300 }}>
            <PartnerPicker
              label="Partner"
              value={partnerId}
              onChange={(v) => setF({ partnerId: v })}
              testId="qa-reconcile-partner"
            />
          </div>
        </Paper>
      )}
      {partnerId ? (
        <Paper withBorder p="sm">
          <ReconciliationPanel key={partnerId} partnerId={partnerId} />
        </Paper>
      ) : (
        <EmptyState title="Pick a partner">
          Reconciliation compares one partner’s own export (per day, optionally per sub-ID) with our numbers.
        </EmptyState>
      )}
    </Stack>
  );
}
