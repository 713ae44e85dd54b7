// Typings for the parts of the `x11` package (pure-JS X11 client, no types of
// its own) that the screen modules use. Replies arrive through Node-style
// callbacks; every request is pipelined on one connection.
declare module 'x11' {
  type Cb<T> = (err: Error | null, value: T) => void;

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
    white_pixel: number;
    black_pixel: number;
  }

  export interface XEvent {
    name: string;
    type: number;
    [field: string]: unknown;
  }

  export interface XClient {
    AllocID(): number;
    ReleaseID(id: number): void;
    require(ext: string, cb: Cb<any>): void;
    on(ev: 'event', fn: (ev: XEvent) => void): void;
    on(ev: 'error', fn: (err: Error) => void): void;
    on(ev: 'end' | 'close', fn: () => void): void;
    removeListener(ev: string, fn: (...args: any[]) => void): void;
    terminate(): void;
    close(cb?: () => void): void;
    GetImage(format: number, drawable: number, x: number, y: number, w: number, h: number, planeMask: number, cb: Cb<{ depth: number; visualId: number; data: Buffer }>): void;
    GetKeyboardMapping(first: number, count: number, cb: Cb<number[][]>): void;
    ChangeKeyboardMapping(first: number, perKeycode: number, keysyms: number[]): void;
    GetModifierMapping(cb: Cb<number[][]>): void;
    InternAtom(onlyIfExists: boolean, name: string, cb: Cb<number>): void;
    CreateWindow(id: number, parent: number, x: number, y: number, w: number, h: number, border: number, depth: number, cls: number, visual: number, values?: Record<string, unknown>): void;
    ChangeWindowAttributes(id: number, values: Record<string, unknown>): void;
    DestroyWindow(id: number): void;
    MapWindow(id: number): void;
    UnmapWindow(id: number): void;
    RaiseWindow(id: number): void;
    QueryTree(id: number, cb: Cb<{ root: number; parent: number; children: number[] }>): void;
    GetWindowAttributes(id: number, cb: Cb<{ mapState: number; klass: number; overrideRedirect: number; [k: string]: unknown }>): void;
    GetGeometry(id: number, cb: Cb<{ xPos: number; yPos: number; width: number; height: number; borderWidth: number; depth: number }>): void;
    SetSelectionOwner(owner: number, selection: number, time?: number): void;
    GetSelectionOwner(selection: number, cb: Cb<number>): void;
    ConvertSelection(requestor: number, selection: number, target: number, property: number, time?: number): void;
    GetProperty(del: number, window: number, property: number, type: number, offset: number, length: number, cb: Cb<{ type: number; format: number; bytesAfter: number; data: Buffer }>): void;
    ChangeProperty(mode: number, window: number, property: number, type: number, format: number, data: Buffer | string | number[]): void;
    DeleteProperty(window: number, property: number): void;
    SendEvent(destination: number, propagate: number, mask: number, event: Buffer | Record<string, unknown>): void;
    GrabKey(window: number, ownerEvents: boolean, modifiers: number, key: number, pointerMode: number, keyboardMode: number): void;
    UngrabKey(window: number, key: number, modifiers: number): void;
    QueryPointer(window: number, cb: Cb<{ rootX: number; rootY: number; [k: string]: unknown }>): void;
    CreateGC(id: number, drawable: number, values?: Record<string, unknown>): void;
    PolyFillRectangle(drawable: number, gc: number, rects: number[]): void;
    GetInputFocus(cb: Cb<unknown>): void;
    [request: string]: any;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
  }

  export interface CreateClientOptions {
    display?: string;
    shm?: false | 'off' | object;
  }

  interface X11 {
    createClient(options: CreateClientOptions, cb: (err: Error | null, display: XDisplay) => void): XClient;
    eventMask: Record<string, number>;
  }
  const x11: X11;
  export default x11;
}
