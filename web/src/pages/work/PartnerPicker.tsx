// Picks any partner by name, referral code or email (searches as you type), and the partner name shown for an
// id when an API answer carries only the id.
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';

export function PartnerPicker({
  label,
  value,
  onChange,
  error,
  testId,
}: {
  label?: string;
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const q = useQuery({
    queryKey: ['partners', 'picker', debounced],
    queryFn: () =>
      api.get('/api/v1/partners', { query: { q: debounced || undefined, limit: 20, sort: 'displayName' } }),
  });
  const names = usePartnerNames(value ? [value] : []);
  const data = (q.data?.data ?? []).map((p) => ({ value: p.id, label: p.displayName }));
  if (value && !data.some((d) => d.value === value)) data.unshift({ value, label: names(value) });
  return (
    <Select
      label={label}
      placeholder="Search partners"
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={q.isFetching ? 'Searching…' : 'No partner found'}
      error={error}
      data-testid={testId ?? 'partner-picker'}
    />
  );
}

/** Display names for partner ids (each loaded once and cached with the partner page's query). */
export function usePartnerNames(ids: string[]): (id: string) => string {
  const unique = [...new Set(ids)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['partner', id],
      staleTime: 5 * 60_000,
      queryFn: () => api.get('/api/v1/partners/{id}', { path: { id } }),
    })),
  });
  const map = new Map<string, string>();
  unique.forEach((id, i) => {
    const d = results[i]?.data;
    if (d) map.set(id, d.displayName);
  });
  return (id) => map.get(id) ?? id;
}
