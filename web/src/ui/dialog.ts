/**
 * A modal dialog on the native `<dialog>` element: `showModal` makes the rest
 * of the page inert and keeps Tab inside; Escape cancels; Enter submits the
 * form. Focus goes to the first field (or to Cancel for a confirmation of a
 * destructive action) and returns to the opener on close. The confirm
 * handler runs with the buttons disabled; if it throws, the error is shown
 * in the dialog and it stays open.
 */
import { h, type Child } from './dom.ts';
import { bindError } from './error-text.ts';
import { type Args, type MessageKey } from './i18n.ts';

export interface DialogOptions {
  title: MessageKey;
  titleArgs?: Args;
  content: Child[];
  confirm: MessageKey;
  /** A destructive action: the confirm button is red and Cancel gets the first focus. */
  danger?: boolean;
  onConfirm(): Promise<void>;
  /** Runs after a confirmed dialog closed and focus went back, e.g. to redraw the opener's row. */
  afterConfirm?(): void;
  /** data-testid of the dialog. */
  testId?: string;
}

let nextId = 0;

export function openDialog(opts: DialogOptions): HTMLDialogElement {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = `dialog-title-${++nextId}`;
  const error = h('p', { class: 'dialog-error', attrs: { role: 'alert' } });
  const cancel = h('button', { text: 'common.cancel', class: 'button secondary', attrs: { type: 'button', value: 'cancel' } });
  const confirm = h('button', { text: opts.confirm, class: opts.danger ? 'button danger' : 'button primary', attrs: { type: 'submit' } });
  const form = h(
    'form',
    // Checks are the appliance's (coded, in the page language), not the browser's bubbles.
    { class: 'dialog-form', attrs: { novalidate: true } },
    h('h2', { text: opts.title, args: opts.titleArgs, attrs: { id: titleId } }),
    ...opts.content,
    error,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': titleId, 'data-testid': opts.testId } }, form);

  let confirmed = false;
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    if (confirmed) opts.afterConfirm?.();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    confirm.disabled = cancel.disabled = true;
    error.textContent = '';
    opts.onConfirm().then(
      () => {
        confirmed = true;
        dialog.close();
      },
      (err: unknown) => {
        bindError(error, err);
        confirm.disabled = cancel.disabled = false;
        form.querySelector<HTMLInputElement>('input:not([hidden])')?.focus();
      },
    );
  });

  document.body.append(dialog);
  dialog.showModal();
  const first = opts.danger ? cancel : (form.querySelector<HTMLElement>('input:not([hidden]), select') ?? confirm);
  first.focus();
  return dialog;
}
