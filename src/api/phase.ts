/**
 * Analysis phases, exactly as Argo Rollouts names them (`AnalysisPhase`).
 * The empty string is the phase of a run that was never reconciled.
 */
export type Phase = '' | 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

type CompletedPhase = 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export function isCompleted(phase: Phase | undefined): phase is CompletedPhase {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

/**
 * Argo's `analysisStatusOrder` (utils/analysis/helpers.go): best to worst. An unknown or
 * empty phase ranks as index 0, like Successful.
 */
const ORDER: readonly Phase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

function rank(phase: Phase): number {
  const i = ORDER.indexOf(phase);
  return i < 0 ? 0 : i;
}

/** Argo's `IsWorse(current, candidate)`: true only when `candidate` is strictly worse. */
export function isWorse(current: Phase, candidate: Phase): boolean {
  return rank(candidate) > rank(current);
}
