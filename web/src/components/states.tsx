// Loading, empty and error states shared by every page, so each one says what happened and what to do next.
import { Alert, Button, Center, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { asApiError } from '../api/client';

export function ErrorState({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const e = asApiError(error);
  const heading =
    title ??
    (e.status === 404
      ? 'Not found'
      : e.status === 403
        ? 'You do not have access to this'
        : e.status === 0
          ? 'Cannot reach the server'
          : 'Something went wrong');
  return (
    <Alert color="red" variant="light" title={heading} data-testid="error-state">
      <Stack gap={6}>
        <Text size="sm">{e.detail}</Text>
        {e.errors.length > 0 && (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {e.errors.map((fe) => (
              <li key={fe.field + fe.message}>
                <Text size="sm">
                  <b>{fe.field}</b>: {fe.message}
                </Text>
              </li>
            ))}
          </ul>
        )}
        <Group gap="xs">
          {onRetry && (
            <Button size="xs" variant="light" color="red" onClick={onRetry}>
              Try again
            </Button>
          )}
          <Text size="xs" c="dimmed">
            {e.code !== 'client' ? `code ${e.code}` : ''}
            {e.requestId ? ` · request id ${e.requestId}` : ''}
          </Text>
        </Group>
      </Stack>
    </Alert>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Center py={40} data-testid="empty-state">
      <Stack align="center" gap={6} maw={440}>
        <Text fw={600}>{title}</Text>
        {children && (
          <Text size="sm" c="dimmed" ta="center">
            {children}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}

export function TableSkeleton({ rows = 8, cols = 5 }: { rows?: number; cols?: number }) {
  return (
    <Table data-testid="loading">
      <Table.Tbody>
        {Array.from({ length: rows }, (_, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
          <Table.Tr key={r}>
            {Array.from({ length: cols }, (_, c) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: placeholder cells have no identity
              <Table.Td key={c}>
                <Skeleton height={14} radius="sm" />
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function BlockSkeleton({ lines = 6 }: { lines?: number }) {
  return (
    <Stack gap="sm" data-testid="loading">
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder lines have no identity
        <Skeleton key={i} height={18} width={`${60 + ((i * 37) % 40)}%`} />
      ))}
    </Stack>
  );
}
