// Component tests in jsdom. jsdom has no layout and no editing: it cannot
// type into a contenteditable (ProseMirror reads typing from DOM mutations
// and beforeinput), Range has no getClientRects, and <dialog> has no
// showModal. So text and selections are set up through the toolbar and
// ProseMirror's own keymap (Ctrl+A selects all), and what typing would do is
// covered on EditorState in commands.test.ts.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import RichTextEditor from './RichTextEditor.svelte';

beforeAll(() => {
  // What jsdom lacks and ProseMirror or the link dialog call.
  const empty = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getClientRects ??= empty;
  Range.prototype.getBoundingClientRect ??= () => new DOMRect();
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
});

afterEach(cleanup);

function setup(props: Partial<{ value: string; readonly: boolean; invalid: boolean; describedby: string }> = {}) {
  const onchange = vi.fn();
  const label = document.createElement('span');
  label.id = 'desc-label';
  label.textContent = 'Description';
  document.body.append(label);
  const result = render(RichTextEditor, {
    props: { id: 'desc', labelledby: 'desc-label', value: '<p>Hello world</p>', onchange, ...props },
  });
  const textbox = screen.getByRole('textbox', { name: 'Description' });
  return { ...result, onchange, textbox };
}

function selectAll(textbox: HTMLElement) {
  fireEvent.keyDown(textbox, { key: 'a', code: 'KeyA', ctrlKey: true });
}

