/**
 * Whether a challenger's shadow period passed. Pure.
 *
 * Each shadow session the challenger and the champion both predict live, and the shadow-scoring step scores
 * both on what then happened (higher is better; the trainer scores the day's rank IC of predictions against
 * realised returns). After `required` sessions the challenger passes when
 *   1. its mean score is above zero — it predicted live, not only in backtest — and
 *   2. its mean margin over the champion, on the sessions both were scored, is not negative — replacing the
 *      champion does not make things worse.
 * Only the first `required` sessions count, so the verdict does not depend on when promotion runs.
 */
export interface ShadowDay {
  /** The NYSE session scored, YYYY-MM-DD. */
  readonly session: string;
  /** The challenger's score of that session's live predictions. */
  readonly challenger: number;
  /** The champion's score on the same session; null when there was no champion to score. */
  readonly champion: number | null;
}

export type ShadowStatus = "running" | "passed" | "failed";

export interface ShadowVerdict {
  readonly status: ShadowStatus;
  /** Sessions scored so far (all of them, even past `required`). */
  readonly days: number;
  readonly required: number;
  /** Means over the counted sessions; null when there are none. */
  readonly challengerMean: number | null;
  readonly championMean: number | null;
  /** Mean of challenger − champion over counted sessions where both were scored; null when none. */
  readonly meanMargin: number | null;
  /** In words, for a person. */
  readonly reason: string;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

const fmt = (value: number): string => value.toFixed(4);

export function shadowVerdict(days: readonly ShadowDay[], required: number): ShadowVerdict {
  const counted = [...days].sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0)).slice(0, required);
  const challengerMean = mean(counted.map((day) => day.challenger));
  const championScores = counted.flatMap((day) => (day.champion === null ? [] : [day.champion]));
  const championMean = mean(championScores);
  const meanMargin = mean(counted.flatMap((day) => (day.champion === null ? [] : [day.challenger - day.champion])));
  const base = { days: days.length, required, challengerMean, championMean, meanMargin };
  if (required === 0) return { ...base, status: "passed", reason: "the policy requires no shadow sessions" };
  if (days.length < required) {
    return { ...base, status: "running", reason: `${days.length} of ${required} shadow sessions scored` };
  }
  if (challengerMean === null || challengerMean <= 0) {
    return { ...base, status: "failed", reason: `mean live score ${fmt(challengerMean ?? 0)} over ${required} sessions is not above zero` };
  }
  if (meanMargin !== null && meanMargin < 0) {
    return {
      ...base,
      status: "failed",
      reason: `mean live score ${fmt(challengerMean)} trails the champion's by ${fmt(-meanMargin)} over ${championScores.length} shared sessions`,
    };
  }
  const versus = meanMargin === null ? "with no champion to compare" : `${fmt(meanMargin)} ahead of the champion`;
  return { ...base, status: "passed", reason: `mean live score ${fmt(challengerMean)} over ${required} sessions, ${versus}` };
}
