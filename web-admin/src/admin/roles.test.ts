import { mockFetch, json, roles, adminMe } from './testing';
import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import { session } from '../lib/session.svelte';
import Roles from '../screens/Roles.svelte';
import { groupPermissions, permissionLine } from './words';

describe('roles in words', () => {
  it('groups permissions by object in plain words', () => {
    const lines = groupPermissions(roles[2].permissions).map(permissionLine);
    expect(lines).toEqual(['Departments: read, update', 'Department fields: summary, description, contacts, learn more link']);
  });

  it('tells a non-administrator the page is not for them', () => {
    session.me = { ...adminMe, grants: [], permissions: [{ object: 'departments', action: 'read', scope: 'office:occs' }] };
    const { calls } = mockFetch(() => undefined);
    render(Roles);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Roles');
    expect(screen.getByText('You need to be an administrator to see this page.')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('shows the four roles with their descriptions and permissions', async () => {
    session.me = adminMe;
    mockFetch((c) => (c.path === '/api/v1/admin/roles' ? json({ data: roles }) : undefined));
    render(Roles);
    const headings = await screen.findAllByRole('heading', { level: 2 });
    expect(headings.map((h) => h.textContent)).toEqual(['Administrator (admin)', 'Editor (editor)', 'Author (author)', 'Viewer (viewer)']);
    expect(screen.getByText(/Always granted in scope \*/)).toBeInTheDocument();
    const editor = within(screen.getByRole('list', { name: 'What the Editor role allows' }));
    expect(editor.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Departments: read, create, update, publish, unpublish, delete, restore from trash',
      'Department fields: name, web address name (slug), summary',
    ]);
    const author = within(screen.getByRole('list', { name: 'What the Author role allows' }));
    expect(author.getByText('Department fields:').parentElement).toHaveTextContent(
      'Department fields: summary, description, contacts, learn more link',
    );
    const admin = within(screen.getByRole('list', { name: 'What the Administrator role allows' }));
    expect(admin.getByText('User accounts:').parentElement).toHaveTextContent('User accounts: read, create');
  });
});
