/**
 * How many option contracts the Polygon listing may still add for one session: the day's cap across underliers
 * (edge.yml `option_contracts_per_day`) and the cap per underlier, less what the table already holds for that
 * session (finished listings and the committed pages of unfinished ones, read from the manifest: a restarted
 * pass counts what an interrupted one listed). Pages in flight reserve their share first, so two concurrent
 * listings cannot both spend the last of the day.
 */
import type { Manifest } from "../lake/types.ts";

export class ContractAllowance {
  private readonly perDay: number;
  private readonly perSeries: number;
  private total: number;
  private readonly bySeries: Map<string, number>;

  constructor(caps: { readonly perDay: number; readonly perSeries: number }, listed: { readonly total: number; readonly bySeries: ReadonlyMap<string, number> }) {
    this.perDay = caps.perDay;
    this.perSeries = caps.perSeries;
    this.total = listed.total;
    this.bySeries = new Map(listed.bySeries);
  }

  /** The allowance of `session` given what `manifest` already lists for it (parts whose unit starts that day). */
  static fromManifest(manifest: Manifest | undefined, session: string, caps: { readonly perDay: number; readonly perSeries: number }): ContractAllowance {
    let total = 0;
    const bySeries = new Map<string, number>();
    for (const file of manifest?.files ?? []) {
      if (file.unit?.start !== session) continue;
      total += file.rows;
      for (const series of file.symbols ?? []) bySeries.set(series, (bySeries.get(series) ?? 0) + file.rows);
    }
    return new ContractAllowance(caps, { total, bySeries });
  }

  /** Reserves what one page of `series` may list (0 when the day's or the underlier's cap is reached). */
  reserve(series: string): number {
    const left = Math.max(0, Math.min(this.perDay - this.total, this.perSeries - (this.bySeries.get(series) ?? 0)));
    this.add(series, left);
    return left;
  }

  /** Whether the day's cap across underliers is spent (not only one underlier's). */
  get dayExhausted(): boolean {
    return this.total >= this.perDay;
  }

  /** A reserved page came back with `listed` contracts (0 when it failed): the rest of its reservation returns. */
  settle(series: string, reserved: number, listed: number): void {
    this.add(series, Math.min(listed, reserved) - reserved);
  }

  /** Contracts that left the table (the pages of a restarted listing) no longer count. */
  forget(series: string, rows: number): void {
    this.add(series, -rows);
  }

  private add(series: string, n: number): void {
    this.total += n;
    this.bySeries.set(series, (this.bySeries.get(series) ?? 0) + n);
  }
}
