/**
 * The console's Search view. The appliance has no search service yet, so a
 * search answers with an honestly worded "no results" line rather than
 * pretending to look anything up.
 */
import { h, replace } from '../ui/dom.ts';

export function searchView(): HTMLElement {
  const input = h('input', { attrs: { type: 'search', id: 'console-search-input', name: 'q', autocomplete: 'off' } });
  const results = h('div', { attrs: { id: 'console-search-results', 'aria-live': 'polite' } });
  const form = h(
    'form',
    { class: 'card inline-form', attrs: { role: 'search', id: 'console-search' } },
    h('div', { class: 'field grow' }, h('label', { text: 'console.search.label', attrs: { for: 'console-search-input' } }), input),
    h('button', { text: 'console.search.submit', class: 'button primary', attrs: { type: 'submit' } }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(results, h('p', { class: 'card muted', text: 'console.search.none' }));
  });
  return h(
    'section',
    { class: 'view', attrs: { id: 'console-search-view', 'aria-labelledby': 'search-title', hidden: true } },
    h('h1', { text: 'console.search.title', attrs: { id: 'search-title' } }),
    form,
    results,
  );
}
