// The one user-facing error of the graph layer. Shape rules throw it with a detail message; the builder fills in
// the op, the input types and the current spec source so that src/lower can turn it into a VFM4xxx diagnostic.
import type { TensorType } from "./ir.js";
import { typeString } from "./ir.js";

export class ShapeError extends Error {
  constructor(
    readonly detail: string,
    readonly op?: string,
    readonly inputs: readonly TensorType[] = [],
    readonly source?: string,
  ) {
    super(
      (op ? `${op}: ` : "") +
        detail +
        (inputs.length ? ` (inputs ${inputs.map(typeString).join(", ")})` : "") +
        (source ? ` at ${source}` : ""),
    );
    this.name = "ShapeError";
  }
}

/** Throws from a shape rule; the builder adds op, inputs and source. */
export function shapeFail(detail: string): never {
  throw new ShapeError(detail);
}
