import { jsonResponse, list, serve } from './testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import Directory from '../screens/Directory.svelte';
import { session } from '../lib/session.svelte';
import { live } from '../lib/announce.svelte';
import { current } from '../lib/router.svelte';

const base = { version: 3, published_revision: 2, published_at: '2026-11-29T00:04:36Z', created_at: '2026-11-29T00:04:36Z', updated_at: '2026-11-30T10:00:00Z' };

function office(i: number, status: 'published' | 'changed' | 'draft' = 'published') {
  return { ...base, id: `office-${i}`, slug: `office-${i}`, name: `Office ${i}`, acronym: '', summary: '', status };
}

const occs = { ...office(0, 'changed'), id: 'occs', slug: 'occs', name: 'Office of College and Career Success', acronym: 'OCCS' };

function department(id: string, name: string, status: 'published' | 'changed' | 'draft', officeId = 'occs', officeName = occs.name) {
  return {
    ...base,
    id,
    slug: id,
    name,
    acronym: '',
    summary: '',
    status,
    office_id: officeId,
    office_slug: officeId,
    office_name: officeName,
    position: 0,
  };
}

function signIn(permissions: { object: string; action: string; scope: string }[]) {
  session.me = {
    user: { id: 'u1', email: 'ed@example.org', display_name: 'Ed', active: true, last_login_at: null, created_at: base.created_at, updated_at: base.created_at },
    grants: [],
    permissions,
  } as unknown as typeof session.me;
}

const editorEverywhere = ['read', 'create', 'update', 'publish', 'unpublish', 'delete', 'restore'].flatMap((action) => [
  { object: 'offices', action, scope: '*' },
  { object: 'departments', action, scope: '*' },
]);

beforeEach(() => {
  window.history.replaceState(null, '', '/admin/');
  signIn(editorEverywhere);
});

afterEach(() => {
  session.me = null;
});

