// The pairing file: how the NT8 add-on learns where the companion listens and the secret it must
// present (Authorization: Bearer <secret>) when it dials in. It lives in the NT8 user folder,
// readable by the user only (0600; on Windows the user profile's ACL protects it).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const PairingFileSchema = z.object({
  url: z.string().url(),
  secret: z.string().min(16),
  protocolVersion: z.number().int().positive(),
  /** The companion's highest minor of that major (1.1 → 1); absent in files written by 1.0 companions. */
  protocolMinor: z.number().int().nonnegative().optional(),
});
export type PairingFile = z.infer<typeof PairingFileSchema>;

export function defaultPairingPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') {
    const profile = env.USERPROFILE ?? homedir();
    // Build with backslashes regardless of the host running this function.
    return [profile, 'Documents', 'NinjaTrader 8', 'nt-mcp-companion', 'pairing.json'].join('\\');
  }
  return join(homedir(), 'Documents', 'NinjaTrader 8', 'nt-mcp-companion', 'pairing.json');
}

/** Write atomically (temp file + rename) with mode 0600; creates the folder (0700) if needed. */
export async function writePairingFile(path: string, data: PairingFile): Promise<void> {
  const body = PairingFileSchema.parse(data);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600); // the umask or a pre-existing temp file could have widened it
  await rename(tmp, path);
}

export async function readPairingFile(path: string): Promise<PairingFile> {
  const text = await readFile(path, 'utf8');
  return PairingFileSchema.parse(JSON.parse(text));
}
