// Types of scripts/build.mjs, for the tests that import it.
export type Target = 'server' | 'web';

export const TARGETS: Record<Target, { dirs: string[]; files: string[]; output: string }>;
export function inputHash(root: string, target: Target): string;
export function staleReason(root: string, target: Target): string | undefined;
export function staleTargets(root: string): { target: Target; reason: string }[];
export function writeStamp(root: string, target: Target, inputs: string): void;
export function build(root: string, targets: Target[], log?: (line: string) => void): Promise<void>;
