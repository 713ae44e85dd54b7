/**
 * A small, strict shape checker for JSON bodies and WebSocket messages.
 * A shape lists every allowed field with its kind and bounds; anything else
 * (a missing required field, a wrong type, an unknown field, an overlong
 * string) is an `AppError` naming the field. Nothing is coerced.
 */
import { AppError } from './errors.ts';

export type FieldSpec =
  | { kind: 'string'; min?: number; max: number; pattern?: RegExp; optional?: boolean }
  | { kind: 'int'; min: number; max: number; optional?: boolean }
  | { kind: 'bool'; optional?: boolean }
  | { kind: 'enum'; values: readonly string[]; optional?: boolean }
  | { kind: 'idList'; max: number; optional?: boolean }
  | { kind: 'stringList'; max: number; itemMax: number; optional?: boolean };

export type Shape = Record<string, FieldSpec>;

type Out<F extends FieldSpec> = F extends { kind: 'string' }
  ? string
  : F extends { kind: 'int' }
    ? number
    : F extends { kind: 'bool' }
      ? boolean
      : F extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : F extends { kind: 'idList' | 'stringList' }
          ? string[]
          : never;

export type Parsed<S extends Shape> = {
  [K in keyof S as S[K] extends { optional: true } ? never : K]: Out<S[K]>;
} & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: Out<S[K]>;
};

/** Checks `input` against `shape`; returns a fresh object holding only the declared fields. */
export function parseShape<S extends Shape>(shape: S, input: unknown): Parsed<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('BAD_FIELD', 'body must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.prototype.hasOwnProperty.call(shape, key)) throw new AppError('UNKNOWN_FIELD', key);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(shape)) {
    const value = record[key];
    if (value === undefined) {
      if (spec.optional) continue;
      throw new AppError('BAD_FIELD', `${key} is required`);
    }
    out[key] = checkField(key, spec, value);
  }
  return out as Parsed<S>;
}

function checkField(key: string, spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') throw new AppError('BAD_FIELD', `${key} must be a string`);
      if (value.length > spec.max) throw new AppError('BAD_FIELD', `${key} is longer than ${spec.max}`);
      if (value.length < (spec.min ?? 0)) throw new AppError('BAD_FIELD', `${key} is shorter than ${spec.min}`);
      if (value.includes('\u0000')) throw new AppError('BAD_FIELD', `${key} contains a NUL character`);
      if (spec.pattern && !spec.pattern.test(value)) throw new AppError('BAD_FIELD', `${key} has an invalid format`);
      return value;
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
        throw new AppError('BAD_FIELD', `${key} must be an integer from ${spec.min} to ${spec.max}`);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new AppError('BAD_FIELD', `${key} must be true or false`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new AppError('BAD_FIELD', `${key} must be one of ${spec.values.join(', ')}`);
      }
      return value;
    case 'idList':
      if (!Array.isArray(value) || value.length > spec.max || !value.every((v) => typeof v === 'string' && ID_PATTERN.test(v))) {
        throw new AppError('BAD_FIELD', `${key} must be a list of at most ${spec.max} ids`);
      }
      return [...value];
    case 'stringList':
      if (!Array.isArray(value) || value.length > spec.max || !value.every((v) => typeof v === 'string' && v.length <= spec.itemMax && !v.includes('\u0000'))) {
        throw new AppError('BAD_FIELD', `${key} must be a list of at most ${spec.max} strings of at most ${spec.itemMax} characters`);
      }
      return [...value];
  }
}

/** Ids are 16 random bytes, base64url: 22 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** User names: letters, digits, dot, dash, underscore, @; 2 to 64 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{2,64}$/;
