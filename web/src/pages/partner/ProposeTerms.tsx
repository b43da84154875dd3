// Propose new terms: the plan model decides which parts the form asks for. People type money as decimal major
// units ("150.00") and lots as decimals ("2.5"); the form sends integer minor units and hundredths of a lot,
// and percentages as basis points. Local parse problems and the API's field errors show beside each input.
import {
  ActionIcon,
  Button,
  Checkbox,
  Divider,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import type { CommissionPlan } from '../../api/types';
import { FormError } from '../../components/FormError';
import { currencyDigits, humanize, parseDecimalToInt, todayIso } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS, CURRENCIES, INSTRUMENT_GROUPS, REVSHARE_BASES } from '../../lib/reference';

type Model = CommissionPlan['model'];
type Group_ = (typeof INSTRUMENT_GROUPS)[number];

interface CpaDraft {
  mode: 'single' | 'tiers';
  amount: string;
  tiers: { minFtd: string; amount: string }[];
  minFtd: string;
  minLots: string;
  withinDays: string;
  allowed: string[];
  excluded: string[];
}

const emptyCpa = (): CpaDraft => ({
  mode: 'single',
  amount: '',
  tiers: [
    { minFtd: '', amount: '' },
    { minFtd: '', amount: '' },
  ],
  minFtd: '100',
  minLots: '1',
  withinDays: '30',
  allowed: [],
  excluded: [],
});

