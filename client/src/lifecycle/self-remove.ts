/**
 * A downloaded build removes itself when its session ends, so no working
 * client with this appliance's address lies around on the customer's disk.
 * It deletes only the file that is running: the script path must resolve to
 * the same file as this module's own URL (in a build, the bundle itself), so
 * a development run from sources or an odd `argv` can never delete anything
 * else.
 */
import { realpathSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type RemoveResult = { removed: true; file: string } | { removed: false; why: string };

export function removeOwnBuildSync(scriptPath: string | undefined, moduleUrl: string): RemoveResult {
  if (!scriptPath) return { removed: false, why: 'no script path' };
  try {
    const script = realpathSync(scriptPath);
    const self = realpathSync(fileURLToPath(moduleUrl));
    if (script !== self) return { removed: false, why: `${scriptPath} is not this client` };
    unlinkSync(script);
    return { removed: true, file: script };
  } catch (err) {
    return { removed: false, why: (err as Error).message };
  }
}
