// Types for scripts/addon.mjs (tests import it to build the Mono harness and the C# unit tests).
export declare const OUT_DIR: string;
export declare class MonoMissingError extends Error {}
/** Path of mcs, or null when Mono's compiler is not installed. */
export declare function findMcs(): string | null;
/** Path of mono, or null. */
export declare function findMono(): string | null;
/** Compiles Protocol + Gateway + harness; returns the path of build/addon-out/NTMcpHarness.exe. Throws MonoMissingError without mcs. */
export declare function buildHarness(): string;
/** Compiles Protocol/ alone into build/addon-out/NTMcpProtocol.dll (proves it needs no Gateway/NinjaTrader type). */
export declare function buildProtocolOnly(): string;
/** Compiles Protocol + Gateway + tests; returns the path of build/addon-out/AddonTests.exe. */
export declare function buildTests(): string;
/** Builds Protocol alone, then the tests, and runs them. */
export declare function runTests(): { status: number; output: string };
