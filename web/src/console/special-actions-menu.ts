/**
 * The "Special actions" menu of a session view (F22 item 6). Shown only while
 * the rep's effective permissions include `specialActions` (it follows live
 * `permissions` changes). Opening it asks the appliance for the current list;
 * picking one opens a confirmation with the command line (and whether it runs
 * as administrator); confirming sends `special_action`. The outcome of runs
 * started here arrives as `special_action_result` and is shown in the notice
 * line; every member sees the run in the event log. Enter/Space opens, arrow
 * keys move, Escape or a click elsewhere closes and focus returns to the button.
 */
import type { SpecialActionInfo } from '../../../common/special-actions.ts';
import { h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import { menuBehaviour } from '../ui/menu-button.ts';
import type { ConsoleContext } from './console-context.ts';

export interface SpecialActionsMenu {
  readonly el: HTMLElement;
  dispose(): void;
}

export function specialActionsMenu(ctx: ConsoleContext, sessionId: string): SpecialActionsMenu {
  const { store } = ctx;
  const panelId = `s-${sessionId}-actions-panel`;
  const button = h('button', {
    class: 'button secondary',
    text: 'console.actions.menu',
    attrs: { type: 'button', 'data-action': 'special-actions', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': panelId },
  });
  const panel = h('div', { class: 'actions-panel', attrs: { id: panelId, hidden: true } });
  const wrap = h('div', { class: 'actions-menu', attrs: { 'data-testid': 'special-actions' } }, button, panel);
  /** Runs started from this view: their results are announced here. */
  const mine = new Set<string>();

  const items = (): HTMLButtonElement[] => [...panel.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
  const close = (focusButton: boolean): void => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton) button.focus();
  };

  const confirmRun = (a: SpecialActionInfo): void => {
    openDialog({
      title: 'console.actions.confirm.title',
      titleArgs: { name: a.name },
      testId: 'special-action-dialog',
      content: [
        h('p', { text: 'console.actions.confirm.text' }),
        h('pre', { class: 'command-line' }, h('code', { raw: a.command })),
        a.elevated ? h('p', { class: 'muted', text: 'console.actions.confirm.elevated' }) : null,
        a.description ? h('p', { class: 'muted', raw: a.description }) : null,
      ],
      confirm: 'console.actions.run',
      danger: a.elevated,
      async onConfirm() {
        const answer = await ctx.link.request({ t: 'special_action', sessionId, actionId: a.id });
        if (answer.t === 'special_action_started') {
          mine.add(answer.runId);
          ctx.notice.info('console.actions.started', { name: answer.name });
        }
      },
    });
  };

  const open = (): void => {
    ctx.link.request({ t: 'list_special_actions' }).then(
      (answer) => {
        if (answer.t !== 'special_actions') return;
        if (answer.actions.length === 0) replace(panel, h('p', { class: 'muted', text: 'console.actions.none' }));
        else {
          const list = h(
            'ul',
            { attrs: { role: 'menu', 'aria-label': button.textContent ?? '' } },
            ...answer.actions.map((a) => {
              const item = h('button', { class: 'actions-item', raw: a.name, attrs: { type: 'button', role: 'menuitem', 'data-action-id': a.id, title: a.description || a.command } });
              item.addEventListener('click', () => {
                close(true);
                confirmRun(a);
              });
              return h('li', { attrs: { role: 'none' } }, item);
            }),
          );
          replace(panel, list);
        }
        panel.hidden = false;
        button.setAttribute('aria-expanded', 'true');
        (items()[0] ?? button).focus();
      },
      (err: unknown) => ctx.notice.error(err),
    );
  };

  button.addEventListener('click', () => (panel.hidden ? open() : close(true)));
  const stopMenu = menuBehaviour(wrap, panel, items, close);

  const render = (): void => {
    // A Shell Jump has no customer client to run them (the appliance refuses with CLIENT_UNSUPPORTED).
    wrap.hidden = !store.permissions.specialActions || ['ssh', 'vnc'].includes(store.sessions.get(sessionId)?.kind ?? '');
    if (wrap.hidden) close(false);
  };
  render();
  const unsubscribe = store.subscribe((topic) => {
    if (topic.kind === 'permissions') render();
    else if (topic.kind === 'special_action' && topic.result.sessionId === sessionId && mine.delete(topic.result.runId)) {
      const r = topic.result;
      if (r.outcome === 'done') ctx.notice.success('console.actions.done', { name: r.name, exitCode: r.exitCode });
      else if (r.outcome === 'refused') ctx.notice.info('console.actions.refused', { name: r.name });
      else if (r.outcome === 'timeout') ctx.notice.info('console.actions.timeout', { name: r.name });
      else ctx.notice.info('console.actions.failed', { name: r.name, output: r.output.slice(-300) });
    }
  });

  return {
    el: wrap,
    dispose() {
      unsubscribe();
      stopMenu();
    },
  };
}
