/**
 * The rep's mouse and keyboard on the screen canvas, as screen-channel input
 * messages. Attached only while this rep holds control (a view-only rep's
 * canvas has no input handlers at all) and detached on release; detaching
 * releases every key and button still held. Pointer coordinates are
 * converted from the canvas's displayed size to the remote screen's pixels;
 * moves are coalesced to one per animation frame.
 */
import { keysymOf } from './screen-keys.ts';

export type SendInput = (msg: Record<string, unknown>) => void;

/** Browser `buttons` bits (1 left, 2 right, 4 middle) → protocol bits (1 left, 2 middle, 4 right). */
function buttonMask(b: number): number {
  return (b & 1) | ((b & 4) >> 1) | ((b & 2) << 1);
}

/** Wheel: one step per 100 px (or 3 lines), at most 10 a message. */
const WHEEL_STEP_PX = 100;

export function attachInput(canvas: HTMLCanvasElement, send: SendInput): () => void {
  let pending: { x: number; y: number; buttons: number } | undefined;
  let raf = 0;
  let wheelAcc = { x: 0, y: 0 };
  const held = new Map<string, number>(); // code → keysym sent on keydown

  const point = (ev: MouseEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    const x = Math.floor(((ev.clientX - r.left) / r.width) * canvas.width);
    const y = Math.floor(((ev.clientY - r.top) / r.height) * canvas.height);
    return { x: Math.max(0, Math.min(canvas.width - 1, x)), y: Math.max(0, Math.min(canvas.height - 1, y)) };
  };
  const flush = (): void => {
    raf = 0;
    if (pending) send({ t: 'pointer', ...pending });
    pending = undefined;
  };
  const move = (ev: MouseEvent): void => {
    pending = { ...point(ev), buttons: buttonMask(ev.buttons) };
    if (!raf) raf = requestAnimationFrame(flush);
  };
  const button = (ev: MouseEvent): void => {
    ev.preventDefault();
    canvas.focus({ preventScroll: true });
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
    pending = undefined;
    send({ t: 'pointer', ...point(ev), buttons: buttonMask(ev.buttons) });
  };
  const wheel = (ev: WheelEvent): void => {
    ev.preventDefault();
    const scale = ev.deltaMode === 1 ? WHEEL_STEP_PX / 3 : ev.deltaMode === 2 ? WHEEL_STEP_PX * 3 : 1;
    wheelAcc = { x: wheelAcc.x + ev.deltaX * scale, y: wheelAcc.y + ev.deltaY * scale };
    const dx = Math.max(-10, Math.min(10, Math.trunc(wheelAcc.x / WHEEL_STEP_PX)));
    const dy = Math.max(-10, Math.min(10, Math.trunc(wheelAcc.y / WHEEL_STEP_PX)));
    if (!dx && !dy) return;
    wheelAcc = { x: wheelAcc.x - dx * WHEEL_STEP_PX, y: wheelAcc.y - dy * WHEEL_STEP_PX };
    send({ t: 'wheel', dx, dy });
  };
  const keydown = (ev: KeyboardEvent): void => {
    if (ev.isComposing) return;
    const keysym = held.get(ev.code) ?? keysymOf(ev);
    ev.preventDefault();
    if (keysym === undefined) return;
    held.set(ev.code, keysym);
    send({ t: 'key', keysym, down: true });
  };
  const keyup = (ev: KeyboardEvent): void => {
    const keysym = held.get(ev.code);
    ev.preventDefault();
    if (keysym === undefined) return;
    held.delete(ev.code);
    send({ t: 'key', keysym, down: false });
  };
  const releaseAll = (): void => {
    if (held.size === 0) return;
    held.clear();
    send({ t: 'release_all' });
  };
  const noMenu = (ev: Event): void => ev.preventDefault();

  canvas.addEventListener('mousemove', move);
  canvas.addEventListener('mousedown', button);
  canvas.addEventListener('mouseup', button);
  canvas.addEventListener('wheel', wheel, { passive: false });
  canvas.addEventListener('keydown', keydown);
  canvas.addEventListener('keyup', keyup);
  canvas.addEventListener('blur', releaseAll);
  canvas.addEventListener('contextmenu', noMenu);
  canvas.classList.add('controlling');
  return () => {
    canvas.removeEventListener('mousemove', move);
    canvas.removeEventListener('mousedown', button);
    canvas.removeEventListener('mouseup', button);
    canvas.removeEventListener('wheel', wheel);
    canvas.removeEventListener('keydown', keydown);
    canvas.removeEventListener('keyup', keyup);
    canvas.removeEventListener('blur', releaseAll);
    canvas.removeEventListener('contextmenu', noMenu);
    canvas.classList.remove('controlling');
    if (raf) cancelAnimationFrame(raf);
    releaseAll();
  };
}
