/**
 * The "Recording" card of the Security page: whether command shells are
 * recorded (F23). Off by default; when on, every shell started from then on
 * is stored with its session as a recording and a plain-text transcript.
 */
import { api } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import type { AdminContext } from './admin-context.ts';

interface RecordingSettings {
  recordShells: boolean;
}

export function recordingForm(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const record = h('input', { attrs: { type: 'checkbox', id: 'record-shells', name: 'recordShells', 'aria-describedby': 'record-shells-help', disabled: true } });
  const save = h('button', { text: 'common.save', class: 'button primary', attrs: { type: 'submit', id: 'save-recording', disabled: true } });
  const form = h(
    'form',
    { class: 'card', attrs: { id: 'recording-form', 'aria-labelledby': 'recording-title' } },
    h('h2', { text: 'recording.title', attrs: { id: 'recording-title' } }),
    h('div', { class: 'field check' }, record, h('label', { text: 'recording.shells', attrs: { for: 'record-shells' } })),
    h('p', { class: 'hint', text: 'recording.shells.help', attrs: { id: 'record-shells-help' } }),
    h('div', { class: 'form-actions' }, save),
  );
  api<RecordingSettings>('GET', '/api/admin/settings/recording').then(
    (s) => {
      record.checked = s.recordShells;
      record.disabled = save.disabled = false;
    },
    (err: unknown) => notice.error(err),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save.disabled = true;
    api<RecordingSettings>('PUT', '/api/admin/settings/recording', { recordShells: record.checked }).then(
      (s) => {
        record.checked = s.recordShells;
        save.disabled = false;
        notice.success('recording.saved');
      },
      (err: unknown) => {
        save.disabled = false;
        notice.error(err);
      },
    );
  });
  return form;
}
