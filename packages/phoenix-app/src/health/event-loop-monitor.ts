import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";

export interface EventLoopSnapshot {
  /** 99th percentile of event-loop delay over the last complete window (ms). */
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /** Share of the last window the loop spent busy, 0..1. */
  readonly utilization: number;
}

/**
 * Samples event-loop delay in fixed windows so `/health` reports the recent past, not an
 * average since start. Reading a snapshot is a few property reads: safe on a hot path.
 */
export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private timer: NodeJS.Timeout | undefined;
  private last: EventLoopSnapshot = { delayP99Ms: 0, delayMaxMs: 0, utilization: 0 };
  private lastElu = performance.eventLoopUtilization();

  constructor(private readonly windowMs = 5_000) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.rotate(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  snapshot(): EventLoopSnapshot {
    return this.last;
  }

  private rotate(): void {
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    const toMs = (ns: number) => Math.round(ns / 1e4) / 100;
    this.last = {
      delayP99Ms: toMs(this.histogram.percentile(99)),
      delayMaxMs: toMs(this.histogram.max),
      utilization: Math.round(elu.utilization * 1000) / 1000,
    };
    this.histogram.reset();
  }
}
