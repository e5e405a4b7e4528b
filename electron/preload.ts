// Preload of the desktop window. It runs sandboxed (sandbox: true, contextIsolation: true), is
// bundled as CommonJS by scripts/desktop.mjs, and exposes one frozen, data-only object.
import { contextBridge } from 'electron';
import { desktopApi } from './preload-api.ts';

contextBridge.exposeInMainWorld('ntDesktop', desktopApi(process.argv, process.platform));
