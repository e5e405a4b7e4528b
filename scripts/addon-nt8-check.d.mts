// Types for scripts/addon-nt8-check.mjs (imported by test/addon/nt8-layer.test.ts).
export declare const repoRoot: string;
export declare function nt8CheckSources(root?: string): { files: string[]; seamUsed: boolean };
export declare function mcsAvailable(mcs?: string): boolean;
export declare function checkNt8Addon(opts?: {
  root?: string;
  mcs?: string;
  extraFiles?: string[];
  outName?: string;
}): {
  available: boolean;
  ok: boolean;
  output: string;
  dll: string;
  files: string[];
  seamUsed: boolean;
  command: string;
};
