// Import partners from CSV in two steps: a dry run that lists every row error, then the real import (all rows
// or none). The header uses the export's column names, so an export is the template.
import { Alert, Button, FileInput, Group, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { components } from '../../api/schema';
import { FormError } from '../../components/FormError';
import { useFormErrors } from '../../lib/forms';

type Report = components['schemas']['PartnerImportReport'];

export function ImportPartnersButton() {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button variant="default" onClick={open} data-testid="import-csv">
        Import CSV
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title="Import partners from CSV"
        size="lg"
        closeOnClickOutside={false}
      >
        {opened && <ImportFlow onDone={close} />}
      </Modal>
    </>
  );
}

function ImportFlow({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(dryRun: boolean) {
    if (!text) return;
    setBusy(true);
    errors.clear();
    try {
      const r = (await api.post('/api/v1/partners/import', {
        query: { dryRun: dryRun ? 'true' : 'false' },
        rawBody: text,
        headers: { 'content-type': 'text/csv' },
      })) as Report;
      setReport(r);
      if (!dryRun) {
        await qc.invalidateQueries({ queryKey: ['partners'] });
        notifications.show({ color: 'green', message: `Imported ${r.created.length} partner(s)` });
        onDone();
      }
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Use the columns of <b>Export CSV</b>. <code>displayName</code> is required; <code>ownerEmail</code>{' '}
        names the owner; <code>parentReferralCode</code> names the parent IB; lists are space-separated. First
        a check runs; nothing is written until you confirm.
      </Text>
      <FileInput
        label="CSV file"
        accept=".csv,text/csv"
        value={file}
        onChange={async (f) => {
          setFile(f);
          setReport(null);
          errors.clear();
          setText(f ? await f.text() : null);
        }}
        clearable
        data-testid="import-file"
      />
      <FormError errors={errors} />
      {report && (
        <Stack gap="xs" data-testid="import-report">
          <Alert color={report.invalid > 0 ? 'orange' : 'green'} variant="light" p="xs">
            {report.total} row(s): {report.valid} valid, {report.invalid} with errors.
            {report.invalid > 0
              ? ' Fix the file and check again; an import writes all rows or none.'
              : ' Ready to import.'}
          </Alert>
          {report.errors.length > 0 && (
            <ScrollArea h={Math.min(300, 40 + report.errors.length * 30)}>
              <Table data-testid="import-errors">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Row</Table.Th>
                    <Table.Th>Column</Table.Th>
                    <Table.Th>Problem</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.errors.map((e) => (
                    <Table.Tr key={`${e.row}-${e.field}-${e.message}`}>
                      <Table.Td>{e.row}</Table.Td>
                      <Table.Td>
                        <code>{e.field}</code>
                      </Table.Td>
                      <Table.Td>{e.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          )}
        </Stack>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button
          variant="light"
          disabled={!text}
          loading={busy && !report}
          onClick={() => void run(true)}
          data-testid="import-check"
        >
          {report ? 'Check again' : 'Check file'}
        </Button>
        <Button
          disabled={!report || report.invalid > 0 || report.valid === 0}
          loading={busy && report !== null}
          onClick={() => void run(false)}
          data-testid="import-confirm"
        >
          Import {report ? report.valid : ''} partner(s)
        </Button>
      </Group>
    </Stack>
  );
}
