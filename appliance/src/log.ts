/**
 * The appliance's logger: pino JSON lines, or readable lines when stdout is a
 * terminal. Known secret fields are redacted wherever they appear.
 */
import pino, { type Logger } from 'pino';

export const REDACT = ['password', '*.password', 'token', '*.token', 'csrf', '*.csrf', 'ticket', '*.ticket', 'headers.cookie', '*.headers.cookie', 'passwordHash', '*.passwordHash'];

export function createLogger(level: string, pretty = process.stdout.isTTY): Logger {
  return pino({
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { svc: 'appliance' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,svc' } } } : {}),
  });
}
