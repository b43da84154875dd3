// Reconciliation against a partner's own numbers: upload the CSV their tracker exports (read here as text and
// sent as JSON), see every bad cell named if it cannot be read, otherwise the totals per metric, the count of
// rows per band and every day / sub-ID coloured by band (normal < 2% apart, watch 2–5%, investigate > 5%).
// Past reconciliations of the partner are listed and can be opened again. Self-contained: give it a partner id.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  FileButton,
  Group,
  List,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type ApiError, api, asApiError } from '../../api/client';
import { Copyable, DateTime } from '../../components/bits';
import { BlockSkeleton, EmptyState, ErrorState, TableSkeleton } from '../../components/states';
import { formatBps, formatCount, formatDate, formatLots } from '../../lib/format';
import { useSession } from '../../lib/session';
import { useUserNames } from '../events/shared';
import {
  BANDS,
  type Band,
  BandBadge,
  bandTip,
  type Metric,
  metricLabel,
  type Reconciliation,
  type ReconciliationSummary,
} from './shared';

const MAX_CSV_CHARS = 2_000_000;
const ROWS_SHOWN = 300;

const listKey = (partnerId: string) => ['reconciliations', partnerId] as const;
const oneKey = (partnerId: string, id: string) => ['reconciliation', partnerId, id] as const;

