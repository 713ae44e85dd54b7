/**
 * Special actions (`/admin/special-actions`, F22 item 6): the commands reps
 * with the special-actions permission can run on a customer's computer from
 * the session view. A form adds one (name, command line, run as
 * administrator, description); each row has Edit (a dialog with the same
 * fields) and Delete (after a confirmation). Reboot and Shut down are
 * predefined and can be edited or deleted like any other. Rows carry
 * `data-testid="action-<name>"`.
 */
import { MAX_ACTION_COMMAND, MAX_ACTION_DESCRIPTION, MAX_ACTION_NAME, type SpecialAction } from '../../../common/special-actions.ts';
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { AdminContext } from './admin-context.ts';

type ActionBody = Pick<SpecialAction, 'name' | 'command' | 'elevated' | 'description'>;

interface ActionFields {
  readonly els: HTMLElement[];
  readonly name: HTMLInputElement;
  read(): ActionBody;
  clear(): void;
}

function actionFields(prefix: string, a?: ActionBody): ActionFields {
  const name = h('input', { attrs: { name: 'name', required: true, maxlength: String(MAX_ACTION_NAME), autocomplete: 'off' } });
  const commandId = `${prefix}-command`;
  const command = h('textarea', { attrs: { id: commandId, name: 'command', required: true, rows: '3', maxlength: String(MAX_ACTION_COMMAND), spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': `${commandId}-hint` } });
  const elevatedId = `${prefix}-elevated`;
  const elevated = h('input', { attrs: { type: 'checkbox', id: elevatedId, name: 'elevated' } });
  const description = h('input', { attrs: { name: 'description', maxlength: String(MAX_ACTION_DESCRIPTION), autocomplete: 'off' } });
  if (a) {
    name.value = a.name;
    command.value = a.command;
    elevated.checked = a.elevated;
    description.value = a.description;
  }
  return {
    name,
    els: [
      field(`${prefix}-name`, 'actions.field.name', name),
      h(
        'div',
        { class: 'field wide' },
        h('label', { text: 'actions.field.command', attrs: { for: commandId } }),
        command,
        h('p', { class: 'hint', text: 'actions.field.command.help', attrs: { id: `${commandId}-hint` } }),
      ),
      h('div', { class: 'field check' }, elevated, h('label', { text: 'actions.field.elevated', attrs: { for: elevatedId } })),
      field(`${prefix}-description`, 'actions.field.description', description),
    ],
    read: () => ({ name: name.value.trim(), command: command.value, elevated: elevated.checked, description: description.value.trim() }),
    clear() {
      name.value = command.value = description.value = '';
      elevated.checked = false;
    },
  };
}

export function specialActionsView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const cols = ['actions.col.name', 'actions.col.command', 'actions.col.elevated', 'actions.col.description', 'actions.col.actions'] as const;
  const table = h(
    'table',
    { class: 'data-table', attrs: { id: 'action-table', 'aria-labelledby': 'action-list-title' } },
    h('thead', {}, h('tr', {}, ...cols.map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
    body,
  );
  const showEmpty = (): void => replace(body, h('tr', { class: 'empty-row' }, h('td', { text: 'actions.empty', attrs: { colspan: String(cols.length) } })));

  const row = (a: SpecialAction): HTMLTableRowElement => {
    const edit = h('button', { class: 'button secondary small', text: 'actions.edit', attrs: { type: 'button', 'data-action': 'edit' } });
    const del = h('button', { class: 'button danger small', text: 'actions.delete', attrs: { type: 'button', 'data-action': 'delete' } });
    const tr = h(
      'tr',
      { attrs: { 'data-testid': `action-${a.name}`, 'data-id': a.id } },
      h('td', { raw: a.name }),
      h('td', {}, h('code', { raw: a.command })),
      h('td', { text: a.elevated ? 'common.yes' : 'common.no' }),
      h('td', { raw: a.description }),
      h('td', { class: 'actions' }, edit, del),
    );
    edit.addEventListener('click', () => {
      const fields = actionFields('edit-action', a);
      let updated = a;
      openDialog({
        title: 'actions.edit.title',
        titleArgs: { name: a.name },
        testId: 'edit-action-dialog',
        content: fields.els,
        confirm: 'common.save',
        async onConfirm() {
          ({ action: updated } = await api<{ action: SpecialAction }>('PUT', `/api/admin/special-actions/${encodeURIComponent(a.id)}`, fields.read()));
        },
        afterConfirm: () => {
          const fresh = row(updated);
          tr.replaceWith(fresh);
          fresh.querySelector<HTMLButtonElement>('[data-action="edit"]')?.focus();
          notice.success('actions.saved', { name: updated.name });
        },
      });
    });
    del.addEventListener('click', () => {
      openDialog({
        title: 'actions.delete.title',
        titleArgs: { name: a.name },
        content: [h('p', { text: 'actions.delete.text' })],
        confirm: 'actions.delete',
        danger: true,
        testId: 'delete-action-dialog',
        async onConfirm() {
          await api('DELETE', `/api/admin/special-actions/${encodeURIComponent(a.id)}`);
        },
        afterConfirm: () => {
          tr.remove();
          if (!body.firstChild) showEmpty();
          notice.success('actions.deleted', { name: a.name });
          create.name.focus();
        },
      });
    });
    return tr;
  };

  const load = (): void => {
    api<{ actions: SpecialAction[] }>('GET', '/api/admin/special-actions').then(
      ({ actions }) => (actions.length === 0 ? showEmpty() : replace(body, ...actions.map(row))),
      (err: unknown) => notice.error(err),
    );
  };
  load();

  const create = actionFields('new-action');
  const submit = h('button', { text: 'actions.create.submit', class: 'button primary', attrs: { type: 'submit', id: 'create-action' } });
  const form = h(
    'form',
    { class: 'card form-grid', attrs: { id: 'create-action-form', 'aria-labelledby': 'create-action-title', novalidate: true } },
    h('h2', { text: 'actions.create.title', attrs: { id: 'create-action-title' } }),
    ...create.els,
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    api<{ action: SpecialAction }>('POST', '/api/admin/special-actions', create.read()).then(
      ({ action }) => {
        submit.disabled = false;
        body.querySelector('.empty-row')?.remove();
        body.append(row(action));
        create.clear();
        create.name.focus();
        notice.success('actions.created', { name: action.name });
      },
      (err: unknown) => {
        submit.disabled = false;
        notice.error(err);
      },
    );
  });

  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'view-title' } },
    h('h1', { text: 'actions.title', attrs: { id: 'view-title' } }),
    h('p', { class: 'muted', text: 'actions.intro' }),
    notice.el,
    h('section', { class: 'card table-card', attrs: { 'aria-labelledby': 'action-list-title' } }, h('h2', { class: 'visually-hidden', text: 'actions.title', attrs: { id: 'action-list-title' } }), table),
    form,
  );
}
