/**
 * Process exit codes of the customer client. Scripts and tests depend on
 * these values (IMPORTANT: keep them stable; `--help` lists them).
 */
export const EXIT = {
  /** The session ended, or the customer left with /quit or Ctrl-C. */
  ok: 0,
  /** Bad command line or an unexpected failure. */
  usage: 1,
  /** The appliance refused the key, token or resume secret for good. */
  refused: 2,
  /** The server's certificate is not the appliance's: nothing was sent. */
  certificate: 3,
} as const;