describe('Directory', () => {
  it('shows one page of offices with their state in words and announces the count', async () => {
    const page = [occs, ...Array.from({ length: 24 }, (_, i) => office(i + 1, i === 0 ? 'draft' : 'published'))];
    const seen = serve((r) => (r.path === '/api/v1/admin/offices' ? list(page, 1000) : undefined));
    render(Directory, { params: {}, query: new URLSearchParams() });

    expect(await screen.findByRole('link', { name: occs.name })).toHaveAttribute('href', '/admin/offices/occs');
    expect(screen.getByText('Showing 1–25 of 1,000 offices')).toBeInTheDocument();
    const items = within(screen.getByRole('list', { name: 'Offices' })).getAllByRole('listitem');
    expect(items).toHaveLength(25);
    expect(within(items[0]).getByText('Published, with unpublished changes')).toBeInTheDocument();
    expect(within(items[1]).getByText('Draft only')).toBeInTheDocument();
    expect(within(items[2]).getByText('Published')).toBeInTheDocument();
    expect(live.message).toBe('25 of 1,000 offices');
    expect(seen[0].query.get('limit')).toBe('25');
    expect(seen[0].query.get('offset')).toBe('0');
    expect(screen.getByRole('navigation', { name: 'Pages of offices' })).toHaveTextContent('Page 1 of 40');
    expect(screen.getByRole('link', { name: 'New office' })).toBeInTheDocument();
  });

  it('loads the departments of an office when it is opened, 100 at a time', async () => {
    const first = Array.from({ length: 100 }, (_, i) => department(`dep-${i}`, `Department ${i}`, i === 0 ? 'draft' : 'published'));
    const seen = serve((r) => {
      if (r.path === '/api/v1/admin/offices') return list([occs], 1);
      if (r.path === '/api/v1/admin/departments' && r.query.get('office_id') === 'occs') {
        if (r.query.get('offset') === '0') return list(first, 101, 100, 0);
        return list([department('dep-100', 'Department 100', 'changed')], 101, 100, 100);
      }
    });
    const user = userEvent.setup();
    render(Directory, { params: {}, query: new URLSearchParams() });

    const toggle = await screen.findByRole('button', { name: `Departments of ${occs.name}` });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(seen.some((r) => r.path === '/api/v1/admin/departments')).toBe(false);

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const deps = await screen.findByRole('list', { name: `Departments of ${occs.name}` });
    expect(within(deps).getAllByRole('listitem')).toHaveLength(100);
    expect(within(deps).getByRole('link', { name: 'Department 0' })).toHaveAttribute('href', '/admin/departments/dep-0');
    expect(within(deps).getAllByRole('listitem')[0]).toHaveTextContent('Draft only');
    const call = seen.find((r) => r.path === '/api/v1/admin/departments')!;
    expect(call.query.get('limit')).toBe('100');

    await user.click(screen.getByRole('button', { name: `Show more departments of ${occs.name}` }));
    expect(await within(deps).findByRole('link', { name: 'Department 100' })).toHaveFocus();
    expect(within(deps).getAllByRole('listitem')).toHaveLength(101);
    expect(screen.queryByRole('button', { name: /Show more/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: `Add department to ${occs.name}` })).toHaveAttribute(
      'href',
      '/admin/departments/new?office_id=occs',
    );
  });

  it('searches offices and departments, naming the office of each department', async () => {
    const seen = serve((r) => {
      if (r.path === '/api/v1/admin/offices') return list(r.query.get('q') ? [] : [occs], r.query.get('q') ? 0 : 1);
      if (r.path === '/api/v1/admin/departments')
        return list([department('adult-ed', 'Adult Education', 'published'), department('gear-up', 'GEAR UP', 'draft', 'other', 'Office of Grants')], 2);
    });
    const user = userEvent.setup();
    const { rerender } = render(Directory, { params: {}, query: new URLSearchParams() });
    await screen.findByRole('link', { name: occs.name });

    await user.type(screen.getByLabelText('Search offices and departments'), 'adult{Enter}');
    await waitFor(() => expect(window.location.search).toBe('?q=adult'));
    await rerender({ params: {}, query: current.query });

    const found = await screen.findByRole('list', { name: 'Departments found' });
    const rows = within(found).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Adult Education');
    expect(rows[0]).toHaveTextContent('in Office of College and Career Success');
    expect(rows[0]).toHaveTextContent('Published');
    expect(rows[1]).toHaveTextContent('in Office of Grants');
    expect(rows[1]).toHaveTextContent('Draft only');
    expect(screen.getByText('No offices match “adult”.')).toBeInTheDocument();
    const searches = seen.filter((r) => r.query.get('q') === 'adult').map((r) => r.path);
    expect(searches).toEqual(expect.arrayContaining(['/api/v1/admin/offices', '/api/v1/admin/departments']));
    expect(live.message).toBe('0 offices and 2 departments match “adult”');
  });

  it('searches after a pause in typing, without Enter', async () => {
    serve((r) => (r.path.startsWith('/api/v1/admin/') ? list([], 0) : undefined));
    const user = userEvent.setup();
    render(Directory, { params: {}, query: new URLSearchParams() });
    await user.type(await screen.findByLabelText('Search offices and departments'), 'gear');
    expect(window.location.search).toBe('');
    await waitFor(() => expect(window.location.search).toBe('?q=gear'), { timeout: 1000 });
  });

  it('filters by state from the URL', async () => {
    const seen = serve((r) => {
      if (r.path === '/api/v1/admin/offices') return list([occs], 1);
      if (r.path === '/api/v1/admin/departments') return list([department('a', 'Alpha', 'changed')], 1);
    });
    render(Directory, { params: {}, query: new URLSearchParams('status=changed') });
    await screen.findByRole('list', { name: 'Departments found' });
    expect(screen.getByLabelText('Show')).toHaveValue('changed');
    expect(seen.every((r) => r.query.get('status') === 'changed')).toBe(true);
  });

  it('lists the departments of a user who reaches no office under "Your departments"', async () => {
    signIn([
      { object: 'departments', action: 'read', scope: 'department:adult-ed' },
      { object: 'departments', action: 'update', scope: 'department:adult-ed' },
    ]);
    serve((r) => {
      if (r.path === '/api/v1/admin/offices') return list([], 0);
      if (r.path === '/api/v1/admin/departments' && !r.query.get('office_id')) return list([department('adult-ed', 'Adult Education', 'changed')], 1, 100);
    });
    render(Directory, { params: {}, query: new URLSearchParams() });
    const mine = await screen.findByRole('list', { name: 'Your departments' });
    expect(screen.getByRole('heading', { name: 'Your departments' })).toBeInTheDocument();
    expect(within(mine).getByRole('link', { name: 'Adult Education' })).toBeInTheDocument();
    expect(mine).toHaveTextContent('in Office of College and Career Success');
    expect(screen.queryByRole('heading', { name: 'Offices' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New office' })).not.toBeInTheDocument();
  });

  it('merges the trash in: a trashed department under its office, with Restore', async () => {
    let restored = false;
    const seen = serve((r) => {
      if (r.path === '/api/v1/admin/offices') return list([occs], 1);
      if (r.path === '/api/v1/admin/departments') return list([department('adult-ed', 'Adult Education', 'published')], 1, 100);
      if (r.path === '/api/v1/admin/trash')
        return list(
          restored
            ? []
            : [
                { type: 'departments', id: 'old-dep', slug: 'old-dep', name: 'Old Program', deleted_at: '2026-11-30T09:00:00Z', office_id: 'occs' },
                { type: 'offices', id: 'gone', slug: 'gone', name: 'Closed Office', deleted_at: '2026-11-30T08:00:00Z' },
              ],
          restored ? 0 : 2,
          100,
        );
      if (r.path === '/api/v1/admin/trash/departments/old-dep/restore' && r.method === 'POST') {
        restored = true;
        return jsonResponse({ data: department('old-dep', 'Old Program', 'draft') });
      }
    });
    const user = userEvent.setup();
    render(Directory, { params: {}, query: new URLSearchParams('trash=1') });
    expect(await screen.findByLabelText('Include items in the trash')).toBeChecked();

    const inTrash = await screen.findByRole('list', { name: 'Items in the trash' });
    const closed = within(inTrash).getByRole('button', { name: 'Restore Closed Office' }).closest('li')!;
    expect(closed).toHaveTextContent('In the trash');

    await user.click(screen.getByRole('button', { name: `Departments of ${occs.name}` }));
    const deps = await screen.findByRole('list', { name: `Departments of ${occs.name}` });
    const restore = within(deps).getByRole('button', { name: 'Restore Old Program' });
    const old = restore.closest('li')!;
    expect(old).toHaveTextContent('In the trash');
    expect(within(old).queryByRole('link')).not.toBeInTheDocument();
    await user.click(restore);
    expect(await screen.findByText('“Old Program” was restored, exactly as it was before it went to the trash.')).toBeInTheDocument();
    expect(seen.some((r) => r.method === 'POST' && r.path === '/api/v1/admin/trash/departments/old-dep/restore')).toBe(true);
  });
});