export function ProposeTermsForm({ partnerId, onDone }: { partnerId: string; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const [model, setModel] = useState<Model>('cpa');
  const [currency, setCurrency] = useState('USD');
  const [effectiveFrom, setEffectiveFrom] = useState(todayIso());
  const [note, setNote] = useState('');
  const [cpa, setCpa] = useState<CpaDraft>(emptyCpa);
  const [rebates, setRebates] = useState<{ group: Group_; amount: string }[]>([
    { group: 'fx_majors', amount: '' },
  ]);
  const [share, setShare] = useState('');
  const [basis, setBasis] = useState<(typeof REVSHARE_BASES)[number]>('net_revenue');
  const [hybridParts, setHybridParts] = useState({ cpa: true, revshare: true, rebates: false });
  const [holdingDays, setHoldingDays] = useState('');
  const [capPayout, setCapPayout] = useState('');
  const [capFtds, setCapFtds] = useState('');
  const [overridePerLot, setOverridePerLot] = useState('');
  const [overrideShare, setOverrideShare] = useState('');

  const digits = currencyDigits(currency);
  const uses = {
    cpa: model === 'cpa' || (model === 'hybrid' && hybridParts.cpa),
    revshare: model === 'revshare' || (model === 'hybrid' && hybridParts.revshare),
    rebates: model === 'rebate' || (model === 'hybrid' && hybridParts.rebates),
  };

  /** Builds the plan; records a local error per field that does not parse. */
  function build(): { plan: CommissionPlan; problems: Record<string, string> } {
    const problems: Record<string, string> = {};
    const money = (field: string, text: string, required = true): number | undefined => {
      if (text.trim() === '') {
        if (required) problems[field] = 'is required';
        return undefined;
      }
      const v = parseDecimalToInt(text, digits);
      if (v === null)
        problems[field] =
          `must be an amount like ${digits > 0 ? `12.${'5'.padEnd(digits, '0')}` : '12'} (${currency})`;
      return v ?? undefined;
    };
    const lots = (field: string, text: string): number | undefined => {
      const v = parseDecimalToInt(text, 2);
      if (v === null) problems[field] = 'must be lots with at most 2 decimals, like 1.25';
      return v ?? undefined;
    };
    const pct = (field: string, text: string, required = true): number | undefined => {
      if (text.trim() === '') {
        if (required) problems[field] = 'is required';
        return undefined;
      }
      const v = parseDecimalToInt(text, 2);
      if (v === null || v > 10_000)
        problems[field] = 'must be a percentage from 0 to 100 with at most 2 decimals';
      return v ?? undefined;
    };
    const whole = (field: string, text: string): number | undefined => {
      if (text.trim() === '') return undefined;
      if (!/^\d+$/.test(text.trim())) {
        problems[field] = 'must be a whole number';
        return undefined;
      }
      return Number(text.trim());
    };

    const plan: Record<string, unknown> = { model };
    if (uses.cpa) {
      const part: Record<string, unknown> = {
        qualification: {
          minFtdMinor: money('plan.cpa.qualification.minFtdMinor', cpa.minFtd),
          minLots: lots('plan.cpa.qualification.minLots', cpa.minLots),
          withinDays: whole('plan.cpa.qualification.withinDays', cpa.withinDays),
          ...(cpa.allowed.length > 0 ? { allowedCountries: cpa.allowed } : {}),
          ...(cpa.excluded.length > 0 ? { excludedCountries: cpa.excluded } : {}),
        },
      };
      if (cpa.mode === 'single') part.amountMinor = money('plan.cpa.amountMinor', cpa.amount);
      else
        part.tiers = cpa.tiers.map((t, i) => ({
          ...(i === 0 && t.minFtd.trim() === ''
            ? {}
            : { minFtdMinor: money(`plan.cpa.tiers.${i}.minFtdMinor`, t.minFtd) }),
          amountMinor: money(`plan.cpa.tiers.${i}.amountMinor`, t.amount),
        }));
      plan.cpa = part;
    }
    if (uses.revshare) plan.revshare = { shareBps: pct('plan.revshare.shareBps', share), basis };
    if (uses.rebates)
      plan.rebates = rebates.map((r, i) => ({
        group: r.group,
        amountPerLotMinor: money(`plan.rebates.${i}.amountPerLotMinor`, r.amount),
      }));
    const hd = whole('plan.holdingDays', holdingDays);
    if (hd !== undefined) plan.holdingDays = hd;
    const capP = money('plan.caps.payoutPerMonthMinor', capPayout, false);
    const capF = whole('plan.caps.qualifiedFtdsPerMonth', capFtds);
    if (capP !== undefined || capF !== undefined)
      plan.caps = {
        ...(capP !== undefined ? { payoutPerMonthMinor: capP } : {}),
        ...(capF !== undefined ? { qualifiedFtdsPerMonth: capF } : {}),
      };
    const oLot = money('plan.subIbOverride.perLotMinor', overridePerLot, false);
    const oShare = pct('plan.subIbOverride.shareBps', overrideShare, false);
    if (oLot !== undefined || oShare !== undefined)
      plan.subIbOverride = {
        ...(oLot !== undefined ? { perLotMinor: oLot } : {}),
        ...(oShare !== undefined ? { shareBps: oShare } : {}),
      };
    return { plan: plan as unknown as CommissionPlan, problems };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    errors.clear();
    const { plan, problems } = build();
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const created = await api.post('/api/v1/partners/{id}/terms', {
        path: { id: partnerId },
        body: { plan, currency, effectiveFrom, note: note.trim() || null },
      });
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['partner', partnerId] }),
        qc.invalidateQueries({ queryKey: ['approvals'] }),
      ]);
      notifications.show({
        color: 'green',
        message: `Version ${created.version} proposed; it needs approval by ${humanize(created.requiredRole)}.`,
      });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  const err = (field: string) => local[field] ?? errors.field(field);
  const moneyInput = (
    label: string,
    field: string,
    value: string,
    onChange: (v: string) => void,
    testId?: string,
    desc?: string,
  ) => (
    <TextInput
      label={label}
      description={desc}
      rightSection={
        <Text size="xs" c="dimmed">
          {currency}
        </Text>
      }
      rightSectionWidth={44}
      inputMode="decimal"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={err(field)}
      data-testid={testId}
    />
  );

  return (
    <form onSubmit={submit} noValidate data-testid="propose-terms-form">
      <Stack gap="sm">
        <FormError
          errors={errors}
          shown={[
            'currency',
            'effectiveFrom',
            'note',
            ...Object.keys(local),
            'plan.cpa.amountMinor',
            'plan.cpa.qualification',
            'plan.cpa.tiers',
            'plan.revshare',
            'plan.rebates',
            'plan.holdingDays',
            'plan.caps',
            'plan.subIbOverride',
          ]}
        />
        <SimpleGrid cols={3} spacing="sm">
          <Select
            label="Model"
            data={[
              { value: 'cpa', label: 'CPA' },
              { value: 'rebate', label: 'Rebate (per lot)' },
              { value: 'revshare', label: 'RevShare' },
              { value: 'hybrid', label: 'Hybrid' },
            ]}
            value={model}
            onChange={(v) => v && setModel(v as Model)}
            allowDeselect={false}
            data-testid="terms-model"
          />
          <Select
            label="Currency"
            data={CURRENCIES}
            value={currency}
            onChange={(v) => v && setCurrency(v)}
            searchable
            allowDeselect={false}
            error={errors.field('currency')}
            data-testid="terms-currency"
          />
          <TextInput
            label="Effective from"
            type="date"
            min={todayIso()}
            value={effectiveFrom}
            onChange={(e) => setEffectiveFrom(e.currentTarget.value)}
            error={errors.field('effectiveFrom')}
            description="Never retroactive"
            data-testid="terms-effective"
          />
        </SimpleGrid>

        {model === 'hybrid' && (
          <Group gap="lg">
            <Text size="sm" fw={500}>
              Parts:
            </Text>
            {(['cpa', 'revshare', 'rebates'] as const).map((p) => (
              <Checkbox
                key={p}
                label={p === 'cpa' ? 'CPA' : p === 'revshare' ? 'RevShare' : 'Rebates'}
                checked={hybridParts[p]}
                onChange={(e) => {
                  const checked = e.currentTarget.checked;
                  setHybridParts((s) => ({ ...s, [p]: checked }));
                }}
              />
            ))}
            {errors.field('plan') && (
              <Text size="xs" c="red">
                {errors.field('plan')}
              </Text>
            )}
          </Group>
        )}

        {uses.cpa && (
          <>
            <Divider label="CPA" labelPosition="left" />
            <SegmentedControl
              size="xs"
              w={260}
              data={[
                { value: 'single', label: 'One amount' },
                { value: 'tiers', label: 'Tiers by FTD' },
              ]}
              value={cpa.mode}
              onChange={(v) => setCpa((s) => ({ ...s, mode: v as CpaDraft['mode'] }))}
            />
            {cpa.mode === 'single' ? (
              <SimpleGrid cols={3} spacing="sm">
                {moneyInput(
                  'CPA per qualified FTD',
                  'plan.cpa.amountMinor',
                  cpa.amount,
                  (v) => setCpa((s) => ({ ...s, amount: v })),
                  'terms-cpa-amount',
                )}
              </SimpleGrid>
            ) : (
              <Stack gap={6}>
                {cpa.tiers.map((t, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: tiers are edited in place by position
                  <Group key={i} gap="sm" align="flex-start">
                    {moneyInput(
                      i === 0 ? 'From FTD (first tier may be empty)' : 'From FTD',
                      `plan.cpa.tiers.${i}.minFtdMinor`,
                      t.minFtd,
                      (v) =>
                        setCpa((s) => ({
                          ...s,
                          tiers: s.tiers.map((x, j) => (j === i ? { ...x, minFtd: v } : x)),
                        })),
                    )}
                    {moneyInput('CPA', `plan.cpa.tiers.${i}.amountMinor`, t.amount, (v) =>
                      setCpa((s) => ({
                        ...s,
                        tiers: s.tiers.map((x, j) => (j === i ? { ...x, amount: v } : x)),
                      })),
                    )}
                    <ActionIcon
                      mt={26}
                      variant="subtle"
                      color="red"
                      disabled={cpa.tiers.length <= 1}
                      onClick={() => setCpa((s) => ({ ...s, tiers: s.tiers.filter((_, j) => j !== i) }))}
                      aria-label="Remove tier"
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                ))}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  w={100}
                  onClick={() => setCpa((s) => ({ ...s, tiers: [...s.tiers, { minFtd: '', amount: '' }] }))}
                >
                  + Add tier
                </Button>
              </Stack>
            )}
            <Text size="sm" fw={500}>
              Qualification
            </Text>
            <SimpleGrid cols={3} spacing="sm">
              {moneyInput(
                'Minimum FTD',
                'plan.cpa.qualification.minFtdMinor',
                cpa.minFtd,
                (v) => setCpa((s) => ({ ...s, minFtd: v })),
                'terms-cpa-minftd',
              )}
              <TextInput
                label="Minimum lots"
                inputMode="decimal"
                value={cpa.minLots}
                onChange={(e) => {
                  const minLots = e.currentTarget.value;
                  setCpa((s) => ({ ...s, minLots }));
                }}
                error={err('plan.cpa.qualification.minLots')}
                rightSection={
                  <Text size="xs" c="dimmed">
                    lots
                  </Text>
                }
                rightSectionWidth={40}
                data-testid="terms-cpa-minlots"
              />
              <TextInput
                label="Within days of FTD"
                inputMode="numeric"
                value={cpa.withinDays}
                onChange={(e) => {
                  const withinDays = e.currentTarget.value;
                  setCpa((s) => ({ ...s, withinDays }));
                }}
                error={err('plan.cpa.qualification.withinDays')}
                data-testid="terms-cpa-days"
              />
              <MultiSelect
                label="Only clients from"
                placeholder="Any country"
                data={COUNTRY_OPTIONS}
                searchable
                value={cpa.allowed}
                onChange={(v) => setCpa((s) => ({ ...s, allowed: v }))}
                error={
                  errors.field('plan.cpa.qualification.allowedCountries') ??
                  errors.under('plan.cpa.qualification.allowedCountries')[0]
                }
              />
              <MultiSelect
                label="Never clients from"
                data={COUNTRY_OPTIONS}
                searchable
                value={cpa.excluded}
                onChange={(v) => setCpa((s) => ({ ...s, excluded: v }))}
                error={
                  errors.field('plan.cpa.qualification.excludedCountries') ??
                  errors.under('plan.cpa.qualification.excludedCountries')[0]
                }
              />
            </SimpleGrid>
          </>
        )}

        {uses.revshare && (
          <>
            <Divider label="RevShare" labelPosition="left" />
            <SimpleGrid cols={3} spacing="sm">
              <TextInput
                label="Share"
                inputMode="decimal"
                value={share}
                onChange={(e) => setShare(e.currentTarget.value)}
                rightSection={
                  <Text size="xs" c="dimmed">
                    %
                  </Text>
                }
                error={err('plan.revshare.shareBps')}
                data-testid="terms-revshare-share"
              />
              <Select
                label="Of"
                data={REVSHARE_BASES.map((b) => ({ value: b, label: humanize(b) }))}
                value={basis}
                onChange={(v) => v && setBasis(v as typeof basis)}
                allowDeselect={false}
                error={errors.field('plan.revshare.basis')}
              />
            </SimpleGrid>
          </>
        )}

        {uses.rebates && (
          <>
            <Divider label="Rebates per lot" labelPosition="left" />
            <Stack gap={6}>
              {rebates.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place by position
                <Group key={i} gap="sm" align="flex-start">
                  <Select
                    label={i === 0 ? 'Instrument group' : undefined}
                    data={INSTRUMENT_GROUPS.map((g) => ({ value: g, label: humanize(g) }))}
                    value={r.group}
                    onChange={(v) =>
                      v && setRebates((s) => s.map((x, j) => (j === i ? { ...x, group: v as Group_ } : x)))
                    }
                    allowDeselect={false}
                    error={errors.field(`plan.rebates.${i}.group`)}
                    w={180}
                  />
                  {moneyInput(
                    i === 0 ? 'Per 1.00 lot' : '',
                    `plan.rebates.${i}.amountPerLotMinor`,
                    r.amount,
                    (v) => setRebates((s) => s.map((x, j) => (j === i ? { ...x, amount: v } : x))),
                    `terms-rebate-amount-${i}`,
                  )}
                  <ActionIcon
                    mt={i === 0 ? 26 : 4}
                    variant="subtle"
                    color="red"
                    disabled={rebates.length <= 1}
                    onClick={() => setRebates((s) => s.filter((_, j) => j !== i))}
                    aria-label="Remove row"
                  >
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              <Button
                size="compact-xs"
                variant="subtle"
                w={130}
                disabled={rebates.length >= INSTRUMENT_GROUPS.length}
                onClick={() => {
                  const next =
                    INSTRUMENT_GROUPS.find((g) => !rebates.some((r) => r.group === g)) ?? 'fx_majors';
                  setRebates((s) => [...s, { group: next, amount: '' }]);
                }}
              >
                + Add group
              </Button>
            </Stack>
          </>
        )}

        <Divider label="Optional" labelPosition="left" />
        <SimpleGrid cols={3} spacing="sm">
          <TextInput
            label="Holding days"
            description="Commission held before approval"
            inputMode="numeric"
            value={holdingDays}
            onChange={(e) => setHoldingDays(e.currentTarget.value)}
            error={err('plan.holdingDays')}
          />
          {moneyInput(
            'Monthly payout cap',
            'plan.caps.payoutPerMonthMinor',
            capPayout,
            setCapPayout,
            undefined,
            'Most paid in a month',
          )}
          <TextInput
            label="Monthly CPA cap"
            description="Most qualified FTDs paid"
            inputMode="numeric"
            value={capFtds}
            onChange={(e) => setCapFtds(e.currentTarget.value)}
            error={err('plan.caps.qualifiedFtdsPerMonth') ?? errors.field('plan.caps')}
          />
          {moneyInput(
            'Sub-IB override per lot',
            'plan.subIbOverride.perLotMinor',
            overridePerLot,
            setOverridePerLot,
            undefined,
            'Paid to this IB on its sub-IBs’ lots',
          )}
          <TextInput
            label="Sub-IB override share"
            description="Of the sub-IB’s commission"
            inputMode="decimal"
            value={overrideShare}
            onChange={(e) => setOverrideShare(e.currentTarget.value)}
            rightSection={
              <Text size="xs" c="dimmed">
                %
              </Text>
            }
            error={err('plan.subIbOverride.shareBps') ?? errors.field('plan.subIbOverride')}
          />
        </SimpleGrid>
        <Textarea
          label="Note for the approver"
          autosize
          minRows={2}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={errors.field('note')}
          data-testid="terms-note"
        />
        <Group justify="space-between">
          <Title order={6} c="dimmed" fw={400}>
            The approver is chosen by the authority matrix from the amounts.
          </Title>
          <Group gap="xs">
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="propose-terms-submit">
              Propose terms
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
