import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { flushSync, tick } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';
import { live } from '../lib/announce.svelte';
import { valuesOf, type ContactValues } from './changes';
import ContactsEditor from './ContactsEditor.svelte';
import { contactA, contactB, department } from './testdata';

function setup(props: { readonly?: boolean; reason?: string; errors?: Record<string, string> } = {}) {
  const state = $state({ contacts: valuesOf(department()).contacts as ContactValues[] });
  const result = render(ContactsEditor, {
    props: {
      get contacts() {
        return state.contacts;
      },
      set contacts(v: ContactValues[]) {
        state.contacts = v;
      },
      ...props,
    },
  });
  return { state, ...result };
}

const settle = async () => {
  flushSync();
  await tick();
  await tick();
};

afterEach(() => cleanup());

describe('ContactsEditor', () => {
  test('shows each contact with its fields, labelled', () => {
    setup();
    expect(screen.getByRole('heading', { name: 'Contact 1: Main office' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Contact 2: Admissions' })).toBeInTheDocument();
    expect(document.getElementById('contact-0-label')).toHaveValue('Main office');
    expect(document.getElementById('contact-0-street')).toHaveValue('42 W Madison St');
    expect(document.getElementById('contact-0-postal-code')).toHaveValue('60602');
    expect(document.getElementById('contact-0-phone-1-kind')).toHaveValue('fax');
    expect(document.getElementById('contact-0-phone-1-number')).toHaveValue('773-553-3544');
    expect(document.getElementById('contact-1-email-0-address')).toHaveValue('admit@example.org');
    expect(screen.getAllByLabelText('Street')).toHaveLength(2);
  });

  test('typing changes the contact', async () => {
    const { state } = setup();
    await userEvent.clear(document.getElementById('contact-0-hours')!);
    await userEvent.type(document.getElementById('contact-0-hours')!, 'By appointment');
    expect(state.contacts[0].hours).toBe('By appointment');
    await userEvent.selectOptions(document.getElementById('contact-0-phone-0-kind')!, 'tty');
    expect(state.contacts[0].phones[0].kind).toBe('tty');
  });

  test('add a contact: it comes last, empty, focused, with US as the country', async () => {
    const { state } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Add a contact' }));
    await settle();
    expect(state.contacts).toHaveLength(3);
    expect(state.contacts[2].id).toBe('');
    expect(document.getElementById('contact-2-country')).toHaveValue('US');
    expect(document.activeElement).toBe(document.getElementById('contact-2-label'));
    expect(live.message).toBe('Contact 3 added.');
  });

  test('remove a contact: the others stay, with their ids; focus moves to the next contact', async () => {
    const { state } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Remove contact 1' }));
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactB]);
    expect(document.activeElement).toBe(document.getElementById('contact-0-heading'));
    expect(live.message).toBe('Contact “Main office” removed.');
    await userEvent.click(screen.getByRole('button', { name: 'Remove contact 1' }));
    await settle();
    expect(state.contacts).toEqual([]);
    expect(screen.getByText('No contact points yet.')).toBeInTheDocument();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add a contact' }));
  });

  test('reorder with the buttons: focus stays on the moved contact’s button, and the move is announced', async () => {
    const { state } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Move down contact 1' }));
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactB, contactA]);
    const moved = document.getElementById('contact-1-down')!;
    expect(document.activeElement).toBe(moved);
    expect(moved).toHaveAccessibleName('Move down contact 2');
    expect(moved).toHaveAttribute('aria-disabled', 'true'); // it is last now
    expect(live.message).toBe('Contact moved to position 2 of 2.');
    expect(screen.getByRole('heading', { name: 'Contact 2: Main office' })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Move up contact 2' }));
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactA, contactB]);
    expect(document.activeElement).toBe(document.getElementById('contact-0-up'));
    expect(live.message).toBe('Contact moved to position 1 of 2.');
  });

  test('reorder with the keyboard alone; a move past the end does nothing', async () => {
    const { state } = setup();
    const user = userEvent.setup();
    document.getElementById('contact-0-down')!.focus();
    await user.keyboard('{Enter}');
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactB, contactA]);
    expect(document.activeElement?.id).toBe('contact-1-down');
    await user.keyboard('{Enter}'); // already last
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactB, contactA]);
    expect(document.activeElement?.id).toBe('contact-1-down');
    await user.keyboard(' '); // Space works too... still last
    document.getElementById('contact-1-up')!.focus();
    await user.keyboard(' ');
    await settle();
    expect(state.contacts.map((c) => c.id)).toEqual([contactA, contactB]);
    expect(document.activeElement?.id).toBe('contact-0-up');
  });

  test('a moved contact keeps what was typed in it', async () => {
    const { state } = setup();
    await userEvent.type(document.getElementById('contact-1-label')!, ' desk');
    await userEvent.click(screen.getByRole('button', { name: 'Move up contact 2' }));
    await settle();
    expect(document.getElementById('contact-0-label')).toHaveValue('Admissions desk');
    expect(state.contacts[0].label).toBe('Admissions desk');
  });

  test('phones and emails: add (focused) and remove', async () => {
    const { state } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Add a phone number to contact 2' }));
    await settle();
    expect(state.contacts[1].phones).toHaveLength(1);
    expect(state.contacts[1].phones[0].kind).toBe('voice');
    expect(document.activeElement).toBe(document.getElementById('contact-1-phone-0-number'));
    await userEvent.type(document.activeElement as HTMLElement, '312-555-0100');
    expect(state.contacts[1].phones[0].number).toBe('312-555-0100');

    await userEvent.click(screen.getByRole('button', { name: 'Remove phone 1 of contact 1' }));
    await settle();
    expect(state.contacts[0].phones.map((p) => p.kind)).toEqual(['fax']);
    expect(document.activeElement).toBe(document.getElementById('contact-0-add-phone'));

    await userEvent.click(screen.getByRole('button', { name: 'Add an email address to contact 1' }));
    await settle();
    expect(state.contacts[0].emails).toHaveLength(2);
    expect(document.activeElement).toBe(document.getElementById('contact-0-email-1-address'));
    await userEvent.click(screen.getByRole('button', { name: 'Remove email 1 of contact 1' }));
    await settle();
    expect(state.contacts[0].emails).toHaveLength(1);
    expect(state.contacts[0].emails[0].address).toBe('');
  });

  test('read-only: the reason is shown, nothing can be changed, no buttons', () => {
    setup({ readonly: true, reason: 'Only editors can change contact details. You are a viewer here.' });
    expect(screen.getByText('Only editors can change contact details. You are a viewer here.')).toBeInTheDocument();
    expect(document.getElementById('contact-0-label')).toHaveAttribute('readonly');
    expect(document.getElementById('contact-0-phone-0-kind')).toBeDisabled();
    expect(screen.queryByRole('button')).toBeNull();
  });

  test('server errors are shown beside the field they name', () => {
    setup({
      errors: {
        'contacts[0].phones[1].number': 'Is not a valid phone number.',
        'contacts[1].address.postal_code': 'Must be a ZIP code such as 60602.',
        'contacts[1]': 'Needs a label, an address, a phone or an email.',
      },
    });
    const number = document.getElementById('contact-0-phone-1-number')!;
    expect(number).toHaveAttribute('aria-invalid', 'true');
    expect(number).toHaveAccessibleDescription(expect.stringContaining('Is not a valid phone number.'));
    const zip = document.getElementById('contact-1-postal-code')!;
    expect(zip).toHaveAttribute('aria-invalid', 'true');
    expect(zip).toHaveAccessibleDescription('Must be a ZIP code such as 60602.');
    expect(document.getElementById('contact-0-phone-0-number')).not.toHaveAttribute('aria-invalid');
    const second = screen.getByRole('heading', { name: 'Contact 2: Admissions' }).closest('li')!;
    expect(within(second).getByText('Needs a label, an address, a phone or an email.')).toBeInTheDocument();
  });

  test('changing the list tells the form its errors are stale', async () => {
    let told = 0;
    const state = $state({ contacts: valuesOf(department()).contacts as ContactValues[] });
    render(ContactsEditor, {
      props: {
        get contacts() {
          return state.contacts;
        },
        set contacts(v: ContactValues[]) {
          state.contacts = v;
        },
        onstructure: () => told++,
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Move down contact 1' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Add a contact' }));
    expect(told).toBe(2);
  });
});
