/**
 * The "Permissions" dialog of the Users page: loads the user's own grant,
 * shows it with the shared permission controls, and saves the whole grant.
 * A user also gets what their teams grant; the dialog says so and shows the
 * effective set (own grant merged with the teams') as it is now.
 */
import type { RepPermissions } from '../../../common/permissions.ts';
import { api, type PublicUser } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { Notice } from '../ui/notice.ts';
import { permissionFields, permissionSummary } from './permissions-form.ts';

export function openUserPermissionsDialog(user: PublicUser, notice: Notice): void {
  const url = `/api/admin/users/${encodeURIComponent(user.id)}/permissions`;
  api<{ permissions: RepPermissions; effective: RepPermissions }>('GET', url).then(
    ({ permissions, effective }) => {
      const fields = permissionFields('user', permissions);
      openDialog({
        title: 'perms.user.title',
        titleArgs: { name: user.username },
        testId: 'permissions-dialog',
        content: [h('p', { class: 'muted', text: 'perms.user.help' }), permissionSummary(effective, 'effective-permissions'), fields.el],
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
