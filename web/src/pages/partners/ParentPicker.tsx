// Picks the parent IB: searches IB partners as you type (the API requires the parent to be of type ib).
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';

export function ParentPicker({
  value,
  current,
  onChange,
  error,
  excludeId,
  className,
}: {
  value: string | null;
  /** The current parent's name, shown before any search has run. */
  current?: { id: string; displayName: string } | null;
  onChange: (id: string | null) => void;
  error?: string;
  excludeId?: string;
  className?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const q = useQuery({
    queryKey: ['partners', 'ib-picker', debounced],
    queryFn: () =>
      api.get('/api/v1/partners', {
        query: { type: 'ib', q: debounced || undefined, limit: 20, sort: 'displayName' },
      }),
    staleTime: 30_000,
  });
  const data = (q.data?.data ?? [])
    .filter((p) => p.id !== excludeId)
    .map((p) => ({ value: p.id, label: p.displayName }));
  if (current && !data.some((d) => d.value === current.id))
    data.unshift({ value: current.id, label: current.displayName });
  return (
    <Select
      label="Parent IB"
      placeholder="Search IB partners"
      description="For sub-IBs: the master IB above this partner"
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={q.isLoading ? 'Searching…' : 'No IB partner matches'}
      filter={({ options }) => options}
      error={error}
      className={className}
      data-testid="field-parentId"
    />
  );
}
