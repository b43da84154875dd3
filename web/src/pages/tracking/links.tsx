// Tracking links, the pieces used on the Links page, a link's own page and a partner's Tracking tab: the
// links table, the create/edit form (landing URL placeholders as hints, the API's field errors inline) and
// the pause/activate/archive actions with a reason.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type RefObject, useRef, useState } from 'react';
import { api } from '../../api/client';
import { DateTime } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { orNull, useFormErrors } from '../../lib/forms';
import { COUNTRY_OPTIONS } from '../../lib/reference';
import { Link, navigate } from '../../lib/router';
import { useSession } from '../../lib/session';
import { PartnerLink, useProgrammes } from '../events/shared';
import { ReasonModal } from '../partner/DocumentsTab';
import { PartnerPicker, usePartnerNames } from '../work/PartnerPicker';
import {
  allShownInline,
  LANDING_PLACEHOLDERS,
  LinkStatusBadge,
  ProblemList,
  problemsOf,
  type TrackingLink,
  TrackingUrl,
} from './shared';

/** Inserts `{name}` at the cursor of an input (or at the end), keeping the cursor after it. */
export function insertToken(
  ref: RefObject<HTMLInputElement | HTMLTextAreaElement | null>,
  value: string,
  set: (v: string) => void,
  token: string,
) {
  const el = ref.current;
  const start = el?.selectionStart ?? value.length;
  const end = el?.selectionEnd ?? value.length;
  const next = value.slice(0, start) + token + value.slice(end);
  set(next);
  requestAnimationFrame(() => {
    if (!el) return;
    el.focus();
    el.setSelectionRange(start + token.length, start + token.length);
  });
}

/** Clickable placeholder chips: each inserts itself into the field; those already used are filled. */
export function TokenChips({
  tokens,
  used,
  onInsert,
  help,
  testId,
}: {
  tokens: readonly string[];
  used: string;
  onInsert: (token: string) => void;
  help?: (t: string) => string;
  testId: string;
}) {
  return (
    <Group gap={4} data-testid={testId}>
      {tokens.map((t) => {
        const token = `{${t}}`;
        const isUsed = used.includes(token);
        return (
          <Tooltip key={t} label={help ? help(t) : `Insert ${token}`} openDelay={300} disabled={!help}>
            <Badge
              component="button"
              type="button"
              variant={isUsed ? 'filled' : 'outline'}
              color={isUsed ? 'blue' : 'gray'}
              size="sm"
              tt="none"
              style={{ cursor: 'pointer', fontFamily: 'ui-monospace, monospace' }}
              onClick={() => onInsert(token)}
              data-testid={`token-${t}`}
              data-used={isUsed ? 'true' : 'false'}
            >
              {token}
            </Badge>
          </Tooltip>
        );
      })}
    </Group>
  );
}

export function LinkFormModal({
  opened,
  onClose,
  link,
  partnerId,
}: {
  opened: boolean;
  onClose: () => void;
  /** The link to edit; absent = create. */
  link?: TrackingLink | null;
  /** Create for this partner (no partner picker). */
  partnerId?: string;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={link ? `Edit ${link.name}` : 'New tracking link'}
      size="lg"
      closeOnClickOutside={false}
    >
      {opened && <LinkForm link={link ?? null} partnerId={partnerId} onDone={onClose} />}
    </Modal>
  );
}

