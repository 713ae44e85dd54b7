/**
 * The error catalogue: every failure the appliance reports has a stable code,
 * an HTTP status and a message key. Browser, appliance and client share this
 * table so a code always means the same thing (model: fastify `lib/errors.js`).
 * User-facing text lives in the message catalogue (`messages.ts`) under
 * `error.<CODE>`; `detail` carries the field or limit involved, never a secret.
 */

export interface ErrorSpec {
  /** HTTP status used when the error ends an HTTP request. */
  readonly status: number;
  /** English fallback, used in logs and by API clients that ignore the catalogue. */
  readonly text: string;
}

export const ERRORS = {
  BAD_JSON: { status: 400, text: 'The request body is not valid JSON.' },
  BAD_FIELD: { status: 400, text: 'A field is missing or has the wrong type.' },
  UNKNOWN_FIELD: { status: 400, text: 'The request has a field this endpoint does not accept.' },
  BODY_TOO_LARGE: { status: 413, text: 'The request body is too large.' },
  BAD_CONTENT_TYPE: { status: 415, text: 'Requests with a body must be sent as application/json.' },
  NOT_FOUND: { status: 404, text: 'Nothing was found at this address.' },
  UNKNOWN_ID: { status: 404, text: 'No record with this id exists.' },
  METHOD_NOT_ALLOWED: { status: 405, text: 'This method is not allowed here.' },
  AUTH_REQUIRED: { status: 401, text: 'Sign in first.' },
  BAD_CREDENTIALS: { status: 401, text: 'The username or password is wrong.' },
  ACCOUNT_DISABLED: { status: 403, text: 'This account is disabled.' },
  THROTTLED: { status: 429, text: 'Too many failed sign-ins. Try again later.' },
  CSRF: { status: 403, text: 'The request was refused because it lacks a valid anti-forgery token.' },
  FORBIDDEN: { status: 403, text: 'You are not allowed to do this.' },
  CONSOLE_DISABLED: { status: 403, text: 'Web console connections are not allowed on this appliance.' },
  BAD_TICKET: { status: 401, text: 'This console link has expired or was already used.' },
  NAME_TAKEN: { status: 409, text: 'This name is already in use.' },
  WEAK_PASSWORD: { status: 400, text: 'The password must have at least 10 characters.' },
  LAST_ADMIN: { status: 409, text: 'The last active administrator cannot be disabled or demoted.' },
  SESSION_UNKNOWN: { status: 404, text: 'This session does not exist or is not visible to you.' },
  SESSION_NOT_WAITING: { status: 409, text: 'This session is no longer waiting in a queue.' },
  SESSION_ENDED: { status: 409, text: 'This session has ended.' },
  NOT_OWNER: { status: 403, text: 'Only the owner of the session can do this.' },
  NOT_MEMBER: { status: 403, text: 'You are not a member of this session.' },
  OWNER_CANNOT_LEAVE: { status: 409, text: 'The owner cannot leave; pause, end or transfer the session instead.' },
  QUEUE_UNKNOWN: { status: 404, text: 'This queue does not exist.' },
  KEY_UNKNOWN: { status: 404, text: 'This session key is not valid. Check the digits or ask your representative for a new key.' },
  KEY_EXPIRED: { status: 410, text: 'This session key has expired. Ask your representative for a new one.' },
  KEY_USED: { status: 410, text: 'This session key was already used. Ask your representative for a new one.' },
  RESUME_UNKNOWN: { status: 401, text: 'This session can no longer be resumed.' },
  REP_UNAVAILABLE: { status: 409, text: 'This representative is not available right now.' },
  ISSUE_UNKNOWN: { status: 404, text: 'This problem type does not exist.' },
  SMTP_NOT_CONFIGURED: { status: 409, text: 'The appliance has no mail server configured.' },
  SMTP_FAILED: { status: 502, text: 'The mail server did not accept the message.' },
  PERMISSION_DENIED: { status: 403, text: 'Your permissions do not allow this.' },
  PATH_NOT_ABSOLUTE: { status: 400, text: 'The path must be absolute (start with /).' },
  PATH_TRAVERSAL: { status: 400, text: 'The path must not contain . or .. segments.' },
  PATH_NUL: { status: 400, text: 'The path contains a NUL character.' },
  PATH_TOO_LONG: { status: 400, text: 'The path is longer than 4096 bytes.' },
  PATH_BAD_NAME: { status: 400, text: 'The path has an empty name (// or a trailing /) or a name longer than 255 bytes.' },
  PATH_NOT_ALLOWED: { status: 403, text: 'This path is outside the paths you are allowed to use.' },
  CUSTOMER_OFFLINE: { status: 409, text: 'The customer client is not connected right now.' },
  CLIENT_UNSUPPORTED: { status: 409, text: 'The customer joined from a browser; this needs the customer client.' },
  CHANNEL_TICKET: { status: 401, text: 'This channel link has expired or was already used.' },
  JUMP_UNKNOWN: { status: 404, text: 'This jump item does not exist or is not visible to you.' },
  ALREADY_CLIENT: { status: 409, text: 'The customer already runs the full client.' },
  BUTTON_UNKNOWN: { status: 404, text: 'This support button does not exist or is not visible to you.' },
  JUMP_POLICY: { status: 409, text: 'The jump policy of this item does not allow a jump now.' },
  JUMP_OFFLINE: { status: 409, text: 'This jump client is not connected right now.' },
  FILE_NOT_FOUND: { status: 404, text: 'The file or folder does not exist on the remote system.' },
  FILE_EXISTS: { status: 409, text: 'A file or folder of that name already exists.' },
  FILE_ACCESS_DENIED: { status: 403, text: 'The remote system refused access to this file or folder.' },
  FILE_NOT_DIR: { status: 409, text: 'This is not a folder.' },
  FILE_CHECKSUM: { status: 422, text: 'The SHA-256 checksums differ; the file was not kept.' },
  FILE_SIZE: { status: 400, text: 'The number of bytes received differs from the size announced.' },
  FILE_IO: { status: 500, text: 'The remote system could not read or write the file.' },
  FILE_CANCELLED: { status: 409, text: 'The transfer was cancelled.' },
  SESSION_NOT_ACTIVE: { status: 409, text: 'This session is not being worked on right now.' },
  ALREADY_MEMBER: { status: 409, text: 'That representative is in the session already.' },
  INVITATION_EXISTS: { status: 409, text: 'There is already an invitation for them in this session.' },
  NOTHING_CHOSEN: { status: 400, text: 'Choose at least one.' },
  INVITATION_UNKNOWN: { status: 404, text: 'This invitation is no longer open.' },
  INTERNAL: { status: 500, text: 'Something went wrong on the appliance. It keeps running.' },
  WS_BAD_FRAME: { status: 400, text: 'The message could not be understood.' },
  WS_UNKNOWN_TYPE: { status: 400, text: 'The message type is unknown.' },
  WS_VERSION: { status: 400, text: 'The console and the appliance speak different protocol versions; reload the page.' },
  WS_HELLO_FIRST: { status: 400, text: 'The first message must be hello.' },
  SCREEN_NO_PERMISSION: { status: 403, text: 'Your account may not do this on the customer\'s screen.' },
  SCREEN_NO_CONTROL: { status: 403, text: 'You do not have control of this screen; request control first.' },
  SCREEN_CONTROL_HELD: { status: 409, text: 'Another representative has control of this screen.' },
  SCREEN_NOT_SHARED: { status: 409, text: 'The customer\'s screen is not being shared.' },
  SCREEN_UNAVAILABLE: { status: 409, text: 'The customer\'s screen cannot be shared from this computer.' },
  WS_TOO_MANY_ERRORS: { status: 400, text: 'Too many bad messages; the connection is closed.' },
  SHELL_NOT_ALLOWED: { status: 403, text: 'You are not allowed to use the command shell.' },
  SHELL_UNKNOWN: { status: 404, text: 'This shell does not exist in this session.' },
  SHELL_LIMIT: { status: 409, text: 'This session has as many shells open as it may.' },
  SHELL_JUMP_NOT_ALLOWED: { status: 403, text: 'You are not allowed to create Shell Jump or Remote VNC items.' },
  SHELL_JUMP_BAD_TARGET: { status: 400, text: 'The host, port or username of this Shell Jump item is not valid.' },
  SSH_HOSTKEY_UNKNOWN: { status: 409, text: 'The SSH host key of this host is not known yet: check its fingerprint and trust it first.' },
  SSH_HOSTKEY_MISMATCH: { status: 409, text: 'The SSH host key does not match the one expected for this item; nothing was sent.' },
  SSH_AUTH_FAILED: { status: 401, text: 'The SSH server did not accept these credentials.' },
  SSH_CONNECT_FAILED: { status: 502, text: 'The SSH server could not be reached.' },
  SSH_BAD_KEY: { status: 400, text: 'The private key cannot be read (wrong format or passphrase).' },
  SSH_NO_CREDENTIAL: { status: 400, text: 'Give a password, a private key or a vault credential for this jump.' },
  SSH_PROMPT_UNKNOWN: { status: 404, text: 'This login prompt is no longer waiting for an answer.' },
  VNC_BAD_TARGET: { status: 400, text: 'The host or port of this Remote VNC item is not valid.' },
  VNC_CONNECT_FAILED: { status: 502, text: 'The VNC server could not be reached.' },
  VNC_AUTH_FAILED: { status: 401, text: 'The VNC server did not accept the password.' },
  VNC_PASSWORD_NEEDED: { status: 401, text: 'This VNC server asks for a password: type one or pick a vault credential.' },
  VNC_UNSUPPORTED: { status: 502, text: 'The VNC server offers no security type or protocol version RelayDesk supports.' },
  VNC_PROTOCOL: { status: 502, text: 'The VNC server sent something malformed; the connection was closed.' },
  VAULT_UNKNOWN: { status: 404, text: 'This vault credential does not exist or you may not use it.' },
  VAULT_CHECKED_OUT: { status: 409, text: 'This vault credential is checked out by someone else.' },
  VAULT_NOT_FOR_ITEM: { status: 409, text: 'This vault credential is not bound to this jump item.' },
  VAULT_PROVIDER: { status: 502, text: 'The external credential provider failed.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** Body of every error reply: `{ "error": { "code", "message", "detail"? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; detail?: string };
}

/** An error that knows its catalogue entry; thrown by handlers, rendered once. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ? `${ERRORS[code].text} (${detail})` : ERRORS[code].text);
    this.code = code;
    this.detail = detail;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: ERRORS[this.code].text } };
    if (this.detail !== undefined) body.error.detail = this.detail;
    return body;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}
