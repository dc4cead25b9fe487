// A loss term: the unit the self-supervised objective is made of (DINO's CLS loss, iBOT's patch loss, KoLeo,
// MAE's reconstruction). Like an op in src/graph/ops, a term is one file holding everything about it — the spec
// keys it reads, the heads it owns (parameters under their state-dict names), the contract inputs it needs (batch
// tensors, schedules, carried state), its metrics, its checks and costs, and its contribution to the loss — and the
// step graph, the gradient graph, the manifest, the checker, the cost model and the runtime iterate over the
// model's terms (objectives/index.ts) without naming any of them.
import type { GraphBuilder } from "../../graph/builder.js";
import type { Value } from "../../graph/ir.js";
import type { CheckContext } from "../../ir/check/context.js";
import type { LossEstimate } from "../../ir/dynamics.js";
import type { Head, ModelIR, Schedule } from "../../ir/model.js";
import type { BackboneParams, VitOutputs } from "../backbone/vit.js";
import type { ParamValues } from "../heads/head-params.js";
import type { GraphKind } from "../compile.js";
import type { MetricWatch } from "../manifest.js";
import type { ParamSpec } from "../params.js";
import type { At } from "../source.js";

/** One network of the step: backbone parameters grouped for vitForward, head parameters by state-dict name. */
export interface Network {
  readonly backbone: BackboneParams;
  readonly heads: ParamValues;
  /** module prefix of the head names: "" for the student, "teacher." for the teacher */
  readonly prefix: string;
}

/** Declares a term's contract inputs on the step graph (the role and the manifest entry come with the call). */
export interface Declare {
  readonly g: GraphBuilder;
  readonly at: At;
  /** a batch input: data the runtime feeds every step */
  batch(name: string, dtype: "float32" | "int64" | "bool", shape: readonly number[], doc: string): Value;
  /** a scalar evaluated from `manifest.schedules[key]` every step */
  schedule(name: string, key: string, doc: string): Value;
  /**
   * carried state: zeros at the start, replaced after every step by the term's `next` value of the same name
   * (output `new.<name>`, described by `nextDoc`)
   */
  state(name: string, shape: readonly number[], doc: string, nextDoc: string): Value;
}

/** A term's inputs and the values it derived from them while declaring, by name. */
export type TermInputs = Map<string, Value>;

/** The forwards every term of a multi-crop objective shares, built once on first use. */
export interface Views {
  /** the student on the (masked) global crops, with stochastic depth */
  studentGlobal(): VitOutputs;
  /** the student on the local crops; null without local crops */
  studentLocal(): VitOutputs | null;
  /** the teacher on the unmasked global crops, outputs through stopGradient's reach: `cls` already stopped */
  teacherGlobal(): VitOutputs;
  /** RGB pixels in [0, 1] of the global crops (the batch input), before normalisation */
  readonly globalPixels: Value;
  /** (pixels − mean) / std, a new node each call */
  normalise(pixels: Value): Value;
}

/** What a term's lowering sees. */
export interface TermContext {
  readonly g: GraphBuilder;
  readonly ir: ModelIR;
  readonly at: At;
  readonly student: Network;
  /** null when no term of the model needs a teacher */
  readonly teacher: Network | null;
  readonly views: Views;
  /** this term's declared inputs (and derived values), by name */
  readonly inputs: TermInputs;
  /** the float32 scalar 0 the objective shares (an inactive term's contribution) */
  readonly zero: Value;
}

/** A term's part of the step: its weighted contribution, monitors, and the next value of each state it declared. */
export interface TermOutput {
  /** the weighted contribution to the total loss (output as `loss_<term>`) */
  readonly loss: Value;
  /** monitor outputs by metric name, one per `monitors` entry */
  readonly monitors?: ReadonlyMap<string, Value>;
  /** next value of each state input, by input name */
  readonly next?: ReadonlyMap<string, Value>;
  /**
   * the student tokens the term reads, each through an identity of its own (`g.identity`) that only this term
   * consumes: the gradient of the total loss there is this term's alone, and the step outputs its share of the
   * gradient norm (`grad_share.<term>`) from the one backward pass
   */
  readonly taps?: readonly Value[];
}

/** A metric output: the name the graph and metrics.jsonl use, and what it measures. */
export interface MetricDecl {
  readonly name: string;
  readonly doc: string;
  /** what the progress output watches the metric for (docs/graph-contract.md) */
  readonly watch?: MetricWatch;
}

