/**
 * The colour modes of screen sharing as the console names them, in the order
 * of the console's menu. Must match the media core's `COLOUR_MODES`
 * (wasm/src/modes.ts); kept here so common/ does not import the codec.
 */
export const MODE_NAMES_LIST = ['video-optimised', 'black-and-white', 'few-colours', 'more-colours', 'full-colour'] as const;
export type ScreenMode = (typeof MODE_NAMES_LIST)[number];
/** New streams start in full colour: exact pixels, the wallpaper included. */
export const DEFAULT_SCREEN_MODE: ScreenMode = 'full-colour';
