// RASA's fitting step (reference §8.3) as a graph: one AdamW step of the position regressor of the current round.
// Backbone features arrive already extracted (the backbone is frozen, so features are computed once, not per step);
// the removal chain of earlier rounds arrives folded into one D×D matrix input (rasa-fold.ts), so one compiled graph
// serves every round. Per step:
//   x    = tokens · M                                   (earlier rounds' projections, §8.2)
//   y    = sigmoid(x · Wᵀ)                              [B, P, 2], W = pos_pred.weight [2, D], no bias
//   loss = mean((y − t)²) over B·P·2, t = (r/(gh−1), c/(gw−1)) for the token at grid row r, column c
//   W, m, v ← AdamW(W, ∂loss/∂W, m, v; lr, wd)           (the gradient comes from src/graph's autodiff)
// An evaluation graph returns the per-image error of a given W, which the runner uses for the before/after figures.
import { GraphBuilder } from "../../graph/builder.js";
import { grad } from "../../graph/autodiff.js";
import type { Value } from "../../graph/ir.js";
import { adamwStep, biasCorrection, type AdamWConfig } from "../optim/adamw.js";

/** Graph input and output names (the runtime feeds and fetches by these). */
export const RASA_IO = {
  tokens: "patch_tokens",
  removal: "rasa_removal",
  weight: "rasa_head.pos_pred.weight",
  m: "state.exp_avg.rasa_head.pos_pred.weight",
  v: "state.exp_avg_sq.rasa_head.pos_pred.weight",
  lr: "lr",
  step: "adam_step",
  loss: "loss_pos",
  grad: "grad.rasa_head.pos_pred.weight",
  newWeight: "updated.rasa_head.pos_pred.weight",
  newM: "updated.exp_avg.rasa_head.pos_pred.weight",
  newV: "updated.exp_avg_sq.rasa_head.pos_pred.weight",
  error: "position_error",
} as const;

export interface RasaGrid {
  /** token grid rows and columns (P = rows · cols, row-major) */
  readonly rows: number;
  readonly cols: number;
}

export interface RasaFitConfig extends RasaGrid {
  readonly dim: number;
  /** images per step (static: the gradient of a mean over a symbolic batch is not supported, docs/graph.md) */
  readonly batch: number;
  readonly adam: AdamWConfig;
  /** decoupled weight decay; 0 in the reference recipe (§8.3) */
  readonly weightDecay: number;
}

/**
 * Regression targets [P, 2]: (r/(rows−1), c/(cols−1)) per token in row-major order, as RASA normalises the grid
 * position. A grid of one row (or column) has the single position 0.
 */
export function positionTargets(grid: RasaGrid): Float32Array {
  const t = new Float32Array(grid.rows * grid.cols * 2);
  for (let r = 0; r < grid.rows; r++)
    for (let c = 0; c < grid.cols; c++) {
      const p = r * grid.cols + c;
      t[2 * p] = grid.rows > 1 ? r / (grid.rows - 1) : 0;
      t[2 * p + 1] = grid.cols > 1 ? c / (grid.cols - 1) : 0;
    }
  return t;
}

/**
 * The error of always predicting the mean position: mean over tokens and both coordinates of (t − t̄)². A regressor
 * that finds no positional information in the features cannot do better, so this is the ceiling RASA aims for.
 */
export function meanPositionError(grid: RasaGrid): number {
  const t = positionTargets(grid);
  const p = grid.rows * grid.cols;
  let err = 0;
  for (let k = 0; k < 2; k++) {
    let mean = 0;
    for (let i = 0; i < p; i++) mean += t[2 * i + k]!;
    mean /= p;
    for (let i = 0; i < p; i++) err += (t[2 * i + k]! - mean) ** 2;
  }
  return err / (2 * p);
}

/** sigmoid((tokens · M) · Wᵀ) − t, [B, P, 2] */
function residual(g: GraphBuilder, tokens: Value, removal: Value, w: Value, grid: RasaGrid): Value {
  const p = grid.rows * grid.cols;
  const x = g.matmul(tokens, removal);
  const y = g.sigmoid(g.matmul(x, g.transpose(w, [1, 0])));
  return g.sub(y, g.constant(positionTargets(grid), "float32", [p, 2]));
}

/** One AdamW step of the current round's regressor (inputs/outputs named by RASA_IO). */
export function lowerRasaFitStep(cfg: RasaFitConfig): GraphBuilder {
  const g = new GraphBuilder("rasa.fit");
  const p = cfg.rows * cfg.cols;
  g.withSource("post rasa: fit step (§8.3)", () => {
    const tokens = g.input(RASA_IO.tokens, "float32", [cfg.batch, p, cfg.dim]);
    const removal = g.input(RASA_IO.removal, "float32", [cfg.dim, cfg.dim]);
    const w = g.param(RASA_IO.weight, [2, cfg.dim]);
    const m = g.input(RASA_IO.m, "float32", [2, cfg.dim]);
    const v = g.input(RASA_IO.v, "float32", [2, cfg.dim]);
    const lr = g.input(RASA_IO.lr, "float32", []);
    const step = g.input(RASA_IO.step, "int64", []);
    const d = residual(g, tokens, removal, w, cfg);
    const loss = g.reduceMean(g.mul(d, d), [0, 1, 2]);
    const [dw] = grad(g, loss, [w]);
    const rates = { lr, wd: g.scalar(cfg.weightDecay, "float32") };
    const next = adamwStep(g, w, dw!, m, v, rates, biasCorrection(g, step, cfg.adam), cfg.adam);
    g.output(RASA_IO.loss, loss);
    g.output(RASA_IO.grad, dw!);
    g.output(RASA_IO.newWeight, next.param);
    g.output(RASA_IO.newM, next.m);
    g.output(RASA_IO.newV, next.v);
  });
  return g;
}

/** Per-image position error mean((y − t)²) over P·2 for any batch size N: [N]. */
export function lowerRasaError(cfg: RasaGrid & { readonly dim: number }): GraphBuilder {
  const g = new GraphBuilder("rasa.error");
  const p = cfg.rows * cfg.cols;
  g.withSource("post rasa: position error (§8.4)", () => {
    const tokens = g.input(RASA_IO.tokens, "float32", ["N", p, cfg.dim]);
    const removal = g.input(RASA_IO.removal, "float32", [cfg.dim, cfg.dim]);
    const w = g.param(RASA_IO.weight, [2, cfg.dim]);
    const d = residual(g, tokens, removal, w, cfg);
    g.output(RASA_IO.error, g.reduceMean(g.mul(d, d), [1, 2]));
  });
  return g;
}
