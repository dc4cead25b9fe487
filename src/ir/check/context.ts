// What a check family sees: the built model, the written values (to tell spec text from defaults) and a bag.
import type { DiagnosticBag } from "../../diagnostics/diagnostic.js";
import type { ModelIR } from "../model.js";
import type { SpecValues } from "../spec-values.js";

export interface CheckContext {
  readonly model: ModelIR;
  readonly values: SpecValues;
  readonly bag: DiagnosticBag;
}