/** A small sample file a partner can fill in: the last 7 UTC days, two sub-IDs. */
export function sampleCsv(today = new Date()): string {
  const lines = ['date,sub_id,clicks,registrations,ftds'];
  for (let i = 7; i >= 1; i--) {
    const day = new Date(today.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},yt-video-7,${120 + i * 3},${9 + (i % 3)},${2 + (i % 2)}`);
    lines.push(`${day},newsletter,${40 + i},${3 + (i % 2)},${i % 2}`);
  }
  return `${lines.join('\n')}\n`;
}

export function ReconciliationPanel({ partnerId }: { partnerId: string }) {
  const { can } = useSession();
  // Self-guarding, so it can sit on the partner's Tracking tab for every role: no read permission, no panel.
  if (!can('tracking_qa.read')) return null;
  return <Reconciliations partnerId={partnerId} />;
}

function Reconciliations({ partnerId }: { partnerId: string }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const canRun = can('tracking_qa.run');

  async function upload(file: File | null) {
    if (!file) return;
    setError(null);
    setFileName(file.name);
    setBusy(true);
    try {
      const csv = await file.text();
      if (csv.trim() === '')
        throw asApiError(new Error(`${file.name} is empty: it needs a header line and one row per day.`));
      if (csv.length > MAX_CSV_CHARS)
        throw asApiError(
          new Error(
            `${file.name} is too large (${formatCount(csv.length)} characters; at most 2,000,000): split it by month.`,
          ),
        );
      const r = await api.post('/api/v1/partners/{id}/reconciliations', {
        path: { id: partnerId },
        body: { csv, fileName: file.name.slice(0, 200) },
      });
      qc.setQueryData(oneKey(partnerId, r.id), r);
      await qc.invalidateQueries({ queryKey: listKey(partnerId) });
      setSelected(r.id);
      notifications.show({ color: 'green', message: `${file.name} compared: ${r.result.rows.length} rows` });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="sm" data-testid="reconciliation-panel">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={5}>Reconciliation</Title>
          <Text size="xs" c="dimmed" maw={760}>
            Compare the partner’s own numbers with ours, per UTC day and (when the file has one) per sub-ID.
            The difference is relative to the larger number: under 2% apart is normal, 2–5% watch, over 5%
            investigate. Our side is real traffic only — test clicks and events are never counted.
          </Text>
        </div>
        <Group gap="xs">
          <Anchor
            href={`data:text/csv;charset=utf-8,${encodeURIComponent(sampleCsv())}`}
            download="reconciliation-sample.csv"
            size="sm"
            data-testid="reconcile-sample"
          >
            Download a sample CSV
          </Anchor>
          {canRun && (
            <FileButton
              onChange={(f) => void upload(f)}
              accept=".csv,text/csv,text/plain"
              inputProps={{ 'data-testid': 'reconcile-file' } as object}
            >
              {(props) => (
                <Button {...props} size="xs" loading={busy} data-testid="reconcile-upload">
                  Upload the partner’s CSV
                </Button>
              )}
            </FileButton>
          )}
        </Group>
      </Group>
      <Text size="xs" c="dimmed">
        Columns: <code>date</code> (YYYY-MM-DD), optionally <code>sub_id</code> (or sub1), and any of clicks,
        unique_clicks, registrations (signups, leads), ftds (ftd, first_deposits), qualified_ftds (cpa),
        deposits, lots (volume_lots). Comma or semicolon separated; at most 93 days.
      </Text>
      {error && <UploadError error={error} fileName={fileName} />}
      {selected && (
        <ReconciliationView partnerId={partnerId} id={selected} onClose={() => setSelected(null)} />
      )}
      <PastReconciliations partnerId={partnerId} selected={selected} onOpen={setSelected} />
    </Stack>
  );
}

/** "body.csv[row 3].date" → "Row 3 (line 4 of the file), column date". */
export function describeCsvField(field: string): string {
  const m = /^body\.csv(?:\[row (\d+)\])?(?:\.(.+))?$/.exec(field);
  if (!m) return field.replace(/^body\./, '');
  const [, row, column] = m;
  if (!row) return 'The file';
  return `Row ${row} (line ${Number(row) + 1} of the file)${column ? `, column ${column}` : ''}`;
}

function UploadError({ error, fileName }: { error: ApiError; fileName: string | null }) {
  const fields = error.errors;
  return (
    <Alert
      color="red"
      variant="light"
      title={`${fileName ?? 'The file'} was not compared${error.status === 422 ? ': fix the file and upload it again' : ''}`}
      data-testid="reconcile-error"
    >
      <Stack gap={4}>
        {(fields.length === 0 || error.status !== 422) && <Text size="sm">{error.detail}</Text>}
        {fields.length > 0 && (
          <>
            <Text size="sm">
              {fields.length === 1 ? 'One problem' : `${fields.length} problems`} — nothing was compared or
              kept:
            </Text>
            <List size="sm" spacing={2}>
              {fields.map((fe) => (
                <List.Item key={fe.field + fe.message} data-testid="reconcile-error-item">
                  <b>{describeCsvField(fe.field)}</b>: {fe.message}
                </List.Item>
              ))}
            </List>
          </>
        )}
        {error.requestId && error.status >= 500 && (
          <Text size="xs" c="dimmed">
            request id {error.requestId}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

function PastReconciliations({
  partnerId,
  selected,
  onOpen,
}: {
  partnerId: string;
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  const userName = useUserNames();
  const q = useInfiniteQuery({
    queryKey: listKey(partnerId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get('/api/v1/partners/{id}/reconciliations', {
        path: { id: partnerId },
        query: { limit: 20, cursor: pageParam },
        signal,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        Past reconciliations
      </Text>
      <Paper withBorder>
        {q.isPending ? (
          <TableSkeleton cols={6} rows={2} />
        ) : q.isError ? (
          <div style={{ padding: 12 }}>
            <ErrorState error={q.error} onRetry={() => void q.refetch()} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title="No reconciliation yet">
            Ask the partner for their export (one row per day, optionally per sub-ID) and upload it here; the
            result is kept with the file’s SHA-256 as evidence.
          </EmptyState>
        ) : (
          <Table highlightOnHover verticalSpacing={4} data-testid="reconciliations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Uploaded</Table.Th>
                <Table.Th>Period</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th>Worst band</Table.Th>
                <Table.Th>By</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r: ReconciliationSummary) => (
                <Table.Tr
                  key={r.id}
                  className="pd-row-link"
                  tabIndex={0}
                  onClick={() => onOpen(r.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') onOpen(r.id);
                  }}
                  bg={selected === r.id ? 'blue.0' : undefined}
                  data-testid="reconciliation-row"
                  data-id={r.id}
                  data-band={r.band}
                >
                  <Table.Td>
                    <DateTime iso={r.createdAt} />
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDate(r.from)} – {formatDate(r.to)}
                  </Table.Td>
                  <Table.Td>
                    {r.fileName ?? (
                      <Text span c="dimmed">
                        unnamed
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{formatCount(r.rowCount)}</Table.Td>
                  <Table.Td>
                    <BandBadge band={r.band} />
                  </Table.Td>
                  <Table.Td>{userName(r.createdBy)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {q.hasNextPage && (
        <Group justify="flex-end">
          <Button
            variant="default"
            size="xs"
            onClick={() => void q.fetchNextPage()}
            loading={q.isFetchingNextPage}
          >
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ReconciliationView({
  partnerId,
  id,
  onClose,
}: {
  partnerId: string;
  id: string;
  onClose: () => void;
}) {
  const q = useQuery({
    queryKey: oneKey(partnerId, id),
    staleTime: Number.POSITIVE_INFINITY, // a reconciliation never changes
    queryFn: ({ signal }) =>
      api.get('/api/v1/partners/{id}/reconciliations/{reconciliationId}', {
        path: { id: partnerId, reconciliationId: id },
        signal,
      }),
  });
  if (q.isPending) return <BlockSkeleton lines={5} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return <ReconciliationResult r={q.data} onClose={onClose} />;
}

const fmt = (m: Metric, n: number) => (m === 'lots' ? formatLots(n) : formatCount(n));
const signed = (m: Metric, n: number) => (n > 0 ? `+${fmt(m, n)}` : n < 0 ? `−${fmt(m, -n)}` : '0');

type Cell = NonNullable<Reconciliation['result']['totals'][Metric]>;

function DiffText({ m, c }: { m: Metric; c: Cell }) {
  return (
    <Tooltip
      label={`${bandTip(c.band)} · partner’s file minus ours: ${signed(m, c.difference)}`}
      openDelay={300}
    >
      <Text
        span
        size="xs"
        c={c.band === 'normal' ? 'green.9' : c.band === 'watch' ? 'yellow.9' : 'red.9'}
        fw={600}
      >
        {formatBps(c.differenceBp)}
      </Text>
    </Tooltip>
  );
}

export function ReconciliationResult({ r, onClose }: { r: Reconciliation; onClose?: () => void }) {
  const userName = useUserNames();
  const [only, setOnly] = useState<'all' | 'off'>('all');
  const [showAll, setShowAll] = useState(false);
  const res = r.result;
  const metrics = res.metrics;
  const rows = only === 'all' ? res.rows : res.rows.filter((x) => x.band !== 'normal');
  const shown = showAll ? rows : rows.slice(0, ROWS_SHOWN);
  const notInFile = res.rows.filter((x) => !x.inFile).length;
  return (
    <Paper withBorder p="sm" data-testid="reconciliation-result" data-band={r.band}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Group gap="xs">
              <Text fw={700}>{r.fileName ?? 'Uploaded file'}</Text>
              <BandBadge band={r.band} />
            </Group>
            <Text size="xs" c="dimmed">
              {formatDate(r.from)} – {formatDate(r.to)} · {formatCount(r.rowCount)} rows in the file ·{' '}
              {res.bySub ? 'per day and sub-ID' : 'per day'} · uploaded <DateTime iso={r.createdAt} /> by{' '}
              {userName(r.createdBy)}
            </Text>
            <Group gap={4}>
              <Text size="xs" c="dimmed">
                SHA-256
              </Text>
              <Copyable value={r.fileSha256} display={`${r.fileSha256.slice(0, 16)}…`} />
            </Group>
          </div>
          {onClose && (
            <Button size="xs" variant="subtle" onClick={onClose}>
              Close
            </Button>
          )}
        </Group>

        <Group gap="xs" data-testid="reconcile-counts">
          <Text size="sm">Rows:</Text>
          {BANDS.map((b) => (
            <BandBadge key={b} band={b} count={res.counts[b]} />
          ))}
          {notInFile > 0 && (
            <Text size="xs" c="dimmed">
              · {notInFile} not in the file (counted as 0 on its side)
            </Text>
          )}
        </Group>

        {res.ignoredColumns.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" data-testid="reconcile-ignored">
            <Text size="sm">
              Columns not compared: <b>{res.ignoredColumns.join(', ')}</b>. If one of them is a figure, rename
              it to a known name (clicks, unique_clicks, registrations, ftds, qualified_ftds, deposits, lots)
              and upload again.
            </Text>
          </Alert>
        )}

        <Table withTableBorder verticalSpacing={4} data-testid="reconcile-totals">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Total</Table.Th>
              <Table.Th ta="right">Ours</Table.Th>
              <Table.Th ta="right">Partner’s file</Table.Th>
              <Table.Th ta="right">Difference</Table.Th>
              <Table.Th ta="right">%</Table.Th>
              <Table.Th>Band</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {metrics.map((m) => {
              const c = res.totals[m];
              if (!c) return null;
              return (
                <Table.Tr
                  key={m}
                  className={`pd-band-${c.band}`}
                  data-testid="reconcile-total"
                  data-metric={m}
                  data-band={c.band}
                >
                  <Table.Td fw={600}>{metricLabel(m)}</Table.Td>
                  <Table.Td ta="right">{fmt(m, c.ours)}</Table.Td>
                  <Table.Td ta="right">{fmt(m, c.theirs)}</Table.Td>
                  <Table.Td ta="right">{signed(m, c.difference)}</Table.Td>
                  <Table.Td ta="right" className={`pd-band-cell pd-band-${c.band}`}>
                    {formatBps(c.differenceBp)}
                  </Table.Td>
                  <Table.Td>
                    <BandBadge band={c.band} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>

        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            Each cell: ours / the partner’s, and how far apart. Hover a percentage for the difference.
          </Text>
          <SegmentedControl
            size="xs"
            value={only}
            onChange={(v) => setOnly(v as 'all' | 'off')}
            data={[
              { value: 'all', label: `All rows (${res.rows.length})` },
              { value: 'off', label: `Watch and investigate (${res.counts.watch + res.counts.investigate})` },
            ]}
            data-testid="reconcile-filter"
          />
        </Group>
        <Table.ScrollContainer minWidth={320 + metrics.length * 150}>
          <Table withTableBorder verticalSpacing={4} data-testid="reconcile-rows">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Day</Table.Th>
                {res.bySub && <Table.Th>Sub-ID</Table.Th>}
                {metrics.map((m) => (
                  <Table.Th key={m} ta="right">
                    {metricLabel(m)}
                    <Text span size="xs" c="dimmed" fw={400} display="block">
                      ours / file · apart
                    </Text>
                  </Table.Th>
                ))}
                <Table.Th>Band</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((row) => (
                <Table.Tr
                  key={`${row.day}|${row.sub1 ?? ''}`}
                  className={`pd-band-${row.band}`}
                  data-testid="reconcile-row"
                  data-day={row.day}
                  data-sub={row.sub1 ?? ''}
                  data-band={row.band}
                  data-in-file={row.inFile ? 'true' : 'false'}
                >
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(row.day)}</Table.Td>
                  {res.bySub && (
                    <Table.Td>
                      {row.sub1 ? (
                        <Text span className="pd-mono">
                          {row.sub1}
                        </Text>
                      ) : (
                        <Text span size="xs" c="dimmed">
                          (none)
                        </Text>
                      )}
                    </Table.Td>
                  )}
                  {metrics.map((m) => {
                    const c = row.figures[m];
                    if (!c)
                      return (
                        <Table.Td key={m} ta="right">
                          <Text span size="xs" c="dimmed">
                            empty in file
                          </Text>
                        </Table.Td>
                      );
                    return (
                      <Table.Td
                        key={m}
                        ta="right"
                        className={`pd-band-cell pd-band-${c.band}`}
                        style={{ whiteSpace: 'nowrap' }}
                      >
                        <Text span size="sm">
                          {fmt(m, c.ours)} / {fmt(m, c.theirs)}
                        </Text>{' '}
                        <DiffText m={m} c={c} />
                      </Table.Td>
                    );
                  })}
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <BandBadge band={row.band as Band} />
                      {!row.inFile && (
                        <Tooltip label="We counted this day / sub-ID; the uploaded file has no row for it (0 on its side)">
                          <Badge
                            size="sm"
                            color="gray"
                            variant="outline"
                            miw="fit-content"
                            data-testid="reconcile-not-in-file"
                          >
                            Not in your file
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {rows.length === 0 && (
          <Text size="sm" c="green.8">
            Every row is within 2%.
          </Text>
        )}
        {rows.length > shown.length && (
          <Group justify="center">
            <Button size="xs" variant="default" onClick={() => setShowAll(true)}>
              Show all {formatCount(rows.length)} rows
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
