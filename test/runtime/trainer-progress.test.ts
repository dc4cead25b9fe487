// What a run prints: on a terminal one redrawn bar (step, loss, img/s, ETA) that other lines never collide with;
// into a pipe plain lines every N steps without control characters.
import { describe, expect, it } from "vitest";
import { formatDuration, Progress } from "../../src/runtime/progress.js";
import type { TrainEvent } from "../../src/runtime/trainer/job.js";

function events(total: number): TrainEvent[] {
  const out: TrainEvent[] = [
    {
      type: "start",
      startStep: 0,
      totalSteps: total,
      batch: 8,
      device: "cpu",
      dataMode: "workers",
      dataWorkers: 1,
    },
  ];
  for (let s = 1; s <= total; s++)
    out.push({
      type: "step",
      step: s,
      totalSteps: total,
      metrics: { loss: 10 - s, loss_dino: 5, loss_koleo: 0.5 },
      schedules: {},
      stepMs: 100,
      dataMs: 1,
      imgPerSec: 80,
    });
  out.push({ type: "checkpoint", step: total, path: "run/checkpoint.safetensors" });
  return out;
}

function capture(tty: boolean, every: number): { text: string; progress: Progress } {
  const sink = { text: "" };
  const progress = new Progress({
    tty,
    every,
    line: (t) => void (sink.text += t + "\n"),
    raw: (t) => void (sink.text += t),
  });
  return {
    progress,
    get text() {
      return sink.text;
    },
  };
}

describe("progress output", () => {
  it("prints plain lines every N steps and the last one when not on a terminal", () => {
    const c = capture(false, 2);
    for (const e of events(5)) c.progress.onEvent(e);
    c.progress.finish();
    const lines = c.text.trim().split("\n");
    expect(lines[0]).toBe("training 5 steps, batch 8, device cpu, data 1 worker thread");
    expect(lines.filter((l) => l.startsWith("step")).map((l) => l.split(/\s+/)[1])).toEqual([
      "2/5",
      "4/5",
      "5/5",
    ]);
    expect(lines[1]).toBe("step 2/5  loss 8.0000 (dino 5.000, koleo 0.500)  80.0 img/s  ETA 0:00");
    expect(lines.at(-1)).toBe("checkpoint at step 5: run/checkpoint.safetensors");
    expect(c.text).not.toMatch(/[\r\x1b]/);
  });

  it("redraws one bar on a terminal and ends it before other lines", () => {
    const c = capture(true, 1);
    const evs = events(4);
    for (const e of evs.slice(0, 3)) c.progress.onEvent(e);
    c.progress.onEvent({ type: "note", text: "a note" });
    for (const e of evs.slice(3)) c.progress.onEvent(e);
    c.progress.finish();
    expect(c.text).toContain("step 2/4 [##########..........] loss 8.0000");
    expect(c.text).toContain("\r\x1b[Ka note\n");
    expect(c.text.endsWith("ETA 0:00\n")).toBe(true);
  });

  it("formats durations as m:ss or h:mm:ss", () => {
    expect(formatDuration(5)).toBe("0:05");
    expect(formatDuration(125.4)).toBe("2:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Infinity)).toBe("?");
  });
});
