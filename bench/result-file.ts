// A child's result travels as a JSON file (its stdout stays free for logs and onnxruntime's own chatter).
import { writeFileSync } from "node:fs";
import type { ChildResult } from "./jobs.js";

export function writeResult(path: string, result: ChildResult): void {
  writeFileSync(path, JSON.stringify(result));
}
