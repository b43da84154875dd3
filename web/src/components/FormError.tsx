import { Alert, Text } from '@mantine/core';
import type { FormErrors } from '../lib/forms';

/**
 * The general problem of a failed submit, plus any field errors the form does not show beside an input
 * (`shown` lists the field names that have their own input).
 */
export function FormError({ errors, shown = [] }: { errors: FormErrors; shown?: string[] }) {
  const e = errors.error;
  if (!e) return null;
  const rest = e.errors.filter((fe) => {
    const name = fe.field.replace(/^(body|query|path)\./, '');
    return !shown.some((s) => name === s || name.startsWith(`${s}.`) || name.startsWith(`${s}[`));
  });
  return (
    <Alert color="red" variant="light" p="xs" data-testid="form-error">
      <Text size="sm">{e.detail}</Text>
      {rest.map((fe) => (
        <Text size="xs" key={fe.field + fe.message}>
          <b>{fe.field.replace(/^(body|query|path)\./, '')}</b>: {fe.message}
        </Text>
      ))}
      {e.requestId && e.status >= 500 && (
        <Text size="xs" c="dimmed">
          request id {e.requestId}
        </Text>
      )}
    </Alert>
  );
}
