/**
 * xterm.js styles under the console's Content-Security-Policy. xterm.js
 * writes its theme and cell sizes into `<style>` elements it creates and
 * appends; `style-src 'self'` (appliance/src/http/kit.ts) refuses inline
 * style elements, and rightly so for markup. This module, installed once
 * before the first terminal opens, keeps such elements out of the document
 * and mirrors each one's text into a constructed stylesheet adopted by the
 * document instead (CSP permits those: they are script-made, not markup),
 * updated whenever xterm.js rewrites the text and dropped when xterm.js
 * removes the element. So terminals render correctly and no CSP violation
 * is logged.
 *
 * It patches `Node.prototype.appendChild`/`insertBefore` for
 * HTMLStyleElement children only; the console itself never creates style
 * elements (the CSP would refuse them), so only xterm.js's pass here.
 */

const mirrored = new WeakMap<HTMLStyleElement, { sheet: CSSStyleSheet; observer: MutationObserver }>();
let installed = false;

function adopt(style: HTMLStyleElement): void {
  if (mirrored.has(style)) return;
  const sheet = new CSSStyleSheet();
  const sync = (): void => sheet.replaceSync(style.textContent ?? '');
  sync();
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  // Observing works on a detached element too: xterm.js sets the text after appending.
  const observer = new MutationObserver(sync);
  observer.observe(style, { childList: true, characterData: true, subtree: true });
  mirrored.set(style, { sheet, observer });
}

function drop(style: HTMLStyleElement): void {
  const m = mirrored.get(style);
  if (!m) return;
  m.observer.disconnect();
  mirrored.delete(style);
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== m.sheet);
}

/** Installs the mirror (idempotent). Call before creating an xterm.js Terminal. */
export function installXtermStyleMirror(): void {
  if (installed) return;
  installed = true;
  const append = Node.prototype.appendChild;
  const insert = Node.prototype.insertBefore;
  const remove = Element.prototype.remove;
  Node.prototype.appendChild = function <T extends Node>(this: Node, node: T): T {
    if (node instanceof HTMLStyleElement) {
      adopt(node);
      return node;
    }
    return append.call(this, node) as T;
  };
  Node.prototype.insertBefore = function <T extends Node>(this: Node, node: T, child: Node | null): T {
    if (node instanceof HTMLStyleElement) {
      adopt(node);
      return node;
    }
    return insert.call(this, node, child) as T;
  };
  Element.prototype.remove = function (this: Element): void {
    if (this instanceof HTMLStyleElement) drop(this);
    remove.call(this);
  };
}
