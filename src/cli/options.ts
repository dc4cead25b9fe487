// Option parsing shared by the commands that load a spec's model and read data: numbers, k lists, the model of a
// spec, the data source. Every bad value is a VFM5004 diagnostic naming the command whose --help explains it.
import { Option } from "commander";
import {
  DiagnosticBag,
  DiagnosticError,
  makeDiagnostic,
  type Diagnostic,
} from "../diagnostics/diagnostic.js";
import { checkSpec } from "../lower/check-spec.js";
import { parseSetOverride, type SetOverride } from "../lang/set-override.js";
import type { ModelIR } from "../ir/model.js";
import { parseDataSpec, type DataSpec } from "../runtime/data/source.js";
import { DEVICES, type Device } from "../runtime/session.js";
import { registerSource } from "./io.js";

export function badOption(command: string, message: string): DiagnosticError {
  return new DiagnosticError([makeDiagnostic("BadOption", undefined, [message, command])]);
}

export function intOption(
  command: string,
  name: string,
  text: string | undefined,
  min: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw badOption(command, `--${name} ${text}: expected an integer ≥ ${min}`);
  return n;
}

export function kList(command: string, text: string): number[] {
  const ks = text.split(",").map((s) => Number(s.trim()));
  if (ks.length === 0 || ks.some((k) => !Number.isSafeInteger(k) || k < 1))
    throw badOption(command, `--k ${text}: expected positive integers, e.g. 20 or 10,20,100,200`);
  return ks;
}

export function positive(command: string, name: string, text: string): number {
  const x = Number(text);
  if (!(x > 0) || !Number.isFinite(x))
    throw badOption(command, `--${name} ${text}: expected a positive number`);
  return x;
}

export function deviceOption(command: string, text: string): Device {
  if (!DEVICES.includes(text as Device))
    throw badOption(command, `--device ${text}: expected one of ${DEVICES.join(", ")}`);
  return text as Device;
}

/** `--set key=value`, repeatable: spec entries given on the command line (src/lang/set-override.ts). */
export function setOption(): Option {
  return repeatableOption(
    "--set <key=value>",
    "override one spec value, checked like the spec itself (repeatable; e.g. heads.dino.l2norm=true, " +
      'optim.lr="cosine 1e-3 -> 1e-6")',
    "none",
  );
}

/** The --set arguments parsed, each registered as the virtual source its diagnostics point into. */
export function setOverrides(args: readonly string[] | undefined): SetOverride[] {
  return (args ?? []).map((text, i) => {
    const o = parseSetOverride(text, i + 1);
    registerSource(o.file, o.text);
    return o;
  });
}

/** The spec's model to use: --model, or the file's only model. Throws the spec's errors as diagnostics. */
export function loadModel(
  spec: string,
  model: string | undefined,
  command: string,
  overrides: readonly SetOverride[] = [],
): { ir: ModelIR; warnings: Diagnostic[] } {
  const r = checkSpec(spec, undefined, { overrides });
  if (r.diagnostics.some((d) => d.severity === "error")) throw new DiagnosticError(r.diagnostics);
  const bag = new DiagnosticBag();
  const names = r.models.map((m) => m.name).join(", ") || "none";
  if (r.models.length === 0) bag.report("NoModels", undefined, [spec]);
  else if (model !== undefined && !r.models.some((m) => m.name === model))
    bag.report("UnknownModelOption", undefined, [model, spec, names]);
  else if (model === undefined && r.models.length > 1)
    throw badOption(command, `${spec} declares several models (${names}): choose one with --model`);
  if (bag.hasErrors) throw new DiagnosticError(bag.items);
  return { ir: r.models.find((m) => m.name === (model ?? r.models[0]!.name))!, warnings: r.diagnostics };
}

export function dataSpecFor(ir: ModelIR, text: string | undefined): DataSpec {
  return parseDataSpec(text ?? "synthetic", { syntheticSize: ir.input.size });
}

/** A `--flag <value>` option that may be given several times; its values arrive in command-line order. */
export function repeatableOption(flags: string, description: string, defaultDescription: string): Option {
  return new Option(flags, description)
    .argParser((v: string, prev: string[]) => [...prev, v])
    .default([], defaultDescription);
}
