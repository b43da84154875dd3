// The approval authority matrix: how far BDMs and Team Leads may approve commercial terms, per currency and
// metric; anything above (or with no limit set) goes up the ladder to Leadership. Amounts are typed in the
// currency's major units and sent as minor units; revenue shares are typed in % and sent as basis points.
import { Alert, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { AuthorityRow } from '../../api/types';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { BlockSkeleton, ErrorState } from '../../components/states';
import { currencyDigits, humanize, intToDecimal, parseDecimalToInt } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { CURRENCIES } from '../../lib/reference';
import { useSession } from '../../lib/session';

const METRICS = [
  'cpa_amount',
  'rebate_per_lot',
  'revshare_bps',
  'subib_override_per_lot',
  'subib_override_bps',
] as const satisfies readonly AuthorityRow['metric'][];
const METRIC_LABELS: Record<AuthorityRow['metric'], string> = {
  cpa_amount: 'CPA amount (per qualified FTD)',
  rebate_per_lot: 'Rebate per lot',
  revshare_bps: 'Revenue share',
  subib_override_per_lot: 'Sub-IB override per lot',
  subib_override_bps: 'Sub-IB override share',
};
const ROLES = ['bdm', 'team_lead'] as const satisfies readonly AuthorityRow['role'][];
const isBps = (m: string) => m.endsWith('_bps');
const digitsFor = (m: string, currency: string) => (isBps(m) ? 2 : currencyDigits(currency));

type Cells = Record<string, string>; // `${role}|${currency}|${metric}` → typed text
const cellKey = (role: string, currency: string, metric: string) => `${role}|${currency}|${metric}`;

export function ApprovalAuthorityPage() {
  const q = useQuery({
    queryKey: ['approval-authority'],
    queryFn: () => api.get('/api/v1/approval-authority'),
  });
  return (
    <>
      <Title order={3} mb="sm">
        Approval authority
      </Title>
      {q.isPending ? (
        <BlockSkeleton />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Editor
          key={q.data.updatedAt ?? 'none'}
          rows={q.data.rows}
          ladder={q.data.ladder}
          updatedAt={q.data.updatedAt}
        />
      )}
    </>
  );
}

function Editor({
  rows,
  ladder,
  updatedAt,
}: {
  rows: AuthorityRow[];
  ladder: string[];
  updatedAt: string | null;
}) {
  const { can } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const editable = can('policy.manage');
  const initial: Cells = {};
  for (const r of rows)
    initial[cellKey(r.role, r.currency, r.metric)] = intToDecimal(
      r.maxValue,
      digitsFor(r.metric, r.currency),
    );
  const [cells, setCells] = useState<Cells>(initial);
  const [currencies, setCurrencies] = useState<string[]>([...new Set(rows.map((r) => r.currency))].sort());
  const [adding, setAdding] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [bad, setBad] = useState<Record<string, string>>({});
  const dirty = JSON.stringify(cells) !== JSON.stringify(initial);

  async function save() {
    const out: AuthorityRow[] = [];
    const problems: Record<string, string> = {};
    for (const [k, text] of Object.entries(cells)) {
      if (!text.trim()) continue;
      const [role, currency, metric] = k.split('|') as [AuthorityRow['role'], string, AuthorityRow['metric']];
      if (!currencies.includes(currency)) continue;
      const digits = digitsFor(metric, currency);
      const v = parseDecimalToInt(text, digits);
      if (v === null) problems[k] = `a number with at most ${digits} decimals`;
      else if (isBps(metric) && v > 10000) problems[k] = 'at most 100%';
      else out.push({ role, currency, metric, maxValue: v });
    }
    setBad(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    errors.clear();
    try {
      await api.put('/api/v1/approval-authority', { body: { rows: out, reason: reason.trim() || null } });
      await qc.invalidateQueries({ queryKey: ['approval-authority'] });
      notifications.show({ color: 'green', message: 'Approval authority saved' });
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="sm" data-testid="approval-authority">
      <Text size="sm" c="dimmed">
        Ladder: {ladder.map(humanize).join(' → ')}. A role approves terms whose every metric is within its
        limit in the terms’ currency; an empty cell means no authority (it goes up the ladder). Leadership is
        unlimited.
        {updatedAt && (
          <>
            {' '}
            Last changed <DateTime iso={updatedAt} />.
          </>
        )}
      </Text>
      <FormError errors={errors} shown={['reason']} />
      {currencies.map((cur) => (
        <Paper withBorder key={cur} data-testid={`authority-${cur}`}>
          <Group justify="space-between" p="xs" pb={0}>
            <Title order={5}>{cur}</Title>
            {editable && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="red"
                onClick={() => setCurrencies((c) => c.filter((x) => x !== cur))}
              >
                Remove {cur}
              </Button>
            )}
          </Group>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Metric</Table.Th>
                {ROLES.map((r) => (
                  <Table.Th key={r}>{humanize(r)} up to</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {METRICS.map((m) => (
                <Table.Tr key={m}>
                  <Table.Td>{METRIC_LABELS[m]}</Table.Td>
                  {ROLES.map((r) => {
                    const k = cellKey(r, cur, m);
                    return (
                      <Table.Td key={r}>
                        <TextInput
                          size="xs"
                          w={170}
                          value={cells[k] ?? ''}
                          placeholder="no authority"
                          readOnly={!editable}
                          onChange={(e) => {
                            const v = e.currentTarget.value;
                            setCells((c) => ({ ...c, [k]: v }));
                          }}
                          rightSection={
                            <Text size="xs" c="dimmed">
                              {isBps(m) ? '%' : cur}
                            </Text>
                          }
                          rightSectionWidth={42}
                          error={bad[k]}
                          aria-label={`${humanize(r)} ${METRIC_LABELS[m]} ${cur}`}
                          data-testid={`authority-${r}-${cur}-${m}`}
                        />
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      ))}
      {editable && (
        <Paper withBorder p="xs">
          <Group align="flex-end" gap="xs">
            <Select
              label="Add a currency"
              data={CURRENCIES.filter((c) => !currencies.includes(c))}
              value={adding}
              onChange={setAdding}
              searchable
              w={140}
            />
            <Button
              variant="default"
              disabled={!adding}
              onClick={() => {
                if (adding) setCurrencies((c) => [...c, adding].sort());
                setAdding(null);
              }}
            >
              Add
            </Button>
            <TextInput
              label="Why the change (recorded in the audit log)"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              w={360}
              error={errors.field('reason')}
            />
            <Button
              onClick={() => void save()}
              loading={busy}
              disabled={
                !dirty && currencies.join() === [...new Set(rows.map((r) => r.currency))].sort().join()
              }
              data-testid="authority-save"
            >
              Save matrix
            </Button>
          </Group>
        </Paper>
      )}
      {Object.keys(bad).length > 0 && (
        <Alert color="red" variant="light">
          Some limits are not valid numbers; they are marked above.
        </Alert>
      )}
    </Stack>
  );
}
