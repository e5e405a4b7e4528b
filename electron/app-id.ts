// The Windows AppUserModelID: notifications only show when it matches the installer's shortcut.
// electron-builder.yml's `appId` must be the same string (test/electron/packaging.test.ts checks).
export const APP_ID = 'com.ntmcpcompanion.desktop';
