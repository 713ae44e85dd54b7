/**
 * Keyspace `issues`: the problem types customers pick on the portal's issue
 * form, each leading to one team's queue. Key: code name.
 */
import { AppError } from '../../../common/errors.ts';
import type { Store } from './db.ts';

export interface Issue {
  readonly codeName: string;
  description: string;
  teamId: string;
}

export class IssueStore {
  constructor(private readonly store: Store) {}

  list(): Issue[] {
    const out: Issue[] = [];
    for (const { value } of this.store.spaces.issues.getRange()) out.push(value as Issue);
    return out;
  }

  get(codeName: string): Issue | undefined {
    return this.store.spaces.issues.get(codeName) as Issue | undefined;
  }

  putSync(issue: Issue): Issue {
    this.store.txSync(() => this.store.spaces.issues.putSync(issue.codeName, issue));
    return issue;
  }

  removeSync(codeName: string): void {
    this.store.txSync(() => {
      if (!this.get(codeName)) throw new AppError('ISSUE_UNKNOWN');
      this.store.spaces.issues.removeSync(codeName);
    });
  }
}