describe('RichTextEditor', () => {
  it('renders a labelled, multi-line text box with the given id and a toolbar', () => {
    const { textbox } = setup({ describedby: 'desc-hint' });
    expect(textbox.id).toBe('desc');
    expect(textbox).toHaveAttribute('aria-multiline', 'true');
    expect(textbox).toHaveAttribute('contenteditable', 'true');
    expect(textbox.getAttribute('aria-describedby')).toBe('desc-hint desc-keys');
    expect(textbox).toHaveAttribute('aria-invalid', 'false');
    expect(textbox.innerHTML).toContain('<p>Hello world</p>');
    const toolbar = screen.getByRole('toolbar', { name: 'Text formatting' });
    const buttons = Array.from(toolbar.querySelectorAll('button'));
    expect(buttons.map((b) => b.textContent)).toEqual([
      'Bold', 'Italic', 'Link', 'Bullet list', 'Numbered list', 'Outdent', 'Indent', 'Quote', 'Undo', 'Redo',
    ]);
    expect(screen.getByRole('combobox', { name: 'Style' })).toBeInTheDocument();
    expect(screen.getByText(/Ctrl\+\] and Ctrl\+\[ indent/)).toHaveAttribute('id', 'desc-keys');
    // No style attributes anywhere (the CSP forbids them).
    expect(document.body.querySelector('[style]')).toBeNull();
  });

  it('has one tab stop in the toolbar and moves with the arrow keys', async () => {
    setup();
    const toolbar = screen.getByRole('toolbar');
    const items = Array.from(toolbar.querySelectorAll<HTMLElement>('[data-tool]'));
    expect(items.filter((el) => el.tabIndex === 0)).toHaveLength(1);
    items[0].focus();
    await fireEvent.keyDown(items[0], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Bold' }));
    expect(items.filter((el) => el.tabIndex === 0)).toEqual([items[1]]);
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Redo' }));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(items[0]);
  });

  it('toggles bold on the selection from the toolbar and reports the HTML', async () => {
    const { textbox, onchange } = setup();
    const bold = screen.getByRole('button', { name: 'Bold' });
    expect(bold).toHaveAttribute('aria-pressed', 'false');
    selectAll(textbox);
    await fireEvent.click(bold);
    expect(onchange).toHaveBeenLastCalledWith('<p><strong>Hello world</strong></p>');
    expect(bold).toHaveAttribute('aria-pressed', 'true');
    expect(textbox.innerHTML).toContain('<strong>Hello world</strong>');
    await fireEvent.click(bold);
    expect(onchange).toHaveBeenLastCalledWith('<p>Hello world</p>');
    expect(bold).toHaveAttribute('aria-pressed', 'false');
    // Undo brings the bold back.
    await fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(onchange).toHaveBeenLastCalledWith('<p><strong>Hello world</strong></p>');
  });

  it('runs the keyboard shortcuts', async () => {
    const { textbox, onchange } = setup();
    selectAll(textbox);
    await fireEvent.keyDown(textbox, { key: 'i', code: 'KeyI', ctrlKey: true });
    expect(onchange).toHaveBeenLastCalledWith('<p><em>Hello world</em></p>');
    await fireEvent.keyDown(textbox, { key: 'z', code: 'KeyZ', ctrlKey: true });
    expect(onchange).toHaveBeenLastCalledWith('<p>Hello world</p>');
    await fireEvent.keyDown(textbox, { key: 'y', code: 'KeyY', ctrlKey: true });
    expect(onchange).toHaveBeenLastCalledWith('<p><em>Hello world</em></p>');
  });

  it('makes lists, headings and quotes', async () => {
    const { textbox, onchange } = setup({ value: '<p>One</p><p>Two</p>' });
    selectAll(textbox);
    await fireEvent.click(screen.getByRole('button', { name: 'Bullet list' }));
    expect(onchange).toHaveBeenLastCalledWith('<ul><li>One</li><li>Two</li></ul>');
    expect(screen.getByRole('button', { name: 'Bullet list' })).toHaveAttribute('aria-pressed', 'true');
    await fireEvent.click(screen.getByRole('button', { name: 'Numbered list' }));
    expect(onchange).toHaveBeenLastCalledWith('<ol><li>One</li><li>Two</li></ol>');
    await fireEvent.click(screen.getByRole('button', { name: 'Numbered list' }));
    expect(onchange).toHaveBeenLastCalledWith('<p>One</p><p>Two</p>');
    selectAll(textbox);
    await fireEvent.change(screen.getByRole('combobox', { name: 'Style' }), { target: { value: 'h3' } });
    expect(onchange).toHaveBeenLastCalledWith('<h3>One</h3><h3>Two</h3>');
    await fireEvent.click(screen.getByRole('button', { name: 'Quote' }));
    expect(onchange).toHaveBeenLastCalledWith('<blockquote><h3>One</h3><h3>Two</h3></blockquote>');
    await fireEvent.click(screen.getByRole('button', { name: 'Quote' }));
    expect(onchange).toHaveBeenLastCalledWith('<h3>One</h3><h3>Two</h3>');
  });

  it('adds, refuses and removes links through the dialog', async () => {
    const { textbox, onchange } = setup();
    selectAll(textbox);
    await fireEvent.keyDown(textbox, { key: 'k', code: 'KeyK', ctrlKey: true });
    const dialog = screen.getByRole('dialog', { name: 'Add a link' });
    const url = screen.getByLabelText('Web page or email address');
    await fireEvent.input(url, { target: { value: 'javascript:alert(1)' } });
    await fireEvent.keyDown(url, { key: 'Enter' });
    expect(screen.getByText(/Links can only go to web pages/)).toBeInTheDocument();
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(onchange).not.toHaveBeenCalled();
    await fireEvent.input(url, { target: { value: 'www.cps.edu/academics' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add link' }));
    expect(onchange).toHaveBeenLastCalledWith('<p><a href="https://www.cps.edu/academics" rel="noopener">Hello world</a></p>');
    expect(dialog).not.toHaveAttribute('open');
  });

  it('edits and removes the link the cursor is in', async () => {
    const { onchange } = setup({ value: '<p><a href="https://cps.edu/" rel="noopener">Hello</a> world</p>' });
    // The cursor starts at the beginning of the text, inside the link.
    await fireEvent.click(screen.getByRole('button', { name: 'Edit link' }));
    expect(screen.getByRole('dialog', { name: 'Edit link' })).toHaveAttribute('open');
    const url = screen.getByLabelText('Web page or email address');
    expect(url).toHaveValue('https://cps.edu/');
    expect(screen.queryByLabelText('Text to show')).toBeNull();
    await fireEvent.input(url, { target: { value: 'name@cps.edu' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save link' }));
    expect(onchange).toHaveBeenLastCalledWith('<p><a href="mailto:name@cps.edu" rel="noopener">Hello</a> world</p>');
    await fireEvent.click(screen.getByRole('button', { name: 'Edit link' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove link' }));
    expect(onchange).toHaveBeenLastCalledWith('<p>Hello world</p>');
  });

  it('is read only when asked: not editable, toolbar disabled, and says so', () => {
    const { textbox } = setup({ readonly: true });
    expect(textbox).toHaveAttribute('contenteditable', 'false');
    expect(textbox).toHaveAttribute('aria-readonly', 'true');
    expect(textbox).toHaveAttribute('tabindex', '0');
    expect(textbox.getAttribute('aria-describedby')).toContain('desc-readonly');
    expect(screen.getByText(/Read only/)).toHaveAttribute('id', 'desc-readonly');
    for (const button of screen.getByRole('toolbar').querySelectorAll('button, select')) expect(button).toBeDisabled();
  });

  it('shows an error state', async () => {
    const { textbox, container, rerender } = setup({ invalid: true });
    expect(textbox).toHaveAttribute('aria-invalid', 'true');
    expect(container.querySelector('.invalid > .editor-frame')).not.toBeNull();
    await rerender({ invalid: false });
    expect(textbox).toHaveAttribute('aria-invalid', 'false');
  });

  it('replaces its content when value changes from outside, without calling onchange', async () => {
    const { textbox, onchange, rerender } = setup();
    await rerender({ value: '<h2>Restored</h2><ul><li>draft</li></ul>' });
    expect(textbox.innerHTML).toContain('<h2>Restored</h2>');
    expect(textbox.innerHTML).toContain('draft');
    expect(onchange).not.toHaveBeenCalled();
    // The undo history starts again from the new content.
    expect(screen.getByRole('button', { name: 'Undo' })).toHaveAttribute('aria-disabled', 'true');
    // Setting value to what the editor just emitted changes nothing.
    selectAll(textbox);
    await fireEvent.click(screen.getByRole('button', { name: 'Italic' }));
    const emitted = onchange.mock.calls.at(-1)![0];
    expect(emitted).toBe('<h2><em>Restored</em></h2><ul><li><em>draft</em></li></ul>');
    await rerender({ value: emitted });
    expect(screen.getByRole('button', { name: 'Undo' })).toHaveAttribute('aria-disabled', 'false');
    expect(onchange).toHaveBeenCalledTimes(1);
  });

  it('can be focused from outside (error summary links)', () => {
    const { component, textbox } = setup();
    component.focus();
    expect(document.activeElement).toBe(textbox);
  });
});