/** A module a term owns (a head, a decoder): a row of `vfmc info`'s parameter table and the editor's hover. */
export interface HeadCost {
  /** the module: its parameters' clip group (`dino_head`, `decoder`) */
  readonly module: string;
  readonly params: number;
  /** the spec section that configures it (`heads.dino`) */
  readonly section: string;
  /** a projection head's configuration (its Matryoshka levels), when the module is one */
  readonly head?: Head;
  /** why the module has no parameters of its own (a shared or absent head) */
  readonly note?: string;
}

export interface TermCosts {
  /** the modules the term owns, with their parameter counts (a shared or absent head counts 0) */
  readonly heads: readonly HeadCost[];
  /** FLOPs of the term's own networks in one training step: teacher forward, student forward */
  readonly teacherFlops: number;
  readonly studentFlops: number;
  /** activations its own forward keeps for the backward pass (terms with `ownForward`) */
  readonly activationFloats?: number;
}

/** `vfmc info`'s recipe lines a term contributes, and its part of the `losses` line. */
export interface TermInfo {
  readonly recipe?: readonly (readonly [string, string])[];
  /** e.g. `dino 1 (sinkhorn)` */
  readonly loss: string;
  /** appended to the losses line after `;` (e.g. the teacher temperature) */
  readonly note?: string;
  /** merged into `vfmc info --json` (e.g. `{ heads: { dino: … } }`) */
  readonly json?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface LossTerm<T = unknown> {
  /** `dino`: its section is `losses.dino`, its metric `loss_dino` */
  readonly name: string;
  /** what `loss_<name>` is (the manifest's doc of that metric) */
  readonly doc: string;
  /** spec sections and keys the term reads (docs, editor, and a test that every loss and head key has a reader) */
  readonly reads: readonly string[];
  /** the student tokens the term reads: terms on the CLS are lowered before terms on patch tokens */
  readonly tokens: "cls" | "patches";
  /** whether the term's targets come from an EMA teacher (the step then carries and updates one) */
  readonly needsTeacher: boolean;
  /**
   * the term runs its own student forward (MAE's encoder on the visible patches) instead of the shared multi-crop
   * views; the cost model then counts that forward in the term's costs only
   */
  readonly ownForward?: boolean;
  /** contributes to the loss; a term in the model but not active outputs 0 and builds nothing */
  active(ir: ModelIR): boolean;
  /** monitor outputs beside the loss (names should start with the term's name) */
  monitors?(ir: ModelIR): readonly MetricDecl[];
  /** the term's heads: parameter records in state-dict order (`prefix` is `teacher.` for the EMA copy) */
  heads(ir: ModelIR, prefix: string): ParamSpec[];
  /**
   * Checkpoint modules and keys the term owns that are not backbone parameters (heads, loss state): weight import
   * neither reports them as unused nor loads them into an inference graph.
   */
  readonly checkpointModules: readonly string[];
  /** contract inputs, declared batch first (every term), then schedules, then state */
  declareBatch?(d: Declare, ir: ModelIR, inputs: TermInputs): void;
  declareSchedules?(d: Declare, ir: ModelIR, inputs: TermInputs): void;
  declareState?(d: Declare, ir: ModelIR, inputs: TermInputs): void;
  /** the manifest schedules its schedule inputs read, by key */
  schedules?(ir: ModelIR): Readonly<Record<string, Schedule>>;
  /** the teacher-side part (targets, state updates); every active term's runs before any student part */
  teacher?(ctx: TermContext): T;
  /** the student-side part: the weighted loss and the rest of the term's outputs */
  student(ctx: TermContext, fromTeacher: T | undefined): TermOutput;
  /**
   * a self-distillation term's first-step estimate (src/ir/dynamics.ts), undefined when inactive: `vfmc info` prints
   * it, the dynamics checks read it and the progress output watches `loss_<term>` against its uniform value
   */
  dynamics?(ir: ModelIR): LossEstimate | undefined;
  /** consistency rules of the checker (VFM3xxx) on the resolved model */
  check?(ctx: CheckContext): void;
  /** what the step lowering cannot express for this model, as a reason (GraphNotAvailable), or undefined */
  untrainable?(ir: ModelIR): { readonly path: string; readonly reason: string } | undefined;
  costs(ir: ModelIR): TermCosts;
  info(ir: ModelIR): TermInfo;
  /** graphs of its own `vfmc compile --emit` offers (MAE's reconstruction, for `vfmc viz mae`) */
  readonly graphs?: readonly GraphKind[];
}

/** Identity with a checked type: each term file exports `defineTerm({...})`. */
export function defineTerm<T>(term: LossTerm<T>): LossTerm {
  return term as LossTerm;
}
