// A small history router for the admin, mounted at /admin/. Screens are
// loaded on first visit (code splitting keeps the first load small), and
// a screen with unsaved work can hold a navigation back (guards).
import type { Component } from 'svelte';

export const base = '/admin';

type Loader = () => Promise<{ default: Component<any> }>;

interface RouteDef {
  name: string;
  pattern: string; // e.g. "/offices/:id"
  load: Loader;
  public?: boolean; // reachable without a session
  props?: Record<string, string>; // fixed parameters given to the screen
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  keys: string[];
}

export interface Location {
  path: string; // below /admin, always starting with "/"
  query: URLSearchParams;
  params: Record<string, string>;
  route: CompiledRoute | null;
}

function compile(def: RouteDef): CompiledRoute {
  const keys: string[] = [];
  const source = def.pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...def, regex: new RegExp('^' + source + '/?$'), keys };
}

const routes: CompiledRoute[] = [];

export function defineRoutes(defs: RouteDef[]) {
  routes.splice(0, routes.length, ...defs.map(compile));
  current.route = null;
  resolve(window.location);
}

function match(path: string): { route: CompiledRoute | null; params: Record<string, string> } {
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (m) {
      const params: Record<string, string> = { ...route.props };
      try {
        route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      } catch {
        return { route: null, params: {} }; // a malformed %-escape: no such page
      }
      return { route, params };
    }
  }
  return { route: null, params: {} };
}

export const current: Location = $state({ path: '/', query: new URLSearchParams(), params: {}, route: null });

function innerPath(pathname: string): string {
  let p = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  if (p === '') p = '/';
  return p;
}

function resolve(loc: { pathname: string; search: string }) {
  const path = innerPath(loc.pathname);
  const { route, params } = match(path);
  current.path = path;
  current.query = new URLSearchParams(loc.search);
  current.params = params;
  current.route = route;
}

/** href gives the full URL path of an admin path ("/offices/1" -> "/admin/offices/1"). */
export function href(path: string): string {
  return base + (path === '/' ? '/' : path);
}

// Guards: a screen with unsaved work registers one; it returns a message
// to confirm before leaving, or null when nothing would be lost.
type Guard = () => string | null;
const guards = new Set<Guard>();

export function guardLeaving(guard: Guard): () => void {
  guards.add(guard);
  return () => guards.delete(guard);
}

function leavingAllowed(): boolean {
  for (const g of guards) {
    const message = g();
    if (message && !window.confirm(message)) return false;
  }
  return true;
}

/** navigate goes to an admin path ("/offices/…"), asking the guards first. */
export function navigate(path: string, opts: { replace?: boolean; force?: boolean } = {}): boolean {
  const url = new URL(href(path), window.location.origin);
  if (url.pathname + url.search === window.location.pathname + window.location.search) return true;
  if (!opts.force && !leavingAllowed()) return false;
  if (opts.replace) history.replaceState(null, '', url.pathname + url.search + url.hash);
  else history.pushState(null, '', url.pathname + url.search + url.hash);
  resolve(url);
  return true;
}

/** setQuery changes the query string of the current screen without a new history entry. */
export function setQuery(query: Record<string, string | undefined>) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const search = params.toString();
  const url = window.location.pathname + (search ? '?' + search : '');
  history.replaceState(null, '', url);
  current.query = params;
}

let started = false;

/** start listens for link clicks, back/forward and tab closing. */
export function startRouter() {
  if (started) return;
  started = true;
  resolve(window.location);
  let shown = window.location.pathname + window.location.search;
  window.addEventListener('popstate', () => {
    if (!leavingAllowed()) {
      history.pushState(null, '', shown); // stay: undo the browser's move
      return;
    }
    resolve(window.location);
    shown = window.location.pathname + window.location.search;
  });
  // Keep "shown" in step with pushState/replaceState done by navigate.
  const remember = () => (shown = window.location.pathname + window.location.search);
  for (const m of ['pushState', 'replaceState'] as const) {
    const original = history[m].bind(history);
    history[m] = (...args: Parameters<History['pushState']>) => {
      original(...args);
      remember();
    };
  }
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== window.location.origin) return;
    // A link to a place on this page (the skip link): move focus there.
    if (a.hash && a.pathname === window.location.pathname && a.search === window.location.search) {
      const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      if (target) {
        e.preventDefault();
        target.focus();
      }
      return;
    }
    if (!a.pathname.startsWith(base + '/') && a.pathname !== base) return;
    e.preventDefault();
    navigate(innerPath(a.pathname) + a.search);
  });
  window.addEventListener('beforeunload', (e) => {
    for (const g of guards) {
      if (g()) {
        e.preventDefault();
        e.returnValue = '';
        return;
      }
    }
  });
}
