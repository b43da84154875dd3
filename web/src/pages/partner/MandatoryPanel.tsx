// "Missing for this stage / next stage": what the mandatory-field policy requires of this partner and what is
// not filled yet. Clicking a missing partner field focuses its input on the profile.
import { Badge, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import type { MandatoryEvaluation } from '../../api/types';
import { humanize } from '../../lib/format';

export function focusField(field: string): void {
  const el = document.querySelector<HTMLElement>(
    `[data-field="${CSS.escape(field)}"] input, [data-field="${CSS.escape(field)}"] textarea`,
  );
  el?.focus();
  el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
}

export function MandatoryPanel({
  evaluation,
  onGoTo,
}: {
  evaluation: MandatoryEvaluation;
  onGoTo: (field: string) => void;
}) {
  const { stage, next } = evaluation;
  const block = (title: string, req: MandatoryEvaluation['stage'], color: string, testId: string) => (
    <div data-testid={testId}>
      <Group gap={6} mb={4}>
        <Text size="sm" fw={600}>
          {title}
        </Text>
        <Text size="xs" c="dimmed">
          {humanize(req.stage)} · {req.required.length - req.missing.length}/{req.required.length} filled
        </Text>
      </Group>
      {req.missing.length === 0 ? (
        <Text size="sm" c="green.8">
          ✓ Nothing missing
        </Text>
      ) : (
        <Group gap={6}>
          {req.missing.map((f) => (
            <Tooltip
              key={f.field}
              label={f.field.includes('.') ? hintFor(f.field) : 'Click to go to the field'}
            >
              <Badge
                color={color}
                variant="light"
                style={{ cursor: 'pointer', textTransform: 'none' }}
                onClick={() => onGoTo(f.field)}
                data-testid="missing-field"
                data-field-name={f.field}
              >
                {f.label}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
    </div>
  );
  const total = stage.missing.length + (next?.missing.length ?? 0);
  return (
    <Paper
      withBorder
      p="sm"
      bg={stage.missing.length > 0 ? 'orange.0' : undefined}
      data-testid="mandatory-panel"
    >
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={700} size="sm">
            Mandatory fields
          </Text>
          <Text size="xs" c="dimmed">
            policy v{evaluation.policyVersion}
            {total === 0 ? ' · complete' : ''}
          </Text>
        </Group>
        {block('Missing for this stage', stage, 'orange', 'missing-this-stage')}
        {next && block('Missing for next stage', next, 'blue', 'missing-next-stage')}
      </Stack>
    </Paper>
  );
}

function hintFor(field: string): string {
  if (field.startsWith('contact.')) return 'Add a contact with this role on the Contacts tab';
  if (field.startsWith('document.')) return 'Upload this document on the Documents tab';
  return 'Click to go to the field';
}
