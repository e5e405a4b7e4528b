// One companion process per data dir. Two processes sharing one database would each cache
// verified tokens and the kill switch, so a revocation in one would not bite in the other.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock file; returns its release function. A lock left by a dead process is taken over. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'companion.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new DataDirInUseError(
          `Another NT MCP Companion (pid ${pid}) is already using ${dataDir}. Stop it first, or start this one with --data-dir <another folder>.`,
        );
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new DataDirInUseError(`Could not lock ${dataDir}.`);
}
