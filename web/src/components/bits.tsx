// Small display pieces used across pages: local time with the UTC instant on hover, copyable hashes/ids,
// stage and status badges.
import { ActionIcon, Badge, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { formatLocal, formatUtc, humanize, relativeTime } from '../lib/format';

export function DateTime({ iso, relative = false }: { iso: string | null | undefined; relative?: boolean }) {
  if (!iso)
    return (
      <Text span c="dimmed">
        —
      </Text>
    );
  return (
    <Tooltip label={formatUtc(iso)} openDelay={300}>
      <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
        {relative ? relativeTime(iso) : formatLocal(iso)}
      </Text>
    </Tooltip>
  );
}

export function Copyable({ value, display, testId }: { value: string; display?: string; testId?: string }) {
  return (
    <Group gap={4} wrap="nowrap" data-testid={testId}>
      <Tooltip label={value} openDelay={300}>
        <Text span className="pd-mono">
          {display ?? value}
        </Text>
      </Tooltip>
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
            <ActionIcon
              size="xs"
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              onClick={copy}
              aria-label="Copy"
            >
              {copied ? '✓' : <CopyIcon />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

const STAGE_COLORS: Record<string, string> = {
  intake: 'gray',
  due_diligence: 'yellow',
  tracking_setup: 'cyan',
  activation_readiness: 'indigo',
  handover: 'violet',
  active: 'green',
  rejected: 'red',
  suspended: 'orange',
  offboarded: 'dark',
};

export function StageBadge({ stage }: { stage: string }) {
  return (
    <Badge color={STAGE_COLORS[stage] ?? 'gray'} variant="light" size="sm" data-testid="stage-badge">
      {humanize(stage)}
    </Badge>
  );
}

const STATUS_COLORS: Record<string, string> = {
  pending: 'yellow',
  pending_approval: 'yellow',
  approved: 'green',
  accepted: 'teal',
  rejected: 'red',
  withdrawn: 'gray',
  superseded: 'gray',
  archived: 'gray',
  active: 'green',
  disabled: 'gray',
  revoked: 'red',
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge
      color={STATUS_COLORS[status] ?? 'gray'}
      variant="light"
      size="sm"
      data-testid={testId}
      style={{ overflow: 'visible' }}
      miw="fit-content"
    >
      {humanize(status)}
    </Badge>
  );
}

function CopyIcon() {
  return (
    <svg
      width="12"
      height="12"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <rect x="9" y="9" width="12" height="12" rx="2" />
      <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
    </svg>
  );
}
