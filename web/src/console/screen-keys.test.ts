// Key mapping: characters by layout (key), other keys by position (code).
import t from 'tap';
import { charKeysym, keysymOf } from './screen-keys.ts';

t.test('printable characters follow the layout', async (t) => {
  t.equal(keysymOf({ key: 'z', code: 'KeyY' }), 0x7a, 'German layout: the key at Y types z');
  t.equal(keysymOf({ key: 'Z', code: 'KeyY' }), 0x5a);
  t.equal(keysymOf({ key: '>', code: 'Period' }), 0x3e);
  t.equal(keysymOf({ key: ' ', code: 'Space' }), 0x20);
  t.equal(keysymOf({ key: 'ü', code: 'BracketLeft' }), 0xfc, 'Latin-1 is its own keysym');
  t.equal(keysymOf({ key: '€', code: 'KeyE' }), 0x010020ac, 'other characters are Unicode keysyms');
  t.equal(charKeysym('😀'), 0x0101f600);
});

t.test('other keys follow the physical key', async (t) => {
  t.equal(keysymOf({ key: 'Enter', code: 'Enter' }), 0xff0d);
  t.equal(keysymOf({ key: 'Shift', code: 'ShiftRight' }), 0xffe2);
  t.equal(keysymOf({ key: 'F12', code: 'F12' }), 0xffc9);
  t.equal(keysymOf({ key: 'ArrowLeft', code: 'ArrowLeft' }), 0xff51);
  t.equal(keysymOf({ key: 'Dead', code: 'Equal' }), undefined, 'dead keys send nothing');
});