function LinkForm({
  link,
  partnerId: fixedPartner,
  onDone,
}: {
  link: TrackingLink | null;
  partnerId?: string;
  onDone: () => void;
}) {
  const qc = useQueryClient();
  const { can } = useSession();
  const errors = useFormErrors();
  const programmes = useProgrammes();
  const landingRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [partnerId, setPartnerId] = useState<string | null>(link?.partnerId ?? fixedPartner ?? null);
  const [name, setName] = useState(link?.name ?? '');
  const [landingUrl, setLandingUrl] = useState(link?.landingUrl ?? '');
  const [code, setCode] = useState('');
  const [campaign, setCampaign] = useState(link?.campaign ?? '');
  const [countries, setCountries] = useState<string[]>(link?.allowedCountries ?? []);
  const [programmeId, setProgrammeId] = useState<string | null>(link?.programmeId ?? null);
  const programmeOptions = (programmes.data?.data ?? []).map((p) => ({
    value: p.id,
    label: p.isDefault ? `${p.name} (default)` : p.name,
  }));

  const shown = ['partnerId', 'name', 'landingUrl', 'code', 'campaign', 'allowedCountries', 'programmeId'];
  const landingProblems = problemsOf(errors.error, 'landingUrl');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      if (link) {
        await api.patch('/api/v1/links/{id}', {
          path: { id: link.id },
          body: {
            name: name.trim(),
            landingUrl: landingUrl.trim(),
            campaign: orNull(campaign),
            allowedCountries: countries,
            programmeId,
            version: link.version,
          },
        });
        notifications.show({ color: 'green', message: `${name.trim()} saved` });
      } else {
        const created = await api.post('/api/v1/links', {
          body: {
            partnerId: partnerId ?? '',
            name: name.trim(),
            landingUrl: landingUrl.trim(),
            ...(code.trim() ? { code: code.trim() } : {}),
            campaign: orNull(campaign),
            allowedCountries: countries,
            programmeId,
          },
        });
        notifications.show({ color: 'green', message: `Link created: ${created.trackingUrl}` });
      }
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['links'] }),
        link ? qc.invalidateQueries({ queryKey: ['link', link.id] }) : Promise.resolve(),
      ]);
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="link-form">
      <Stack gap="sm">
        {!allShownInline(errors.error, shown) && <FormError errors={errors} shown={shown} />}
        {!link && !fixedPartner && (
          <PartnerPicker
            label="Partner"
            value={partnerId}
            onChange={setPartnerId}
            error={errors.field('partnerId')}
            testId="link-partner"
          />
        )}
        <TextInput
          label="Name"
          description="What the partner uses it for, e.g. “Spring campaign – YouTube”"
          required
          data-autofocus
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.field('name')}
          data-testid="link-name"
        />
        <div>
          <TextInput
            ref={landingRef}
            label="Landing URL"
            description="Where the visitor lands. Placeholders are filled at click time; without {click_id}, click_id=… is appended."
            placeholder="https://broker.example/open-account?cid={click_id}&s1={sub1}"
            required
            value={landingUrl}
            onChange={(e) => setLandingUrl(e.currentTarget.value)}
            error={
              landingProblems.length > 0 ? (
                <ProblemList problems={landingProblems} testId="landing-url-errors" />
              ) : undefined
            }
            classNames={{ input: 'pd-mono' }}
            data-testid="link-landing-url"
          />
          <Group gap={6} mt={6} align="center">
            <Text size="xs" c="dimmed">
              Insert:
            </Text>
            <TokenChips
              tokens={LANDING_PLACEHOLDERS}
              used={landingUrl}
              onInsert={(t) => insertToken(landingRef, landingUrl, setLandingUrl, t)}
              testId="landing-placeholders"
            />
          </Group>
        </div>
        {!link && (
          <TextInput
            label="Code (optional)"
            description="The part after /c/ in the tracking URL; generated when empty. It never changes later."
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={errors.field('code')}
            classNames={{ input: 'pd-mono' }}
            data-testid="link-code"
          />
        )}
        <TextInput
          label="Campaign (optional)"
          value={campaign}
          onChange={(e) => setCampaign(e.currentTarget.value)}
          error={errors.field('campaign')}
          data-testid="link-campaign"
        />
        <MultiSelect
          label="Allowed countries (optional)"
          description="Clicks from other countries are still recorded and marked; empty = every country"
          data={COUNTRY_OPTIONS}
          value={countries}
          onChange={setCountries}
          searchable
          clearable
          error={errors.field('allowedCountries')}
          data-testid="link-countries"
        />
        {can('events.read') && (
          <Select
            label="Programme"
            description="Attribution windows and FTD rules; empty = the default programme"
            data={programmeOptions}
            value={programmeId}
            onChange={setProgrammeId}
            clearable
            placeholder="The default programme"
            error={errors.field('programmeId')}
            data-testid="link-programme"
          />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button
            type="submit"
            loading={busy}
            disabled={!name.trim() || !landingUrl.trim() || (!link && !partnerId)}
            data-testid="link-submit"
          >
            {link ? 'Save' : 'Create link'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export type LinkOp = 'pause' | 'activate' | 'archive';

const OPS: Record<
  LinkOp,
  { title: string; confirm: string; color: string; required: boolean; text: string }
> = {
  pause: {
    title: 'Pause',
    confirm: 'Pause',
    color: 'orange',
    required: true,
    text: 'Clicks on this link answer 410 (a clear “paused” page) until it is activated again. Nothing is deleted.',
  },
  activate: {
    title: 'Activate',
    confirm: 'Activate',
    color: 'green',
    required: false,
    text: 'Clicks are recorded and redirected to the landing page again.',
  },
  archive: {
    title: 'Archive',
    confirm: 'Archive',
    color: 'red',
    required: true,
    text: 'Archived links stay archived: clicks answer 410 for good. Create a new link if the partner needs one again. Past clicks and stats stay.',
  },
};

/** Pause, activate or archive a link, with a reason (kept in the audit log). */
export function LinkStatusModal({
  link,
  op,
  onClose,
}: {
  link: TrackingLink | null;
  op: LinkOp | null;
  onClose: () => void;
}) {
  const o = op ? OPS[op] : OPS.pause;
  return (
    <ReasonModal
      title={link ? `${o.title} ${link.name}` : ''}
      opened={link !== null && op !== null}
      onClose={onClose}
      label={o.required ? 'Reason' : 'Reason (optional)'}
      required={o.required}
      confirm={o.confirm}
      color={o.color}
      invalidate={[['links'], ['link', link?.id ?? '']]}
      onSubmit={async (reason) => {
        if (!link || !op) return;
        const opts = { path: { id: link.id }, body: { reason: reason || null } };
        if (op === 'pause') await api.post('/api/v1/links/{id}/pause', opts);
        else if (op === 'activate') await api.post('/api/v1/links/{id}/activate', opts);
        else await api.post('/api/v1/links/{id}/archive', opts);
      }}
    >
      <Text size="sm">{o.text}</Text>
    </ReasonModal>
  );
}

/** The buttons that change a link: edit, and the status moves its current status allows. */
export function LinkActions({
  link,
  onEdit,
  onOp,
  size = 'compact-xs',
}: {
  link: TrackingLink;
  onEdit: () => void;
  onOp: (op: LinkOp) => void;
  size?: 'compact-xs' | 'xs';
}) {
  const { can } = useSession();
  if (!can('links.write') || link.status === 'archived') return null;
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Button size={size} variant="subtle" onClick={onEdit} data-testid="link-edit">
        Edit
      </Button>
      {link.status === 'active' ? (
        <Button
          size={size}
          variant="subtle"
          color="orange"
          onClick={() => onOp('pause')}
          data-testid="link-pause"
        >
          Pause
        </Button>
      ) : (
        <Button
          size={size}
          variant="subtle"
          color="green"
          onClick={() => onOp('activate')}
          data-testid="link-activate"
        >
          Activate
        </Button>
      )}
      <Button
        size={size}
        variant="subtle"
        color="red"
        onClick={() => onOp('archive')}
        data-testid="link-archive"
      >
        Archive
      </Button>
    </Group>
  );
}

/** Links, newest first: name (opens the link's page with its stats), partner, status, the tracking URL to copy. */
export function LinksTable({ links, showPartner = true }: { links: TrackingLink[]; showPartner?: boolean }) {
  const partnerName = usePartnerNames(showPartner ? links.map((l) => l.partnerId) : []);
  const [editing, setEditing] = useState<TrackingLink | null>(null);
  const [changing, setChanging] = useState<{ link: TrackingLink; op: LinkOp } | null>(null);
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table data-testid="links-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Link</Table.Th>
              {showPartner && <Table.Th>Partner</Table.Th>}
              <Table.Th>Status</Table.Th>
              <Table.Th>Tracking URL</Table.Th>
              <Table.Th>Landing URL</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {links.map((l) => (
              <Table.Tr
                key={l.id}
                data-testid="link-row"
                data-code={l.code}
                data-name={l.name}
                style={l.status === 'archived' ? { opacity: 0.65 } : undefined}
              >
                <Table.Td maw={240}>
                  <Anchor component={Link} to={`/links/${l.id}`} size="sm" fw={500} data-testid="link-open">
                    {l.name}
                  </Anchor>
                  {l.campaign && (
                    <Text size="xs" c="dimmed" truncate title={l.campaign}>
                      {l.campaign}
                    </Text>
                  )}
                </Table.Td>
                {showPartner && (
                  <Table.Td>
                    <PartnerLink id={l.partnerId} name={partnerName} />
                  </Table.Td>
                )}
                <Table.Td miw={90}>
                  <LinkStatusBadge status={l.status} />
                </Table.Td>
                <Table.Td miw={320} maw={400}>
                  <TrackingUrl url={l.trackingUrl} compact />
                </Table.Td>
                <Table.Td maw={240}>
                  <Tooltip
                    label={<span style={{ wordBreak: 'break-all' }}>{l.landingUrl}</span>}
                    multiline
                    w={420}
                    openDelay={300}
                  >
                    <Text size="xs" className="pd-mono" truncate c="dimmed">
                      {l.landingUrl}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <DateTime iso={l.createdAt} relative />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => navigate(`/links/${l.id}`)}
                      data-testid="link-stats"
                    >
                      Stats
                    </Button>
                    <LinkActions
                      link={l}
                      onEdit={() => setEditing(l)}
                      onOp={(op) => setChanging({ link: l, op })}
                    />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LinkFormModal opened={editing !== null} onClose={() => setEditing(null)} link={editing} />
      <LinkStatusModal
        link={changing?.link ?? null}
        op={changing?.op ?? null}
        onClose={() => setChanging(null)}
      />
    </>
  );
}
