// Squirrel.Windows (the Forge maker) runs the app with --squirrel-* flags while installing,
// updating and uninstalling; the app must create/remove its shortcuts and exit at once. This is
// what the `electron-squirrel-startup` package does, without the dependency. The NSIS installer
// built by electron-builder (`npm run dist`) never passes these flags.
import { spawn } from 'node:child_process';
import { basename, resolve } from 'node:path';

/** Returns true when this launch was a Squirrel event and the caller must quit now. */
export function handleSquirrelEvent(argv: readonly string[], execPath: string, platform: NodeJS.Platform, quit: () => void): boolean {
  if (platform !== 'win32') return false;
  const cmd = argv[1];
  if (!cmd?.startsWith('--squirrel-')) return false;
  const updateExe = resolve(execPath, '..', '..', 'Update.exe');
  const exe = basename(execPath);
  const run = (args: string[]) => {
    try {
      spawn(updateExe, args, { detached: true, stdio: 'ignore' }).on('close', quit).on('error', quit);
    } catch {
      quit();
    }
  };
  switch (cmd) {
    case '--squirrel-install':
    case '--squirrel-updated':
      run(['--createShortcut', exe]);
      return true;
    case '--squirrel-uninstall':
      run(['--removeShortcut', exe]);
      return true;
    case '--squirrel-obsolete':
    default:
      quit();
      return true;
  }
}

