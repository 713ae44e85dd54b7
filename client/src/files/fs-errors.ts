/**
 * Maps Node file-system errors (errno codes) to the coded errors the rep
 * sees. Anything unexpected becomes FILE_IO with the errno code as detail,
 * never a stack or a message from the customer's system beyond the path.
 */
import { AppError } from '../../../common/errors.ts';

const BY_ERRNO: Record<string, AppError['code']> = {
  ENOENT: 'FILE_NOT_FOUND',
  EEXIST: 'FILE_EXISTS',
  ENOTEMPTY: 'FILE_EXISTS',
  EACCES: 'FILE_ACCESS_DENIED',
  EPERM: 'FILE_ACCESS_DENIED',
  EROFS: 'FILE_ACCESS_DENIED',
  ENOTDIR: 'FILE_NOT_DIR',
  ENAMETOOLONG: 'PATH_TOO_LONG',
  ELOOP: 'FILE_NOT_FOUND',
};

export function fsError(err: unknown, p?: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const mapped = BY_ERRNO[code];
  if (mapped) return new AppError(mapped, p);
  return new AppError('FILE_IO', code ? `${code}${p ? ` ${p}` : ''}` : p);
}
