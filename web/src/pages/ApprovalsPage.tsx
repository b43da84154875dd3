// The approvals inbox: terms waiting for my approval and documents waiting for review, oldest first, with the
// decision made in place (the API still checks four eyes and the authority ladder).
import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { ApprovalItem } from '../api/types';
import { EmptyState, ErrorState, TableSkeleton } from '../components/states';
import { formatDate, formatLocal, formatUtc, humanize } from '../lib/format';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { ReasonModal, ReviewModal } from './partner/DocumentsTab';

export function useApprovalsCount(enabled: boolean) {
  return useQuery({
    queryKey: ['approvals', 'count'],
    enabled,
    refetchInterval: 60_000,
    queryFn: async () => {
      const r = await api.get('/api/v1/approvals', { query: { limit: 1 } });
      return r.counts.terms + r.counts.documents;
    },
  });
}

type Filter = 'all' | 'terms_approval' | 'document_review';

export function ApprovalsPage() {
  const { can } = useSession();
  const [filter, setFilter] = useState<Filter>('all');
  const [termsAction, setTermsAction] = useState<{
    item: Extract<ApprovalItem, { kind: 'terms_approval' }>;
    decision: 'approve' | 'reject';
  } | null>(null);
  const [docAction, setDocAction] = useState<{
    item: Extract<ApprovalItem, { kind: 'document_review' }>;
    decision: 'approve' | 'reject';
  } | null>(null);
  const q = useQuery({
    queryKey: ['approvals', 'inbox'],
    queryFn: () => api.get('/api/v1/approvals', { query: { limit: 200 } }),
    refetchInterval: 60_000,
  });
  const items = (q.data?.data ?? []).filter((i) => filter === 'all' || i.kind === filter);
  const counts = q.data?.counts;

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Approvals</Title>
        <SegmentedControl
          size="xs"
          value={filter}
          onChange={(v) => setFilter(v as Filter)}
          data={[
            { value: 'all', label: `All${counts ? ` (${counts.terms + counts.documents})` : ''}` },
            { value: 'terms_approval', label: `Terms${counts ? ` (${counts.terms})` : ''}` },
            { value: 'document_review', label: `Documents${counts ? ` (${counts.documents})` : ''}` },
          ]}
          data-testid="approvals-filter"
        />
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} rows={5} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            title="Nothing is waiting for you"
            action={
              <Anchor component={Link} to="/partners">
                Go to partners
              </Anchor>
            }
          >
            Terms you may approve and documents to review appear here, oldest first.
            {!can('terms.approve') &&
              !can('documents.review') &&
              ' Your role neither approves terms nor reviews documents.'}
          </EmptyState>
        ) : (
          <Table data-testid="approvals-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Waiting</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Partner</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((it) => (
                <Table.Tr key={`${it.kind}-${it.id}`} data-testid="approval-row" data-kind={it.kind}>
                  <Table.Td>
                    <Tooltip label={`since ${formatLocal(it.waitingSince)} (${formatUtc(it.waitingSince)})`}>
                      <Text
                        size="sm"
                        c={it.ageSeconds > 3 * 86400 ? 'red.7' : undefined}
                        fw={it.ageSeconds > 3 * 86400 ? 600 : undefined}
                      >
                        {it.age}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={it.kind === 'terms_approval' ? 'indigo' : 'cyan'}>
                      {it.kind === 'terms_approval' ? `Terms v${it.version}` : humanize(it.documentType)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/partners/${it.partner.id}/${it.kind === 'terms_approval' ? 'terms' : 'documents'}`}
                      size="sm"
                    >
                      {it.partner.displayName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td maw={420}>
                    <Text size="sm" lineClamp={2} title={it.summary}>
                      {it.summary}
                    </Text>
                    {it.kind === 'terms_approval' ? (
                      <Text size="xs" c="dimmed">
                        {it.currency} · effective {formatDate(it.effectiveFrom)} · needs{' '}
                        {humanize(it.requiredRole)}
                      </Text>
                    ) : (
                      <Text size="xs" c="dimmed">
                        {it.fileName}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {it.kind === 'terms_approval' ? it.proposedBy.name : it.uploadedBy.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        color="green"
                        data-testid="approval-approve"
                        onClick={() =>
                          it.kind === 'terms_approval'
                            ? setTermsAction({ item: it, decision: 'approve' })
                            : setDocAction({ item: it, decision: 'approve' })
                        }
                      >
                        Approve
                      </Button>
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="light"
                        data-testid="approval-reject"
                        onClick={() =>
                          it.kind === 'terms_approval'
                            ? setTermsAction({ item: it, decision: 'reject' })
                            : setDocAction({ item: it, decision: 'reject' })
                        }
                      >
                        Reject
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <ReasonModal
        title={
          termsAction
            ? `${termsAction.decision === 'approve' ? 'Approve' : 'Reject'} terms v${termsAction.item.version} for ${termsAction.item.partner.displayName}`
            : ''
        }
        opened={termsAction !== null}
        onClose={() => setTermsAction(null)}
        label={termsAction?.decision === 'reject' ? 'Why are they rejected?' : 'Comment (optional)'}
        required={termsAction?.decision === 'reject'}
        confirm={termsAction?.decision === 'approve' ? 'Approve' : 'Reject'}
        color={termsAction?.decision === 'approve' ? 'green' : 'red'}
        invalidate={[['approvals'], ['partner', termsAction?.item.partner.id ?? '']]}
        onSubmit={async (reason) => {
          if (!termsAction) return;
          const path = { id: termsAction.item.partner.id, termsId: termsAction.item.id };
          if (termsAction.decision === 'approve')
            await api.post('/api/v1/partners/{id}/terms/{termsId}/approve', {
              path,
              body: { reason: reason || null },
            });
          else await api.post('/api/v1/partners/{id}/terms/{termsId}/reject', { path, body: { reason } });
        }}
      >
        {termsAction && <Text size="sm">{termsAction.item.summary}</Text>}
      </ReasonModal>
      <ReviewModal
        partnerId={docAction?.item.partner.id ?? ''}
        review={
          docAction
            ? {
                doc: {
                  id: docAction.item.id,
                  type: docAction.item.documentType,
                  fileName: docAction.item.fileName,
                },
                decision: docAction.decision,
              }
            : null
        }
        onClose={() => setDocAction(null)}
      />
    </>
  );
}
