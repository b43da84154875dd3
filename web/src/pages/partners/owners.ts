// Who can own a partner (BDM, Team Lead, Leadership, Admin users), for the owner filter and the owner field.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useSession } from '../../lib/session';

export const OWNER_ROLES = ['bdm', 'team_lead', 'leadership', 'admin'];

export function useOwnerOptions(): { options: { value: string; label: string }[]; loading: boolean } {
  const { session } = useSession();
  const me = session.via === 'session' ? session.user : null;
  // /api/v1/partner-owners needs only partners.read, so BDMs (without users.read) can pick any owner too.
  const q = useQuery({
    queryKey: ['partner-owners'],
    staleTime: 5 * 60_000,
    queryFn: () => api.get('/api/v1/partner-owners'),
  });
  const options = (q.data?.data ?? []).map((u) => ({ value: u.id, label: u.id === me?.id ? `${u.name} (me)` : u.name }));
  if (me && OWNER_ROLES.includes(me.role) && !options.some((o) => o.value === me.id)) {
    options.unshift({ value: me.id, label: `${me.name} (me)` });
  }
  return { options, loading: q.isLoading };
}
