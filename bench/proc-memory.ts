// Resident memory of this process, from /proc (Linux). Writing 5 to /proc/self/clear_refs resets the high-water
// mark VmHWM to the current RSS (Linux ≥ 4.0), so reading VmHWM after one step gives that step's peak.
import { readFileSync, writeFileSync } from "node:fs";

function statusKib(field: string): number {
  try {
    const line = readFileSync("/proc/self/status", "utf8")
      .split("\n")
      .find((l) => l.startsWith(field + ":"));
    return line ? Number(line.split(/\s+/)[1]) : NaN;
  } catch {
    return NaN;
  }
}

export const rssBytes = (): number => statusKib("VmRSS") * 1024;
export const peakRssBytes = (): number => statusKib("VmHWM") * 1024;

/** false where the kernel (or a non-Linux OS) refuses: the peak then spans the whole process. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}
