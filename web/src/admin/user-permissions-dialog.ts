/**
 * The "Permissions" dialog of the Users page: loads the user's own grant,
 * shows it with the shared permission controls, and saves the whole grant.
 * A user also gets what their teams grant; the dialog says so.
 */
import type { RepPermissions } from '../../../common/permissions.ts';
import { api, type PublicUser } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { Notice } from '../ui/notice.ts';
import { permissionFields } from './permissions-form.ts';

export function openUserPermissionsDialog(user: PublicUser, notice: Notice): void {
  const url = `/api/admin/users/${encodeURIComponent(user.id)}/permissions`;
  api<{ permissions: RepPermissions }>('GET', url).then(
    ({ permissions }) => {
      const fields = permissionFields('user', permissions);
      openDialog({
        title: 'perms.user.title',
        titleArgs: { name: user.username },
        testId: 'permissions-dialog',
        content: [h('p', { class: 'muted', text: 'perms.user.help' }), fields.el],
        confirm: 'perms.save',
        async onConfirm() {
          await api<{ permissions: RepPermissions }>('PUT', url, fields.read());
        },
        afterConfirm: () => notice.success('perms.saved', { name: user.username }),
      });
    },
    (err: unknown) => notice.error(err),
  );
}
