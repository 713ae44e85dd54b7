/**
 * Browser keys → X keysyms for screen control. Printable characters go by
 * `KeyboardEvent.key`, so the rep's keyboard layout decides the character
 * (a German rep's "z" is a "z" on the customer's side too); everything else
 * goes by `KeyboardEvent.code` (the physical key). Latin-1 characters are
 * their own keysym, other characters U+XXXX are 0x01000000 + code point
 * (X11 keysymdef.h, "Unicode" keysyms). Pure; no DOM needed.
 */

/** Keysyms by physical key, for keys that do not type a character. */
export const CODE_KEYSYMS: Readonly<Record<string, number>> = {
  Enter: 0xff0d,
  NumpadEnter: 0xff8d,
  Backspace: 0xff08,
  Tab: 0xff09,
  Escape: 0xff1b,
  Delete: 0xffff,
  Insert: 0xff63,
  Home: 0xff50,
  End: 0xff57,
  PageUp: 0xff55,
  PageDown: 0xff56,
  ArrowLeft: 0xff51,
  ArrowUp: 0xff52,
  ArrowRight: 0xff53,
  ArrowDown: 0xff54,
  ShiftLeft: 0xffe1,
  ShiftRight: 0xffe2,
  ControlLeft: 0xffe3,
  ControlRight: 0xffe4,
  CapsLock: 0xffe5,
  AltLeft: 0xffe9,
  AltRight: 0xffea,
  MetaLeft: 0xffeb,
  MetaRight: 0xffec,
  ContextMenu: 0xff67,
  PrintScreen: 0xff61,
  ScrollLock: 0xff14,
  Pause: 0xff13,
  NumLock: 0xff7f,
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`F${i + 1}`, 0xffbe + i])),
};

/** Named keysyms the virtual keyboard sends. */
export const KEYSYM = {
  Escape: 0xff1b,
  Tab: 0xff09,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Control: 0xffe3,
  Alt: 0xffe9,
  Super: 0xffeb,
  F1: 0xffbe,
} as const;

/** The keysym of one character. */
export function charKeysym(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x01000000 + cp;
}

/** The keysym for a key event, or undefined for keys with no X equivalent (dead keys, IME). */
export function keysymOf(ev: { key: string; code: string }): number | undefined {
  const byCode = CODE_KEYSYMS[ev.code];
  // A key that types one character (one code point) goes by that character, whatever the layout.
  if ([...ev.key].length === 1 && ev.code !== 'NumpadEnter') return charKeysym(ev.key);
  if (byCode !== undefined) return byCode;
  if (ev.key === 'Enter') return 0xff0d;
  return undefined;
}
