/**
 * Keyspace `actions` (id → SpecialAction): the administrator-defined special
 * actions. Names are unique, compared case-insensitively. Reboot and Shut
 * down are written by a migration and are ordinary records after that.
 */
import { AppError } from '../../../common/errors.ts';
import { MAX_SPECIAL_ACTIONS, type SpecialAction } from '../../../common/special-actions.ts';
import type { Store } from './db.ts';
import { newId } from './ids.ts';

export type SpecialActionInput = Pick<SpecialAction, 'name' | 'command' | 'elevated' | 'description'>;

export class SpecialActionStore {
  constructor(private readonly store: Store) {}

  get(id: string): SpecialAction | undefined {
    return this.store.spaces.actions.get(id) as SpecialAction | undefined;
  }

  list(): SpecialAction[] {
    const out: SpecialAction[] = [];
    for (const { value } of this.store.spaces.actions.getRange()) out.push(value as SpecialAction);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const lower = name.toLowerCase();
    if (this.list().some((a) => a.id !== exceptId && a.name.toLowerCase() === lower)) throw new AppError('NAME_TAKEN', name);
  }

  createSync(input: SpecialActionInput): SpecialAction {
    return this.store.txSync(() => {
      if (this.store.spaces.actions.getCount() >= MAX_SPECIAL_ACTIONS) throw new AppError('BAD_FIELD', `at most ${MAX_SPECIAL_ACTIONS} special actions`);
      this.assertNameFree(input.name);
      const action: SpecialAction = { ...input, id: newId(), createdAt: Date.now() };
      this.store.spaces.actions.putSync(action.id, action);
      return action;
    });
  }

  replaceSync(id: string, input: SpecialActionInput): SpecialAction {
    return this.store.txSync(() => {
      const current = this.get(id);
      if (!current) throw new AppError('UNKNOWN_ID', 'special action');
      this.assertNameFree(input.name, id);
      const next: SpecialAction = { ...current, ...input };
      this.store.spaces.actions.putSync(id, next);
      return next;
    });
  }

  removeSync(id: string): void {
    this.store.txSync(() => {
      if (!this.get(id)) throw new AppError('UNKNOWN_ID', 'special action');
      this.store.spaces.actions.removeSync(id);
    });
  }
}
