/**
 * How the customer gets and runs the customer client once the portal has a
 * way in (a checked key, a key URL, a rep pick or the issue form): a download
 * link, the file's SHA-256 to compare, and the command to run. The file is
 * fetched here first so the hash shown is the one the appliance sent for
 * exactly this file (per-session builds differ from the plain one).
 */
import { h, replace } from '../ui/dom.ts';
import { bindText } from '../ui/i18n.ts';

/** The command line the customer runs, or undefined when the file carries its own access token. */
export interface DownloadOptions {
  url: string;
  file: string;
  command?: string;
}

export function downloadPanel(opts: DownloadOptions): HTMLElement {
  const status = h('p', { class: 'muted', text: 'portal.download.preparing', attrs: { 'aria-live': 'polite' } });
  const body = h('div', { class: 'download-body' }, status);
  const panel = h(
    'section',
    { class: 'card download-panel', attrs: { id: 'download-panel', 'aria-labelledby': 'download-title', tabindex: '-1' } },
    h('h2', { text: 'portal.download.title', attrs: { id: 'download-title' } }),
    body,
  );
  fetch(opts.url, { credentials: 'same-origin', cache: 'no-store' }).then(
    async (res) => {
      if (!res.ok) throw new Error(String(res.status));
      const sha = res.headers.get('X-Content-SHA256') ?? '';
      const blob = await res.blob();
      const href = URL.createObjectURL(blob);
      const steps = h(
        'ol',
        { class: 'steps' },
        h('li', {}, h('a', { class: 'button primary', text: 'portal.download.link', args: { file: opts.file }, attrs: { href, download: opts.file, id: 'download-link' } })),
        h('li', {}, h('span', { text: 'portal.download.sha' }), ' ', h('code', { class: 'sha', raw: sha, attrs: { id: 'download-sha' } })),
        h(
          'li',
          {},
          h('span', { text: opts.command ? 'portal.download.run' : 'portal.download.runToken' }),
          ' ',
          h('code', { class: 'command', raw: opts.command ?? `node ${opts.file}`, attrs: { id: 'download-command' } }),
        ),
        h('li', { text: 'portal.download.wait' }),
      );
      replace(body, steps);
    },
    () => {
      status.className = 'form-error';
      bindText(status, 'portal.download.failed');
    },
  );
  queueMicrotask(() => panel.focus());
  return panel;
}
