/**
 * What a /login-area view gets: the signed-in user (as `/api/auth/me` sent
 * it), the screen's message line, and in-app navigation. A view is a
 * function returning its root element; it loads its own data.
 */
import type { Me } from '../net/api.ts';
import type { Notice } from '../ui/notice.ts';

export interface AdminContext {
  readonly me: Me;
  readonly notice: Notice;
  navigate(path: string): void;
}

export type View = (ctx: AdminContext) => HTMLElement;
