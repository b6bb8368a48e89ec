import { mockFetch, json, office, department } from './testing';
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ScopePicker from './ScopePicker.svelte';

const offices = [office('occs', 'Office of College and Career Success', 'OCCS'), office('cte', 'Career and Technical Education')];

describe('ScopePicker', () => {
  it('searches offices with q, offers only what the API returned, and builds office:{slug}', async () => {
    const { calls } = mockFetch((c) => {
      if (c.path !== '/api/v1/admin/offices') return;
      const q = c.query.get('q');
      const data = q ? offices.filter((o) => o.name.toLowerCase().includes(q.toLowerCase())) : offices;
      return json({ data, meta: { total: q ? data.length : 1000, limit: 20, offset: 0 } });
    });
    const onchange = vi.fn();
    const user = userEvent.setup();
    render(ScopePicker, { idPrefix: 't', value: '*', role: 'editor', delay: 0, onchange });

    await user.click(screen.getByLabelText('An office and all its departments'));
    expect(onchange).toHaveBeenLastCalledWith(''); // nothing chosen yet
    // The first page only, never everything.
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Showing 2 of 1000 offices'));
    expect(calls[0].query.get('limit')).toBe('20');
    expect(calls[0].query.has('q')).toBe(false);

    await user.type(screen.getByLabelText('Find the office'), 'college');
    await waitFor(() => expect(calls.at(-1)?.query.get('q')).toBe('college'));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('1 office found.'));
    const results = screen.getByRole('group', { name: 'Find the office: results' });
    const radios = within(results).getAllByRole('radio');
    expect(radios).toHaveLength(1);
    expect(within(results).queryByLabelText(/Career and Technical Education/)).toBeNull();

    await user.click(within(results).getByLabelText(/Office of College and Career Success \(occs\)/));
    expect(onchange).toHaveBeenLastCalledWith('office:occs');
    expect(calls.every((c) => c.path === '/api/v1/admin/offices' && c.method === 'GET')).toBe(true);
  });

  it('builds department:{slug} from the department search', async () => {
    const { calls } = mockFetch((c) => {
      if (c.path === '/api/v1/admin/departments')
        return json({ data: [department('ecce', 'Early College and Career Education', 'ECCE')], meta: { total: 1, limit: 20, offset: 0 } });
    });
    const onchange = vi.fn();
    const user = userEvent.setup();
    render(ScopePicker, { idPrefix: 't', value: '*', role: 'author', delay: 0, onchange });
    await user.click(screen.getByLabelText('One department'));
    await user.type(screen.getByLabelText('Find the department'), 'ecce');
    await waitFor(() => expect(calls.at(-1)?.query.get('q')).toBe('ecce'));
    await user.click(await screen.findByLabelText(/Early College and Career Education \(ecce\)/));
    expect(onchange).toHaveBeenLastCalledWith('department:ecce');
  });

  it('shows no match in words when the search finds nothing', async () => {
    mockFetch((c) => {
      if (c.path === '/api/v1/admin/offices')
        return json({ data: c.query.get('q') ? [] : offices, meta: { total: c.query.get('q') ? 0 : 2, limit: 20, offset: 0 } });
    });
    const user = userEvent.setup();
    render(ScopePicker, { idPrefix: 't', value: '*', role: 'viewer', delay: 0 });
    await user.click(screen.getByLabelText('An office and all its departments'));
    await user.type(screen.getByLabelText('Find the office'), 'zzz');
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No offices match “zzz”.'));
    expect(screen.queryAllByRole('radio', { name: /\(occs\)/ })).toHaveLength(0);
  });

  it('keeps the administrator role everywhere and says why', async () => {
    mockFetch(() => undefined);
    render(ScopePicker, { idPrefix: 't', value: '*', role: 'admin' });
    expect(screen.getByLabelText('An office and all its departments')).toBeDisabled();
    expect(screen.getByLabelText('One department')).toBeDisabled();
    expect(screen.getByLabelText(/Everywhere/)).toBeChecked();
    expect(screen.getByText(/administrator role always applies everywhere/)).toBeInTheDocument();
  });
});
