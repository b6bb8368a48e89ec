// Every screen of the admin, each loaded on first visit. Only sign-in and
// the directory are on the first load's path.
import { defineRoutes } from './lib/router.svelte';

const edit = () => import('./screens/Edit.svelte');
const review = () => import('./screens/Review.svelte');
const history = () => import('./screens/History.svelte');

export function registerRoutes() {
  const content = (['offices', 'departments'] as const).flatMap((type) => [
    { name: 'new', pattern: `/${type}/new`, load: edit, props: { type } },
    { name: 'edit', pattern: `/${type}/:id`, load: edit, props: { type } },
    { name: 'review', pattern: `/${type}/:id/review`, load: review, props: { type } },
    { name: 'history', pattern: `/${type}/:id/history`, load: history, props: { type } },
  ]);
  defineRoutes([
    { name: 'directory', pattern: '/', load: () => import('./screens/Directory.svelte') },
    { name: 'signin', pattern: '/signin', load: () => import('./screens/SignIn.svelte'), public: true },
    { name: 'setup', pattern: '/setup', load: () => import('./screens/Setup.svelte'), public: true },
    ...content,
    { name: 'trash', pattern: '/trash', load: () => import('./screens/Trash.svelte') },
    { name: 'users', pattern: '/users', load: () => import('./screens/Users.svelte') },
    { name: 'user', pattern: '/users/:id', load: () => import('./screens/User.svelte') },
    { name: 'roles', pattern: '/roles', load: () => import('./screens/Roles.svelte') },
    { name: 'audit', pattern: '/audit', load: () => import('./screens/Audit.svelte') },
    { name: 'account', pattern: '/account', load: () => import('./screens/Account.svelte') },
  ]);
}
