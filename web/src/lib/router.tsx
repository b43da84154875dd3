// A small history-API router: the server answers index.html for any non-/api path, so /partners/ptr_… can be
// opened, bookmarked and reloaded. `useRoute` matches patterns like '/partners/:id'; <Link> keeps
// ctrl/cmd/middle-click opening a new tab.
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
function notify(): void {
  for (const l of listeners) l();
}
window.addEventListener('popstate', notify);

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query string ("/partners?stage=intake"). */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function usePathname(): string {
  return useLocation().split('?')[0] ?? '/';
}

export function useSearchParams(): URLSearchParams {
  const loc = useLocation();
  const i = loc.indexOf('?');
  return new URLSearchParams(i >= 0 ? loc.slice(i + 1) : '');
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  if (!opts.replace) window.scrollTo(0, 0);
  notify();
}

/** Matches '/partners/:id' against a pathname; returns the params or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = pathname.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string;
    const seg = s[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg);
    else if (part !== seg) return null;
  }
  return params;
}

export function useRoute(pattern: string): Record<string, string> | null {
  return matchPath(pattern, usePathname());
}

export function isModifiedClick(e: MouseEvent): boolean {
  return e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0;
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(e) => {
        onClick?.(e);
        if (e.defaultPrevented || isModifiedClick(e) || rest.target === '_blank') return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
