/**
 * The "Reset password" dialog of the Users page: one new-password field;
 * the appliance ends every sign-in of that user when it is set.
 */
import { api, type PublicUser } from '../net/api.ts';
import { field, h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';

export function openResetPasswordDialog(user: PublicUser, onDone: (updated: PublicUser) => void): void {
  let updated: PublicUser = user;
  const password = h('input', { attrs: { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: '10', maxlength: '256' } });
  openDialog({
    title: 'users.reset.title',
    titleArgs: { name: user.username },
    testId: 'reset-password-dialog',
    content: [
      // Lets password managers file the new password under the right account.
      h('input', { attrs: { type: 'text', name: 'username', autocomplete: 'username', value: user.username, hidden: true, readonly: true } }),
      field('reset-password-input', 'users.reset.field', password, 'users.field.passwordHint'), h('p', { class: 'muted', text: 'users.reset.note' }),
    ],
    confirm: 'users.reset.submit',
    async onConfirm() {
      ({ user: updated } = await api<{ user: PublicUser }>('POST', `/api/admin/users/${encodeURIComponent(user.id)}/password`, { password: password.value }));
    },
    afterConfirm: () => onDone(updated),
  });
}
