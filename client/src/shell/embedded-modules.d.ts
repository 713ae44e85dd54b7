/**
 * Types of the build-time module scripts/build.mjs generates for the
 * customer bundle (see embedded-pty-native.ts).
 */
declare module 'relaydesk:pty-native' {
  /** node-pty's compiled `pty.node`, base64. */
  export const base64: string;
  /** `process.platform` and `process.arch` of the machine that compiled it. */
  export const platform: string;
  export const arch: string;
}
