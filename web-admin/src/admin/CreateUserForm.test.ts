import { mockFetch, json, problem, roles, office } from './testing';
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import CreateUserForm from './CreateUserForm.svelte';

const created = {
  id: '35fa48c9-dfd7-4750-b843-0681ed3919dc',
  email: 'grace@example.org',
  display_name: 'Grace Hopper',
  active: true,
  last_login_at: null,
  created_at: '2026-11-29T00:04:53Z',
  updated_at: '2026-11-29T00:04:53Z',
  grants: [],
};

async function fill(user: ReturnType<typeof userEvent.setup>, password = 'a long enough password') {
  await user.type(screen.getByLabelText('Email address'), 'grace@example.org');
  await user.type(screen.getByLabelText(/Display name/), 'Grace Hopper');
  await user.type(screen.getByLabelText('First password'), password);
}

describe('CreateUserForm', () => {
  it('shows the server validation answer beside each field it names, and focuses the summary', async () => {
    const { calls } = mockFetch((c) => {
      if (c.path === '/api/v1/admin/roles') return json({ data: roles });
      if (c.path === '/api/v1/admin/users' && c.method === 'POST')
        return problem(400, [
          { field: 'password', message: 'is too common; choose one that is harder to guess' },
          { field: 'display_name', message: 'must be at most 200 characters' },
        ]);
    });
    const user = userEvent.setup();
    render(CreateUserForm);
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Create user' }));

    const summary = await screen.findByRole('alert');
    expect(summary).toHaveFocus();
    expect(summary).toHaveTextContent('First password: Is too common; choose one that is harder to guess.');

    const password = screen.getByLabelText('First password');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription(expect.stringContaining('Is too common; choose one that is harder to guess.'));
    const name = screen.getByLabelText(/Display name/);
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription('Must be at most 200 characters.');
    expect(screen.getByLabelText('Email address')).not.toHaveAttribute('aria-invalid');

    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ email: 'grace@example.org', display_name: 'Grace Hopper', password: 'a long enough password' });

    // The summary's links take the person to the field.
    await user.click(screen.getByRole('link', { name: /First password/ }));
    expect(password).toHaveFocus();
  });

  it('maps a taken email (409) beside the email field', async () => {
    mockFetch((c) => {
      if (c.path === '/api/v1/admin/roles') return json({ data: roles });
      if (c.path === '/api/v1/admin/users') return problem(409, [{ field: 'email', message: 'is already used by another account' }]);
    });
    const user = userEvent.setup();
    render(CreateUserForm);
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Email address')).toHaveAccessibleDescription(expect.stringContaining('Is already used by another account.')),
    );
  });

  it('checks the password length before asking the server', async () => {
    const { calls } = mockFetch((c) => (c.path === '/api/v1/admin/roles' ? json({ data: roles }) : undefined));
    const user = userEvent.setup();
    render(CreateUserForm);
    await fill(user, 'short');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByRole('alert')).toHaveFocus();
    expect(screen.getByLabelText('First password')).toHaveAccessibleDescription(expect.stringContaining('Use at least 12 characters.'));
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('creates the user with a first role in an office, then goes to the user page', async () => {
    const { calls } = mockFetch((c) => {
      if (c.path === '/api/v1/admin/roles') return json({ data: roles });
      if (c.path === '/api/v1/admin/offices') return json({ data: [office('occs', 'Office of College and Career Success')], meta: { total: 1, limit: 20, offset: 0 } });
      if (c.path === '/api/v1/admin/users' && c.method === 'POST') return json({ data: created }, 201);
      if (c.path === '/api/v1/admin/grants' && c.method === 'POST')
        return json({ data: { id: 9, user_id: created.id, role: 'editor', scope: 'office:occs' } }, 201);
    });
    const user = userEvent.setup();
    render(CreateUserForm);
    await fill(user);
    await user.click(await screen.findByLabelText(/^Editor/));
    await user.click(screen.getByLabelText('An office and all its departments'));
    await user.click(await screen.findByLabelText(/\(occs\)/));
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(window.location.pathname).toBe(`/admin/users/${created.id}`));
    expect(calls.find((c) => c.path === '/api/v1/admin/grants')?.body).toEqual({ user_id: created.id, role: 'editor', scope: 'office:occs' });
  });
});
