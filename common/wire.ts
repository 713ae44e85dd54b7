/**
 * Decoding of JSON socket messages against a table of shapes, shared by the
 * console and customer protocols: `{ "t": type, ...fields }` where `t` names
 * an entry of the table and the other fields must match its shape exactly.
 */
import { AppError } from './errors.ts';
import { parseShape, type Shape } from './validate.ts';

export function decodeMessage<T extends Record<string, Shape>>(table: T, text: string): { t: keyof T & string; body: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('WS_BAD_FRAME', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('WS_BAD_FRAME', 'not an object');
  const { t, ...rest } = value as Record<string, unknown>;
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(table, t)) throw new AppError('WS_UNKNOWN_TYPE', String(t).slice(0, 40));
  return { t, body: parseShape(table[t]!, rest) as Record<string, unknown> };
}
