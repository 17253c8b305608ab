/**
 * The send slots one governor owns for one vendor, claimed in blocks from the vendor's shared pace
 * (VendorQuota.claimSlots) and used one per request.
 *
 * Why a request may go up to `lateMs` after its slot, and never later: slots are at least one spacing apart, and a
 * spacing is the window widened by a margin and a jitter allowance over the limit (governor.ts `spacingOf`). A
 * window of the vendor can then hold a send from a slot that started up to `lateMs` before it, so `lateMs` must
 * stay inside that widening (half of it, governor.ts `lateToleranceOf`; the other half absorbs send-to-arrival
 * jitter). A slot the event loop missed by more is dropped, never made up later: making it up is exactly how a
 * window overfills.
 * Sending at the slot (not one spacing after the previous actual send) keeps timer lateness from accumulating,
 * which alone used to cost several per cent of a vendor's allowed rate at short spacings.
 */
import type { QuotaClock } from "./clock.ts";
import type { VendorQuota } from "./quota.ts";

export interface SlotOptions {
  readonly vendor: string;
  readonly holder: string;
  readonly spacingMs: number;
  /** Slots claimed at once. */
  readonly blockSize: number;
  /** How late after its slot a request may still go. */
  readonly lateMs: number;
}

export class OwnedSlots {
  private readonly slots: number[] = [];
  /** The first slot that passed unused since the last one sent, while every slot held since did too. */
  private unusedFrom: number | undefined;
  private claiming: Promise<void> | undefined;
  private failure: unknown;
  private readonly options: SlotOptions;
  private readonly quota: VendorQuota;
  private readonly clock: QuotaClock;

  constructor(options: SlotOptions, quota: VendorQuota, clock: QuotaClock) {
    this.options = options;
    this.quota = quota;
    this.clock = clock;
  }

  /** Slots that came due while a caller waited and passed before it could send (the event loop was late). */
  missed = 0;

  /**
   * The first slot still usable now (it may lie in the future), claiming a block when none is left. The next
   * block is claimed while half of the current one remains, so a lake round trip does not stall the sends.
   */
  async next(waitingSince: number, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    for (;;) {
      const now = this.clock.now();
      while (this.slots.length > 0 && (this.slots[0] ?? now) + this.options.lateMs < now) {
        const passed = this.slots.shift() ?? now;
        this.unusedFrom ??= passed;
        // Slots that passed while nobody wanted to send are simply unused; one that a waiting caller missed is not.
        if (passed >= waitingSince) this.missed++;
      }
      if (this.slots.length <= this.options.blockSize / 2) this.claimAhead();
      const first = this.slots[0];
      if (first !== undefined) return first;
      await this.claiming;
      if (this.failure !== undefined) {
        const failure = this.failure;
        this.failure = undefined;
        throw failure;
      }
      signal?.throwIfAborted();
    }
  }

  /** Uses the first slot (the caller sends now). */
  take(): void {
    this.slots.shift();
    this.unusedFrom = undefined;
  }

  /**
   * Milliseconds from `now` until the `queued + 1`-th caller could send: its slot when one is owned, else an
   * estimate one spacing per caller after the last owned slot.
   */
  waitFor(queued: number, now: number): number {
    const usable = this.slots.filter((slot) => slot + this.options.lateMs >= now);
    const own = usable[queued];
    if (own !== undefined) return Math.max(0, own - now);
    const last = usable.at(-1);
    if (last === undefined) return queued * this.options.spacingMs;
    return Math.max(0, last + (queued - usable.length + 1) * this.options.spacingMs - now);
  }

  /** One claim at a time, not tied to any one caller's signal: the block serves whoever sends next. */
  private claimAhead(): void {
    if (this.claiming !== undefined) return;
    this.failure = undefined;
    const { vendor, holder, blockSize: count, spacingMs } = this.options;
    // Only when every slot held has passed unused may the pace resume from the first of them.
    const resume = this.slots.length === 0 && this.unusedFrom !== undefined ? { resumeFromMs: this.unusedFrom } : {};
    this.unusedFrom = undefined;
    this.claiming = this.quota
      .claimSlots({ vendor, holder, count, spacingMs, ...resume })
      .then(
        (block) => {
          for (let i = 0; i < block.count; i++) this.slots.push(block.startMs + i * block.spacingMs);
        },
        (error: unknown) => {
          this.failure = error;
        },
      )
      .finally(() => {
        this.claiming = undefined;
      });
  }
}
