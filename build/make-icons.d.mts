// Types for build/make-icons.mjs, which the Electron shell imports for its in-memory fallback icons.
export type TrayState = 'connected' | 'waiting' | 'disconnected' | 'attention';
export declare const TRAY_STATES: readonly TrayState[];
export declare function encodePng(width: number, height: number, rgba: Uint8Array): Buffer;
export declare function encodeIco(png: Buffer, size: number): Buffer;
export declare function trayPixels(state: TrayState, size?: number): Uint8Array;
export declare function trayPng(state: TrayState, size?: number): Buffer;
export declare function appIconPng(size?: number): Buffer;
export declare function iconFiles(): Record<string, () => Buffer>;
export declare function writeIcons(opts?: { dir?: string; force?: boolean }): string[];
