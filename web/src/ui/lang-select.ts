/**
 * The language choice shown in every page header (and on My Account). Each
 * option names its language in that language, so it stays findable whatever
 * is selected. Changing it switches the whole page at once.
 */
import { LANGUAGES, MESSAGES } from '../../../common/messages.ts';
import { h } from './dom.ts';
import { lang, onLangChange, setLang, type Lang } from './i18n.ts';

export function langSelect(id: string): HTMLElement {
  const select = h('select', { attrs: { id, name: 'lang', autocomplete: 'off' } });
  for (const l of LANGUAGES) {
    // Native names: `lang.en` in English, `lang.de` in German, whatever the page language is.
    const option = h('option', { raw: MESSAGES[l][`lang.${l}`], attrs: { value: l, lang: l } });
    select.append(option);
  }
  select.value = lang();
  select.addEventListener('change', () => setLang(select.value as Lang));
  // Several selects on one page (header and My Account) stay in step; a select gone from the page unsubscribes.
  const unsubscribe = onLangChange((l) => {
    if (!select.isConnected) return void unsubscribe();
    select.value = l;
  });
  return h('div', { class: 'lang-select' }, h('label', { text: 'lang.label', attrs: { for: id } }), select);
}
