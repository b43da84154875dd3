// Who can own a partner (BDM, Team Lead, Leadership, Admin users), for the owner filter and the owner field.
// Users without users.read still get "Me" (when they could own partners) so they can filter their own book.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useSession } from '../../lib/session';

export const OWNER_ROLES = ['bdm', 'team_lead', 'leadership', 'admin'];

export function useOwnerOptions(): { options: { value: string; label: string }[]; loading: boolean } {
  const { session, can } = useSession();
  const me = session.via === 'session' ? session.user : null;
  const q = useQuery({
    queryKey: ['users', 'owners'],
    enabled: can('users.read'),
    staleTime: 5 * 60_000,
    queryFn: () => api.get('/api/v1/users', { query: { status: 'active', limit: 200 } }),
  });
  const users = (q.data?.data ?? []).filter((u) => OWNER_ROLES.includes(u.role));
  const options = users.map((u) => ({ value: u.id, label: u.id === me?.id ? `${u.name} (me)` : u.name }));
  if (me && OWNER_ROLES.includes(me.role) && !options.some((o) => o.value === me.id)) {
    options.unshift({ value: me.id, label: `${me.name} (me)` });
  }
  return { options, loading: q.isLoading };
}
