// The signed-in user: loaded once from GET /api/v1/auth/session (401 → login page), updated by login and
// logout. `can(permission)` decides which navigation items and buttons appear; the API checks again.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, setCsrfToken, setUnauthenticatedHandler } from '../api/client';
import type { Session } from '../api/types';
import { navigate } from './router';

export const SESSION_KEY = ['session'] as const;

interface SessionContextValue {
  session: Session;
  can(permission: string): boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside <SessionProvider>');
  return ctx;
}

export function useCan(): (permission: string) => boolean {
  return useSession().can;
}

/** null = signed out; undefined = still loading. */
export function useSessionQuery() {
  const qc = useQueryClient();
  useEffect(() => {
    setUnauthenticatedHandler(() => qc.setQueryData(SESSION_KEY, null));
    return () => setUnauthenticatedHandler(null);
  }, [qc]);
  return useQuery({
    queryKey: SESSION_KEY,
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<Session | null> => {
      try {
        const s = await api.get('/api/v1/auth/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw err;
      }
    },
  });
}

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  const qc = useQueryClient();
  const perms = useMemo(() => new Set(session.permissions), [session.permissions]);
  const can = useCallback((p: string) => perms.has(p), [perms]);
  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } catch {
      // Signing out of an expired session is still signing out.
    }
    setCsrfToken(null);
    // Keep the session query (its observer drives the login page); drop everything the user could see.
    qc.setQueryData(SESSION_KEY, null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    navigate('/', { replace: true });
  }, [qc]);
  const value = useMemo(() => ({ session, can, signOut }), [session, can, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
