// How much memory this machine gives vfmc, and the diagnostic for a request larger than that (VFM5011), raised
// before anything is allocated. The supply is the physical memory, or the container's limit (cgroup v2 memory.max,
// v1 limit_in_bytes) when that is lower. resources.ts turns the cost model's estimates into such requests; data
// readers check a file's declared size directly (this module stays free of the compiler, for the data workers).
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { DiagnosticError, makeDiagnostic } from "../diagnostics/diagnostic.js";

function cgroupLimit(): number | undefined {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const n = Number(readFileSync(file, "utf8").trim());
      if (Number.isFinite(n) && n > 0) return n; // "max" (no limit) is NaN
    } catch {
      // no such controller here
    }
  }
  return undefined;
}

/** The memory this process may use at most: physical memory, or a lower container limit. */
export function machineMemoryBytes(): number {
  return Math.min(totalmem(), cgroupLimit() ?? Infinity);
}

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];

/** 3.2 GB, 9.1 PB, 1.0e+24 B: decimal units, three significant figures. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "more than any machine has";
  let u = 0;
  while (n >= 1000 && u < UNITS.length - 1) {
    n /= 1000;
    u++;
  }
  return n >= 1000 ? `${n.toExponential(1)} ${UNITS[u]}` : `${n.toPrecision(3)} ${UNITS[u]}`;
}

/** Throws VFM5011 when `need` bytes exceed what this machine has. */
export function checkFits(what: string, need: number, remedy: string, have = machineMemoryBytes()): void {
  if (need <= have) return;
  throw new DiagnosticError([
    makeDiagnostic("MemoryEstimateTooLarge", undefined, [what, formatBytes(need), formatBytes(have), remedy]),
  ]);
}
