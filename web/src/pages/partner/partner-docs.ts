// The partner's documents as options for pickers (evidence for a tick, identity and address documents of a
// due-diligence party, documents attached to an answer).
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { formatDate, humanize } from '../../lib/format';
import { useSession } from '../../lib/session';

export function usePartnerDocumentOptions(partnerId: string) {
  const { can } = useSession();
  const q = useQuery({
    queryKey: ['partner', partnerId, 'documents', 'options'],
    enabled: can('documents.read'),
    queryFn: () =>
      api.get('/api/v1/partners/{id}/documents', { path: { id: partnerId }, query: { limit: 200 } }),
  });
  const docs = q.data?.data ?? [];
  const options = docs.map((d) => ({
    value: d.id,
    label: `${humanize(d.type)} · ${d.fileName} · ${d.status}${d.expiresOn ? ` · expires ${formatDate(d.expiresOn)}` : ''}`,
  }));
  const nameOf = (id: string | null | undefined) => {
    if (!id) return null;
    const d = docs.find((x) => x.id === id);
    return d ? `${humanize(d.type)} · ${d.fileName} (${d.status})` : id;
  };
  return { options, docs, nameOf, loading: q.isLoading, readable: can('documents.read') };
}
