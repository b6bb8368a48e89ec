// Times are read in a fixed zone so the conversions can be checked exactly.
process.env.TZ = 'America/New_York';

import { mockFetch, json, adminMe } from './testing';
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { formToFilters, filtersToForm, localToUTC, readFilters, toApiQuery, toUrlQuery, utcToLocal } from './audit';
import { session } from '../lib/session.svelte';
import Audit from '../screens/Audit.svelte';

describe('audit filters', () => {
  it('turns local datetime-local values into RFC 3339 UTC', () => {
    expect(localToUTC('2026-11-28T12:00')).toBe('2026-11-28T17:00:00Z'); // EST, UTC-5
    expect(localToUTC('2026-07-01T09:30')).toBe('2026-07-01T13:30:00Z'); // EDT, UTC-4
    expect(localToUTC('')).toBe('');
    expect(localToUTC('yesterday')).toBe('');
    expect(utcToLocal('2026-11-28T17:00:00Z')).toBe('2026-11-28T12:00');
  });

  it('turns the form into the API query, leaving out empty filters', () => {
    const f = formToFilters({
      action: 'auth.login_failed',
      actor_id: '',
      target_type: 'user',
      target_id: ' 35fa48c9 ',
      since: '2026-11-28T00:00',
      until: '2026-11-29T00:00',
    });
    expect(toApiQuery(f)).toEqual({
      action: 'auth.login_failed',
      target_type: 'user',
      target_id: '35fa48c9',
      since: '2026-11-28T05:00:00Z',
      until: '2026-11-29T05:00:00Z',
      limit: 20,
      offset: 0,
    });
    expect(toUrlQuery(f)).toEqual({
      action: 'auth.login_failed',
      actor_id: undefined,
      target_type: 'user',
      target_id: '35fa48c9',
      since: '2026-11-28T05:00:00Z',
      until: '2026-11-29T05:00:00Z',
      page: undefined,
    });
  });

  it('reads the address bar back, pages into offsets, and drops malformed times', () => {
    const f = readFilters(new URLSearchParams('actor_id=u1&since=2026-11-28T05:00:00Z&until=not-a-time&page=3'));
    expect(f).toMatchObject({ actor_id: 'u1', since: '2026-11-28T05:00:00Z', until: '', page: 3 });
    expect(toApiQuery(f)).toEqual({ actor_id: 'u1', since: '2026-11-28T05:00:00Z', limit: 20, offset: 40 });
    expect(filtersToForm(f).since).toBe('2026-11-28T00:00');
    expect(readFilters(new URLSearchParams('page=-2')).page).toBe(1);
  });
});

describe('Audit screen', () => {
  const events = [
    {
      id: 2,
      at: '2026-11-29T00:05:16Z',
      actor_id: null,
      actor_email: '',
      action: 'department.publish',
      target_type: 'department',
      target_id: 'd1',
      client_ip: '',
      detail: { revision: 2 },
    },
    {
      id: 1,
      at: '2026-11-29T00:04:57Z',
      actor_id: 'u-admin',
      actor_email: 'ada@example.org',
      action: 'custom.thing',
      target_type: 'user',
      target_id: 'u-admin',
      client_ip: '127.0.0.1',
      detail: {},
    },
  ];

  it('asks the API with the filters from the address bar and shows rows in words', async () => {
    session.me = adminMe;
    const { calls } = mockFetch((c) => {
      if (c.path === '/api/v1/admin/audit') return json({ data: events, meta: { total: 2, limit: 20, offset: 0 } });
      if (c.path === '/api/v1/admin/departments/d1') return json({ data: { id: 'd1', name: 'Early College' } });
      if (c.path === '/api/v1/admin/users/u-admin') return json({ data: { ...adminMe.user, grants: [] } });
    });
    render(Audit, { params: {}, query: new URLSearchParams('action=department.publish&since=2026-11-28T05:00:00Z') });
    expect(await screen.findByRole('cell', { name: /Published department/ })).toBeInTheDocument();
    const audit = calls.find((c) => c.path === '/api/v1/admin/audit')!;
    expect(Object.fromEntries(audit.query)).toEqual({
      action: 'department.publish',
      since: '2026-11-28T05:00:00Z',
      limit: '20',
      offset: '0',
    });
    expect(screen.getByText('Bureau')).toBeInTheDocument(); // no actor, no address
    expect(screen.getByText('custom.thing')).toBeInTheDocument(); // unknown code shown as is
    expect(await screen.findByRole('link', { name: 'Early College' })).toHaveAttribute('href', '/admin/departments/d1');
    expect(screen.getByLabelText('From')).toHaveValue('2026-11-28T00:00');
    expect(screen.getByLabelText('What happened')).toHaveValue('department.publish');
    expect(screen.getByRole('region', { name: 'Audit events table' })).toHaveAttribute('tabindex', '0');
  });

  it('puts the submitted filters in the address bar', async () => {
    session.me = adminMe;
    mockFetch((c) => (c.path === '/api/v1/admin/audit' ? json({ data: [], meta: { total: 0, limit: 20, offset: 0 } }) : undefined));
    const user = userEvent.setup();
    render(Audit, { params: {}, query: new URLSearchParams() });
    await user.selectOptions(screen.getByLabelText('What happened'), 'auth.login_failed');
    await user.type(screen.getByLabelText('Before'), '2026-11-29T00:00');
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    await waitFor(() => expect(window.location.search).toBe('?action=auth.login_failed&until=2026-11-29T05%3A00%3A00Z'));
  });
});
