// The edit screen against a mocked HTTP boundary (fetch): what each role may
// change, dirty tracking, what a save sends, the error summary, conflicts
// and the local copy.
import './test-env';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { live } from '../lib/announce.svelte';
import { navigate } from '../lib/router.svelte';
import { session, type Me, type Permission } from '../lib/session.svelte';
import Edit from '../screens/Edit.svelte';
import { draftKey, loadDraft } from './drafts';
import { department, departmentId, office, officeId } from './testdata';

type Handler = (req: Request, body: unknown) => Response | Promise<Response>;
interface Call {
  method: string;
  path: string;
  ifMatch: string | null;
  body: unknown;
}

vi.setConfig({ testTimeout: 20_000 });

let routes: Record<string, Handler[]>;
let calls: Call[];

function json(body: unknown, status = 200, etag?: string): Response {
  const headers: Record<string, string> = { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' };
  if (etag) headers.ETag = etag;
  return new Response(JSON.stringify(body), { status, headers });
}

/** on answers method+path with the handlers in turn (the last one repeats). */
function on(method: string, path: string, ...handlers: Handler[]) {
  routes[method + ' ' + path] = handlers;
}

beforeEach(() => {
  localStorage.clear();
  routes = {};
  calls = [];
  globalThis.fetch = vi.fn(async (input: RequestInfo | URL) => {
    const req = input as Request;
    const url = new URL(req.url);
    const text = req.method === 'GET' ? '' : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    calls.push({ method: req.method, path: url.pathname, ifMatch: req.headers.get('If-Match'), body });
    const list = routes[req.method + ' ' + url.pathname];
    if (!list) return json({ type: 'about:blank', title: 'Not Found', status: 404 }, 404);
    const h = list.length > 1 ? list.shift()! : list[0];
    return h(req, body);
  }) as typeof fetch;
  history.replaceState(null, '', '/admin/departments/' + departmentId);
});

afterEach(() => {
  cleanup();
  session.me = null;
  vi.restoreAllMocks();
});

const docPath = `/api/v1/admin/departments/${departmentId}`;

function signedIn(role: 'editor' | 'author' | 'viewer') {
  const scope = 'office:occs';
  const p = (object: string, action: string): Permission => ({ object, action, scope });
  const perms: Record<string, Permission[]> = {
    editor: [p('offices', '*'), p('departments', '*'), p('offices.fields', '*'), p('departments.fields', '*')],
    author: [
      p('offices', 'read'),
      p('departments', 'read'),
      p('departments', 'update'),
      ...['summary', 'description', 'contacts', 'learn_more_url'].map((f) => p('departments.fields', f)),
    ],
    viewer: [p('offices', 'read'), p('departments', 'read')],
  };
  session.me = {
    user: { id: 'u1', email: 'a@example.org', display_name: 'A', active: true, last_login_at: null, created_at: '', updated_at: '' },
    grants: [{ id: 1, user_id: 'u1', role, scope }],
    permissions: perms[role],
  } as Me;
}

function serveDepartment(over = {}) {
  on('GET', docPath, () => json({ data: department(over) }, 200, '"v4"'));
}

async function open() {
  render(Edit, { props: { params: { type: 'departments', id: departmentId }, query: new URLSearchParams() } });
  await screen.findByRole('heading', { level: 1, name: 'Early College' });
  await screen.findByLabelText('Summary (optional)');
}

const summary = () => screen.getByLabelText('Summary (optional)') as HTMLTextAreaElement;
const saveButton = () => screen.getByRole('button', { name: /Save draft|Saving…/ });
const patches = () => calls.filter((c) => c.method === 'PATCH');

describe('what each role may change', () => {
  test('an author sees name and slug read-only with the reason, and no Publish button', async () => {
    signedIn('author');
    serveDepartment();
    await open();
    const name = screen.getByLabelText('Name');
    expect(name).toHaveAttribute('readonly');
    expect(name).toHaveAccessibleDescription(expect.stringContaining('Only editors can rename. You are an author here.'));
    expect(screen.getByLabelText('Slug')).toHaveAttribute('readonly');
    expect(screen.getByLabelText('Acronym (optional)')).toHaveAttribute('readonly');
    expect(summary()).not.toHaveAttribute('readonly');
    expect(screen.getByLabelText('Learn-more link (optional)')).not.toHaveAttribute('readonly');
    expect(document.getElementById('contact-0-label')).not.toHaveAttribute('readonly');
    expect(screen.queryByRole('button', { name: 'Publish' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Move to trash' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Unpublish' })).toBeNull();
    expect(saveButton()).toBeInTheDocument();
  });

  test('a viewer sees everything read-only, told why, and cannot save', async () => {
    signedIn('viewer');
    serveDepartment();
    await open();
    expect(screen.getByText(/You can read this department but not change it\. You are a viewer here\./)).toBeInTheDocument();
    for (const label of ['Name', 'Slug', 'Summary (optional)', 'Acronym (optional)', 'Learn-more link (optional)']) {
      expect(screen.getByLabelText(label)).toHaveAttribute('readonly');
    }
    expect(document.getElementById('contact-0-label')).toHaveAttribute('readonly');
    expect(screen.queryByRole('button', { name: 'Save draft' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add a contact' })).toBeNull();
    expect(screen.queryByLabelText('Note for the history (optional)')).toBeNull();
    // Links to review and history are still there.
    expect(screen.getByRole('link', { name: 'History' })).toHaveAttribute('href', `/admin/departments/${departmentId}/history`);
  });

  test('an editor may change everything, publish, unpublish and trash; links to review, history and the office', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    expect(screen.getByLabelText('Name')).not.toHaveAttribute('readonly');
    expect(screen.getByLabelText('Slug')).not.toHaveAttribute('readonly');
    expect(screen.getByRole('button', { name: 'Publish' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Unpublish' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Move to trash' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Review changes' })).toHaveAttribute('href', `/admin/departments/${departmentId}/review`);
    expect(screen.getByRole('link', { name: 'Office of College and Career Success' })).toHaveAttribute('href', `/admin/offices/${officeId}`);
    expect(screen.getByText('Published')).toHaveClass('badge');
  });
});

describe('saving', () => {
  test('dirty tracking, and only the changed fields in the PATCH, with If-Match; the new version is kept', async () => {
    signedIn('editor');
    serveDepartment();
    on(
      'PATCH',
      docPath,
      (_r, body) => json({ data: department({ version: 5, status: 'changed', ...(body as object) }) }, 200, '"v5"'),
      (_r, body) => json({ data: department({ version: 6, status: 'changed', summary: 'Shorter.', ...(body as object) }) }, 200, '"v6"'),
    );
    await open();
    expect(screen.queryByText('Unsaved changes')).toBeNull();
    await userEvent.clear(summary());
    await userEvent.type(summary(), 'Shorter.');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await userEvent.click(saveButton());
    await screen.findByText(/^Saved at /);
    expect(patches()).toHaveLength(1);
    expect(patches()[0].ifMatch).toBe('"v4"');
    expect(patches()[0].body).toEqual({ summary: 'Shorter.' });
    expect(live.message).toMatch(/^Saved at /);
    expect(loadDraft(draftKey('departments', departmentId, undefined, 'u1'))).toBeNull(); // cleared after the save

    await userEvent.type(document.getElementById('contact-0-phone-1-number')!, '0');
    await userEvent.click(saveButton());
    await waitFor(() => expect(patches()).toHaveLength(2));
    expect(patches()[1].ifMatch).toBe('"v5"');
    const body = patches()[1].body as { contacts: { id: string; phones: { number: string }[] }[] };
    expect(Object.keys(body)).toEqual(['contacts']);
    expect(body.contacts[0].id).toBe(department().contacts[0].id);
    expect(body.contacts[0].phones[1].number).toBe('773-553-35440');
  });

  test('a save with no change sends nothing and says so', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.click(saveButton());
    expect(patches()).toHaveLength(0);
    expect(screen.getByText('No changes to save')).toBeInTheDocument();
    expect(live.message).toBe('No changes to save.');
    // Typing and then undoing it is no change either.
    await userEvent.type(summary(), 'x');
    await userEvent.type(summary(), '{Backspace}');
    await userEvent.click(saveButton());
    expect(patches()).toHaveLength(0);
  });

  test('one save at a time; the local copy exists before the request goes', async () => {
    signedIn('editor');
    serveDepartment();
    let release!: () => void;
    on('PATCH', docPath, async (_r, body) => {
      await new Promise<void>((r) => (release = r));
      return json({ data: department({ version: 5, ...(body as object) }) }, 200, '"v5"');
    });
    await open();
    await userEvent.type(summary(), ' More.');
    await userEvent.click(saveButton());
    await waitFor(() => expect(patches()).toHaveLength(1));
    expect(saveButton()).toHaveTextContent('Saving…');
    expect(saveButton()).toHaveAttribute('aria-disabled', 'true');
    expect(loadDraft(draftKey('departments', departmentId, undefined, 'u1'))?.values.summary).toBe('College courses in high school. More.');
    await userEvent.click(saveButton());
    expect(patches()).toHaveLength(1);
    release();
    await screen.findByText(/^Saved at /);
    expect(patches()).toHaveLength(1);
  });

  test('server validation answers appear beside their fields and in a focused summary', async () => {
    signedIn('editor');
    serveDepartment();
    on('PATCH', docPath, () =>
      json(
        {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'some fields are invalid',
          errors: [
            { field: 'contacts[0].phones[1].number', message: 'is not a valid phone number' },
            { field: 'contacts[0].address.postal_code', message: 'must be a ZIP code such as 60602' },
            { field: 'mystery_field', message: 'is odd' },
          ],
        },
        400,
      ),
    );
    await open();
    await userEvent.type(document.getElementById('contact-0-phone-1-number')!, 'x');
    await userEvent.click(saveButton());
    const summaryBox = await screen.findByRole('alert');
    expect(within(summaryBox).getByRole('heading', { name: 'Please correct 3 problems' })).toBeInTheDocument();
    await waitFor(() => expect(document.activeElement).toBe(summaryBox));
    const number = document.getElementById('contact-0-phone-1-number')!;
    expect(number).toHaveAttribute('aria-invalid', 'true');
    expect(number).toHaveAccessibleDescription(expect.stringContaining('Is not a valid phone number.'));
    expect(document.getElementById('contact-0-postal-code')).toHaveAttribute('aria-invalid', 'true');
    expect(within(summaryBox).getByText('mystery_field: Is odd.')).toBeInTheDocument();
    await userEvent.click(within(summaryBox).getByRole('button', { name: 'Contact 1, phone 2, number: Is not a valid phone number.' }));
    expect(document.activeElement).toBe(number);
    // The typing is kept, and stays unsaved.
    expect(number).toHaveValue('773-553-3544x');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
  });

  test('a taken slug (409) is shown at the slug', async () => {
    signedIn('editor');
    serveDepartment();
    on('PATCH', docPath, () =>
      json({ type: 'about:blank', title: 'Conflict', status: 409, errors: [{ field: 'slug', message: 'is already used by another item' }] }, 409),
    );
    await open();
    await userEvent.clear(screen.getByLabelText('Slug'));
    await userEvent.type(screen.getByLabelText('Slug'), 'taken');
    await userEvent.click(saveButton());
    await screen.findByRole('heading', { name: 'Please correct 1 problem' });
    expect(screen.getByLabelText('Slug')).toHaveAccessibleDescription(expect.stringContaining('Is already used by another item.'));
  });

  test('a bad slug is caught before sending', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.clear(screen.getByLabelText('Slug'));
    await userEvent.type(screen.getByLabelText('Slug'), 'Early College');
    await userEvent.click(saveButton());
    await screen.findByRole('heading', { name: 'Please correct 1 problem' });
    expect(patches()).toHaveLength(0);
  });
});

describe('conflicts', () => {
  test('a 412 shows their version beside mine, field by field, and saves the merge on the new version', async () => {
    signedIn('editor');
    on(
      'GET',
      docPath,
      () => json({ data: department() }, 200, '"v4"'),
      () => json({ data: department({ version: 7, name: 'Early College Program', summary: 'Their summary.' }) }, 200, '"v7"'),
    );
    on(
      'PATCH',
      docPath,
      () => json({ type: 'about:blank', title: 'Precondition Failed', status: 412, current_version: 7 }, 412),
      (_r, body) => json({ data: department({ version: 8, name: 'Early College Program', ...(body as object) }) }, 200, '"v8"'),
    );
    await open();
    await userEvent.clear(summary());
    await userEvent.type(summary(), 'My summary.');
    await userEvent.type(screen.getByLabelText('Acronym (optional)'), 'P');
    await userEvent.click(saveButton());
    const heading = await screen.findByRole('heading', { name: /Someone else saved this department/ });
    await waitFor(() => expect(document.activeElement).toBe(heading));

    const nameItem = screen.getByRole('heading', { name: /^Name/ }).closest('section')!;
    expect(within(nameItem).getByText('Changed by them')).toBeInTheDocument();
    expect(within(nameItem).getByRole('radio', { name: 'Theirs' })).toBeChecked();
    const summaryItem = screen.getByRole('heading', { name: /^Summary/ }).closest('section')!;
    expect(within(summaryItem).getByText('Changed by both of you')).toBeInTheDocument();
    expect(within(summaryItem).getByText('My summary.')).toBeInTheDocument();
    expect(within(summaryItem).getByText('Their summary.')).toBeInTheDocument();
    expect(within(summaryItem).getByRole('radio', { name: 'Mine' })).toBeChecked();
    const acronymItem = screen.getByRole('heading', { name: /^Acronym/ }).closest('section')!;
    expect(within(acronymItem).getByRole('radio', { name: 'Mine' })).toBeChecked();
    // Fields that do not differ are not shown.
    expect(screen.queryByRole('heading', { name: /^Slug/ })).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Save merged version' }));
    await screen.findByText(/^Saved at /);
    const last = patches().at(-1)!;
    expect(last.ifMatch).toBe('"v7"');
    expect(last.body).toEqual({ acronym: 'ECP', summary: 'My summary.' });
    expect(screen.getByLabelText('Name')).toHaveValue('Early College Program');
  });

  test('Copy my text falls back to a selected box without clipboard access', async () => {
    signedIn('editor');
    on(
      'GET',
      docPath,
      () => json({ data: department() }, 200, '"v4"'),
      () => json({ data: department({ version: 7, summary: 'Theirs.' }) }, 200, '"v7"'),
    );
    on('PATCH', docPath, () => json({ type: 'about:blank', title: 'Precondition Failed', status: 412, current_version: 7 }, 412));
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    await open();
    await userEvent.clear(summary());
    await userEvent.type(summary(), 'Mine, carefully typed.');
    await userEvent.click(saveButton());
    await userEvent.click(await screen.findByRole('button', { name: 'Copy my text of Summary' }));
    const box = await screen.findByLabelText(/Your text, selected/);
    expect(box).toHaveValue('Mine, carefully typed.');
    expect(document.activeElement).toBe(box);
  });
});

describe('nobody loses work', () => {
  test('every change is kept locally and offered back after a reload', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.clear(summary());
    await userEvent.type(summary(), 'Half-typed');
    await waitFor(() => expect(loadDraft(draftKey('departments', departmentId, undefined, 'u1'))?.values.summary).toBe('Half-typed'));
    cleanup(); // the tab closes

    render(Edit, { props: { params: { type: 'departments', id: departmentId }, query: new URLSearchParams() } });
    const offer = await screen.findByRole('region', { name: /You have unsaved changes from/ });
    expect(summary()).toHaveValue('College courses in high school.');
    expect(summary()).toHaveAttribute('readonly'); // choose first
    await userEvent.click(within(offer).getByRole('button', { name: 'Restore them' }));
    expect(summary()).toHaveValue('Half-typed');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
  });

  test('Discard forgets the local copy', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.type(summary(), '!');
    cleanup();
    render(Edit, { props: { params: { type: 'departments', id: departmentId }, query: new URLSearchParams() } });
    await userEvent.click(await screen.findByRole('button', { name: 'Discard' }));
    expect(loadDraft(draftKey('departments', departmentId, undefined, 'u1'))).toBeNull();
    expect(summary()).toHaveValue('College courses in high school.');
  });

  test('a local copy made on an older version is merged with the newer one', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.clear(summary());
    await userEvent.type(summary(), 'Mine from before');
    cleanup();
    on('GET', docPath, () => json({ data: department({ version: 9, name: 'Renamed by someone' }) }, 200, '"v9"'));
    render(Edit, { props: { params: { type: 'departments', id: departmentId }, query: new URLSearchParams() } });
    await userEvent.click(await screen.findByRole('button', { name: 'Restore them' }));
    await screen.findByRole('heading', { name: /Someone else saved this department/ });
    const summaryItem = screen.getByRole('heading', { name: /^Summary/ }).closest('section')!;
    expect(within(summaryItem).getByRole('radio', { name: 'Mine' })).toBeChecked();
    const nameItem = screen.getByRole('heading', { name: /^Name/ }).closest('section')!;
    expect(within(nameItem).getByRole('radio', { name: 'Theirs' })).toBeChecked(); // only they renamed it
    on('PATCH', docPath, (_r, body) => json({ data: department({ version: 10, name: 'Renamed by someone', ...(body as object) }) }, 200, '"v10"'));
    await userEvent.click(screen.getByRole('button', { name: 'Save merged version' }));
    await screen.findByText(/^Saved at /);
    expect(patches()[0].ifMatch).toBe('"v9"');
    expect(patches()[0].body).toEqual({ summary: 'Mine from before' });
  });

  test('leaving with unsaved changes asks first; after a save it does not', async () => {
    signedIn('editor');
    serveDepartment();
    on('PATCH', docPath, (_r, body) => json({ data: department({ version: 5, ...(body as object) }) }, 200, '"v5"'));
    await open();
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    expect(navigate('/somewhere')).toBe(true); // nothing changed: no question
    expect(confirm).not.toHaveBeenCalled();
    history.replaceState(null, '', '/admin/departments/' + departmentId);
    await userEvent.type(summary(), '!');
    expect(navigate('/elsewhere')).toBe(false);
    expect(confirm).toHaveBeenCalledTimes(1);
    await userEvent.click(saveButton());
    await screen.findByText(/^Saved at /);
    expect(navigate('/elsewhere')).toBe(true);
    expect(confirm).toHaveBeenCalledTimes(1);
  });
});

describe('actions', () => {
  test('Publish with unsaved changes says to save first and sends nothing', async () => {
    signedIn('editor');
    serveDepartment();
    await open();
    await userEvent.type(summary(), '!');
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(screen.getByText(/Save your changes first/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith('/publish'))).toHaveLength(0);
  });

  test('Publish sends the version', async () => {
    signedIn('editor');
    serveDepartment({ status: 'changed' });
    on('POST', docPath + '/publish', () => json({ data: department({ status: 'published', version: 4 }) }, 200, '"v4"'));
    await open();
    await userEvent.click(screen.getByRole('button', { name: 'Publish' }));
    await screen.findByText(/^Published\. The public site/);
    expect(calls.find((c) => c.path.endsWith('/publish'))?.ifMatch).toBe('"v4"');
  });

  test('moving an office with departments to the trash shows why it cannot be done', async () => {
    signedIn('editor');
    history.replaceState(null, '', '/admin/offices/' + officeId);
    on('GET', `/api/v1/admin/offices/${officeId}`, () => json({ data: office() }, 200, '"v2"'));
    on('DELETE', `/api/v1/admin/offices/${officeId}`, () =>
      json(
        {
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: 'the request conflicts with the current state (see errors)',
          errors: [{ field: 'departments', message: 'the office still has 7 departments: move or delete them first' }],
        },
        409,
      ),
    );
    render(Edit, { props: { params: { type: 'offices', id: officeId }, query: new URLSearchParams() } });
    await userEvent.click(await screen.findByRole('button', { name: 'Move to trash' }));
    const dialog = await screen.findByRole('dialog', { name: 'Move this office to the trash?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Move to trash' }));
    expect(await within(dialog).findByText('The office still has 7 departments: move or delete them first.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'DELETE')?.ifMatch).toBe('"v2"');
  });
});

describe('creating', () => {
  test('a new department in an office: the slug follows the name, POST, then the new page', async () => {
    signedIn('editor');
    history.replaceState(null, '', '/admin/departments/new?office_id=' + officeId);
    on('GET', `/api/v1/admin/offices/${officeId}`, () => json({ data: office() }, 200, '"v2"'));
    on('POST', '/api/v1/admin/departments', (_r, body) =>
      json({ data: department({ ...(body as object), id: '33333333-3333-4333-8333-333333333333', version: 1, status: 'draft', contacts: [] }) }, 201, '"v1"'),
    );
    render(Edit, { props: { params: { type: 'departments' }, query: new URLSearchParams('office_id=' + officeId) } });
    await screen.findByRole('heading', { level: 1, name: 'New department' });
    await userEvent.type(await screen.findByLabelText('Name'), 'Career & Technical Education');
    expect(screen.getByLabelText('Slug')).toHaveValue('career-technical-education');
    expect(screen.queryByLabelText('Office')).toBeNull(); // given by the address
    await userEvent.click(screen.getByRole('button', { name: 'Create department' }));
    await waitFor(() => expect(location.pathname).toBe('/admin/departments/33333333-3333-4333-8333-333333333333'));
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ office_id: officeId, name: 'Career & Technical Education', slug: 'career-technical-education' });
    expect(post.body).not.toHaveProperty('position');
    expect(loadDraft(draftKey('departments', undefined, officeId, 'u1'))).toBeNull();
  });
});
