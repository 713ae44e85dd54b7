/**
 * The route table of the /login area: path → view and whether it needs an
 * administrator. `/login` and `/admin` are entry points that resolve to a
 * route (see `resolve`).
 */
import { accountView } from './account-view.ts';
import type { View } from './admin-context.ts';
import { issuesView } from './issues-view.ts';
import { mailView } from './mail-view.ts';
import { securityView } from './security-view.ts';
import { statusView } from './status-view.ts';
import { apiAccountsView } from './api-accounts-view.ts';
import { webhooksView } from './webhooks-view.ts';
import { jumpPoliciesView } from './jump-policies-view.ts';
import { reportsView } from './reports-view.ts';
import { specialActionsView } from './special-actions-view.ts';
import { teamsView } from './teams-view.ts';
import { usersView } from './users-view.ts';
import { vaultView } from './vault-view.ts';

export interface Route {
  readonly view: View;
  readonly adminOnly: boolean;
}

export const ROUTES: Readonly<Record<string, Route>> = {
  '/account': { view: accountView, adminOnly: false },
  '/reports': { view: reportsView, adminOnly: false },
  '/admin/users': { view: usersView, adminOnly: true },
  '/admin/teams': { view: teamsView, adminOnly: true },
  '/admin/security': { view: securityView, adminOnly: true },
  '/admin/issues': { view: issuesView, adminOnly: true },
  '/admin/mail': { view: mailView, adminOnly: true },
  '/admin/api': { view: apiAccountsView, adminOnly: true },
  '/admin/webhooks': { view: webhooksView, adminOnly: true },
  '/admin/jump-policies': { view: jumpPoliciesView, adminOnly: true },
  '/admin/vault': { view: vaultView, adminOnly: true },
  '/admin/status': { view: statusView, adminOnly: true },
  '/admin/special-actions': { view: specialActionsView, adminOnly: true },
};

/** Where a signed-in user lands for `path`: `/login` → My Account, `/admin` → Users (or My Account for non-admins). */
export function resolve(path: string, admin: boolean): string {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/login') return '/account';
  if (clean === '/admin') return admin ? '/admin/users' : '/account';
  return clean;
}
