import { Code, Stack, Text } from '@mantine/core';
import { changedFields, showValue } from '../lib/audit-words';

/** before → after, one line per changed field; long values are clipped with the full text on hover. */
export function Changes({
  before,
  after,
}: {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}) {
  const changes = changedFields(before, after);
  if (changes.length === 0) return null;
  const onlyAfter = before === null;
  return (
    <Stack gap={0}>
      {changes.map((c) => {
        const b = showValue(c.before);
        const a = showValue(c.after);
        return (
          <Text
            size="xs"
            key={c.key}
            lineClamp={3}
            title={`${c.key}: ${b} → ${a}`}
            style={{ overflowWrap: 'anywhere' }}
          >
            <Code fz={11}>{c.key}</Code>{' '}
            {onlyAfter ? (
              <b>{a}</b>
            ) : (
              <>
                <Text span size="xs" c="dimmed" td="line-through">
                  {b}
                </Text>{' '}
                → <b>{a}</b>
              </>
            )}
          </Text>
        );
      })}
    </Stack>
  );
}
