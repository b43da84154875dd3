// Documents: what the partner file holds (type, review status, expiry, checksum, who uploaded and reviewed),
// upload (multipart), download, approve/reject with a reason, archive with a reason.
import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Menu,
  Modal,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, buildUrl } from '../../api/client';
import type { Doc, Partner } from '../../api/types';
import { Copyable, DateTime, StatusBadge } from '../../components/bits';
import { FormError } from '../../components/FormError';
import { EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { formatBytes, formatDate, humanize, todayIso } from '../../lib/format';
import { useFormErrors } from '../../lib/forms';
import { useSession } from '../../lib/session';

export const DOCUMENT_TYPES = [
  'identity',
  'proof_of_address',
  'incorporation',
  'ubo_declaration',
  'agreement',
  'tax_form',
  'other',
] as const satisfies readonly Doc['type'][];

export function DocumentsTab({ partner }: { partner: Partner }) {
  const { can } = useSession();
  const [showArchived, setShowArchived] = useState(false);
  const [uploadOpen, setUploadOpen] = useState(false);
  const [review, setReview] = useState<{ doc: Doc; decision: 'approve' | 'reject' } | null>(null);
  const [archive, setArchive] = useState<Doc | null>(null);
  const q = useQuery({
    queryKey: ['partner', partner.id, 'documents', showArchived],
    queryFn: () =>
      api.get('/api/v1/partners/{id}/documents', {
        path: { id: partner.id },
        query: { archived: showArchived ? 'true' : undefined, limit: 200 },
      }),
  });
  const docs = q.data?.data ?? [];
  const canUpload = can('documents.upload') && !partner.archivedAt;

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Switch
          label="Show archived"
          checked={showArchived}
          onChange={(e) => setShowArchived(e.currentTarget.checked)}
          size="sm"
        />
        {canUpload && (
          <Button onClick={() => setUploadOpen(true)} data-testid="upload-document">
            Upload document
          </Button>
        )}
      </Group>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={8} rows={4} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : docs.length === 0 ? (
          <EmptyState
            title="No documents yet"
            action={
              canUpload ? (
                <Button variant="light" onClick={() => setUploadOpen(true)}>
                  Upload the first document
                </Button>
              ) : undefined
            }
          >
            Identity, proof of address, incorporation papers and the signed agreement live here, with their
            expiry and review status.
          </EmptyState>
        ) : (
          <Table data-testid="documents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>SHA-256</Table.Th>
                <Table.Th>Uploaded</Table.Th>
                <Table.Th>Reviewed</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {docs.map((d) => (
                <Table.Tr
                  key={d.id}
                  data-testid="document-row"
                  style={d.archivedAt ? { opacity: 0.6 } : undefined}
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {humanize(d.type)}
                    </Text>
                    {d.note && (
                      <Text size="xs" c="dimmed" lineClamp={1} title={d.note}>
                        {d.note}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      href={buildUrl('/api/v1/partners/{id}/documents/{docId}/download', {
                        id: partner.id,
                        docId: d.id,
                      })}
                      size="sm"
                      data-testid="document-download"
                    >
                      {d.fileName}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {formatBytes(d.sizeBytes)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <StatusBadge status={d.status} testId="document-status" />
                      {d.archivedAt && (
                        <Tooltip label={d.archiveReason ?? ''} disabled={!d.archiveReason}>
                          <Badge size="sm" color="gray" variant="outline">
                            archived
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                    {d.status === 'rejected' && d.reviewReason && (
                      <Text size="xs" c="red.7" lineClamp={2} title={d.reviewReason}>
                        {d.reviewReason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Expiry doc={d} />
                  </Table.Td>
                  <Table.Td>
                    <Copyable value={d.sha256} display={`${d.sha256.slice(0, 12)}…`} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{d.uploadedBy.name}</Text>
                    <DateTime iso={d.createdAt} relative />
                  </Table.Td>
                  <Table.Td>
                    {d.reviewedBy ? (
                      <>
                        <Text size="sm">{d.reviewedBy.name}</Text>
                        <DateTime iso={d.reviewedAt} relative />
                      </>
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      {can('documents.review') && d.status === 'pending' && !d.archivedAt && (
                        <>
                          <Button
                            size="compact-xs"
                            color="green"
                            variant="light"
                            onClick={() => setReview({ doc: d, decision: 'approve' })}
                            data-testid="document-approve"
                          >
                            Approve
                          </Button>
                          <Button
                            size="compact-xs"
                            color="red"
                            variant="light"
                            onClick={() => setReview({ doc: d, decision: 'reject' })}
                            data-testid="document-reject"
                          >
                            Reject
                          </Button>
                        </>
                      )}
                      {!d.archivedAt && (can('documents.review') || can('documents.upload')) && (
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <ActionIcon variant="subtle" color="gray" aria-label="More actions">
                              ⋯
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item
                              color="red"
                              onClick={() => setArchive(d)}
                              data-testid="document-archive"
                            >
                              Archive…
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Modal opened={uploadOpen} onClose={() => setUploadOpen(false)} title="Upload document">
        {uploadOpen && <UploadForm partnerId={partner.id} onDone={() => setUploadOpen(false)} />}
      </Modal>
      <ReviewModal partnerId={partner.id} review={review} onClose={() => setReview(null)} />
      <ReasonModal
        title="Archive document"
        opened={archive !== null}
        onClose={() => setArchive(null)}
        label="Why is it archived?"
        confirm="Archive"
        color="red"
        onSubmit={async (reason) => {
          if (!archive) return;
          await api.post('/api/v1/partners/{id}/documents/{docId}/archive', {
            path: { id: partner.id, docId: archive.id },
            body: { reason },
          });
        }}
        invalidate={[['partner', partner.id]]}
      />
    </Stack>
  );
}

function Expiry({ doc }: { doc: Doc }) {
  if (!doc.expiresOn)
    return (
      <Text size="sm" c="dimmed">
        No expiry
      </Text>
    );
  if (doc.expired)
    return (
      <Badge color="red" variant="filled" size="sm" data-testid="document-expired">
        Expired {formatDate(doc.expiresOn)}
      </Badge>
    );
  if (doc.expiresSoon)
    return (
      <Badge color="orange" variant="light" size="sm" data-testid="document-expiring">
        Expires {formatDate(doc.expiresOn)}
      </Badge>
    );
  return <Text size="sm">{formatDate(doc.expiresOn)}</Text>;
}

function UploadForm({ partnerId, onDone }: { partnerId: string; onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [type, setType] = useState<string | null>(null);
  const [expiresOn, setExpiresOn] = useState('');
  const [note, setNote] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      const form = new FormData();
      // Text fields first: the server reads them before the file streams.
      if (type) form.append('type', type);
      if (expiresOn) form.append('expiresOn', expiresOn);
      if (note.trim()) form.append('note', note.trim());
      if (file) form.append('file', file, file.name);
      await api.post('/api/v1/partners/{id}/documents', { path: { id: partnerId }, rawBody: form });
      await qc.invalidateQueries({ queryKey: ['partner', partnerId] });
      await qc.invalidateQueries({ queryKey: ['approvals'] });
      notifications.show({ color: 'green', message: `Uploaded ${file?.name ?? 'document'}` });
      onDone();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="upload-form">
      <Stack gap="sm">
        <FormError errors={errors} shown={['type', 'expiresOn', 'note', 'file']} />
        <Select
          label="Type"
          required
          data={DOCUMENT_TYPES.map((t) => ({ value: t, label: humanize(t) }))}
          value={type}
          onChange={setType}
          error={errors.field('type')}
          data-testid="upload-type"
        />
        <TextInput
          label="Expires on"
          type="date"
          min={todayIso()}
          description="Leave empty if the document does not expire"
          value={expiresOn}
          onChange={(e) => setExpiresOn(e.currentTarget.value)}
          error={errors.field('expiresOn')}
          data-testid="upload-expires"
        />
        <FileInput
          label="File"
          required
          description="PDF, PNG, JPEG or WebP"
          accept="application/pdf,image/png,image/jpeg,image/webp"
          value={file}
          onChange={setFile}
          clearable
          error={errors.field('file')}
          data-testid="upload-file"
        />
        <Textarea
          label="Note"
          autosize
          minRows={2}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={errors.field('note')}
        />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!type || !file} data-testid="upload-submit">
            Upload
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ReviewModal({
  partnerId,
  review,
  onClose,
}: {
  partnerId: string;
  review: { doc: { id: string; type: string; fileName: string }; decision: 'approve' | 'reject' } | null;
  onClose: () => void;
}) {
  return (
    <ReasonModal
      title={
        review
          ? `${review.decision === 'approve' ? 'Approve' : 'Reject'} ${humanize(review.doc.type)} (${review.doc.fileName})`
          : ''
      }
      opened={review !== null}
      onClose={onClose}
      label={review?.decision === 'reject' ? 'Why is it rejected?' : 'Comment (optional)'}
      required={review?.decision === 'reject'}
      confirm={review?.decision === 'approve' ? 'Approve' : 'Reject'}
      color={review?.decision === 'approve' ? 'green' : 'red'}
      onSubmit={async (reason) => {
        if (!review) return;
        await api.post('/api/v1/partners/{id}/documents/{docId}/review', {
          path: { id: partnerId, docId: review.doc.id },
          body: { decision: review.decision, reason: reason || undefined },
        });
      }}
      invalidate={[['partner', partnerId], ['approvals']]}
    />
  );
}

/** A confirm dialog with a reason box; shows the API's problem when the action is refused. */
export function ReasonModal({
  title,
  opened,
  onClose,
  label,
  required = true,
  confirm,
  color,
  onSubmit,
  invalidate,
  children,
}: {
  title: string;
  opened: boolean;
  onClose: () => void;
  label: string;
  required?: boolean;
  confirm: string;
  color: string;
  onSubmit: (reason: string) => Promise<void>;
  invalidate: unknown[][];
  children?: ReactNode;
}) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => {
    setReason('');
    errors.clear();
    onClose();
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    errors.clear();
    try {
      await onSubmit(reason.trim());
      await Promise.all(invalidate.map((key) => qc.invalidateQueries({ queryKey: key })));
      notifications.show({ color, message: `${confirm}: done` });
      close();
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={close} title={title}>
      <form onSubmit={submit} noValidate data-testid="reason-form">
        <Stack gap="sm">
          {children}
          <FormError errors={errors} shown={['reason', 'note']} />
          <Textarea
            label={label}
            required={required}
            autosize
            minRows={2}
            data-autofocus
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.field('reason') ?? errors.field('note')}
            data-testid="reason-input"
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={color}
              loading={busy}
              disabled={required && !reason.trim()}
              data-testid="reason-submit"
            >
              {confirm}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
