import { describe, expect, it } from "vitest";
import { ConcurrencyGate, GateSaturatedError } from "../src/load-shedding/concurrency-gate.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("certificate concurrency gate", () => {
  it("never runs more tasks at once than its concurrency", async () => {
    const gate = new ConcurrencyGate({ concurrency: 2, queueLimit: 10, queueTimeoutMs: 5_000 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    await Promise.all(Array.from({ length: 8 }, () => gate.run(task)));
    expect(peak).toBe(2);
    expect(gate.stats()).toMatchObject({ active: 0, queued: 0, completed: 8, shed: 0 });
  });

  it("refuses at once when the queue is full, with a Retry-After hint", async () => {
    const gate = new ConcurrencyGate({ concurrency: 1, queueLimit: 1, queueTimeoutMs: 5_000 });
    const blocker = deferred();
    const first = gate.run(() => blocker.promise);
    const second = gate.run(async () => "second");
    const third = gate.run(async () => "third");
    await expect(third).rejects.toBeInstanceOf(GateSaturatedError);
    await expect(third).rejects.toMatchObject({ reason: "queue-full" });
    const error = await third.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GateSaturatedError);
    expect((error as GateSaturatedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    blocker.resolve();
    await first;
    await expect(second).resolves.toBe("second");
    expect(gate.stats().shed).toBe(1);
  });

  it("refuses a queued caller that waited longer than the queue timeout", async () => {
    const gate = new ConcurrencyGate({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 20 });
    const blocker = deferred();
    const first = gate.run(() => blocker.promise);
    await expect(gate.run(async () => "late")).rejects.toMatchObject({ reason: "queue-timeout" });
    expect(gate.stats()).toMatchObject({ queued: 0, shed: 1 });
    blocker.resolve();
    await first;
    await expect(gate.run(async () => "after")).resolves.toBe("after");
  });

  it("frees the slot when a task fails", async () => {
    const gate = new ConcurrencyGate({ concurrency: 1, queueLimit: 0, queueTimeoutMs: 1_000 });
    await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(gate.run(async () => "ok")).resolves.toBe("ok");
  });
});
