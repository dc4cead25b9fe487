// RASA fitting (reference §8.3) on frozen patch tokens: per round a fresh position regressor W [2, D] is trained
// with the compiled fit-step graph (src/lower/post/rasa-fit.ts: loss, autodiff gradient and AdamW in one ONNX
// graph) on tokens with the earlier rounds' subspaces removed, then W joins the removal chain. The chain is
// handed to the graph folded into one D×D matrix (rasa-fold.ts), recomputed between rounds.
// Schedule per round as the reference: AdamW (default betas), weight decay 0, cosine annealing from lr to 0 over
// the round's steps, stepped after every update (CosineAnnealingLR). The PyTorch Linear default init draws W from
// U(±1/√D). Not reproduced: the reference's image augmentations (the target is the grid position whatever the
// augmentation, so they only diversify the features); here every step samples images of the fixed feature set.
import { InternalError } from "../../diagnostics/diagnostic.js";
import {
  lowerRasaError,
  lowerRasaFitStep,
  meanPositionError,
  RASA_IO,
  type RasaGrid,
} from "../../lower/post/rasa-fit.js";
import { rasaMatrix } from "../../lower/post/rasa-fold.js";
import { toOnnx } from "../../graph/emit.js";
import type { GraphBuilder } from "../../graph/builder.js";
import { DEFAULT_OPSET } from "../../onnx/model.js";
import { encodeModel } from "../../onnx/serialize.js";
import { Rng } from "../rng.js";
import { createSession, ort, type Device } from "../session.js";

export interface RasaFitOptions {
  readonly rounds: number;
  /** optimiser steps per round */
  readonly steps: number;
  readonly batch: number;
  /** peak learning rate (reference: lr_heads 2e-4 for 410 steps of 128 ViT-B 37×37 crops) */
  readonly lr: number;
  readonly seed: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly device?: Device;
  readonly threads?: number;
  /** called after each round (and after the probe), for progress lines */
  readonly onRound?: (r: RasaRound) => void;
}

export const RASA_DEFAULTS = { steps: 400, batch: 32, lr: 2e-4, betas: [0.9, 0.999] as const, eps: 1e-8 };

export interface RasaRound {
  /** 0-based round; the probe after the last round has round = rounds and `probe` true */
  readonly round: number;
  /** position error of the fresh regressor (its random init) on this round's features */
  readonly before: number;
  /** position error after the round's training */
  readonly after: number;
  readonly probe?: boolean;
}

export interface RasaFitResult {
  /** regressor weights [2, D] in chain order: pre_pos_layers.0 … n−1, then pos_pred */
  readonly weights: readonly Float32Array[];
  readonly rounds: readonly RasaRound[];
  /** error of always predicting the mean position (the floor of positional information) */
  readonly meanError: number;
}

/** Patch tokens [n, P, D] of n images, row-major grid `rows × cols`. */
export interface TokenSet extends RasaGrid {
  readonly tokens: Float32Array;
  readonly images: number;
  readonly dim: number;
}

function sessionOf(g: GraphBuilder, opts: RasaFitOptions): Promise<ort.InferenceSession> {
  const model = toOnnx(g, { opset: DEFAULT_OPSET, name: g.name });
  return createSession(encodeModel(model), { device: opts.device ?? "cpu", threads: opts.threads ?? 0 });
}

/** PyTorch nn.Linear's default init (kaiming_uniform with a = √5): U(−1/√fan_in, 1/√fan_in). */
export function linearInit(dim: number, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(dim);
  return Float32Array.from({ length: 2 * dim }, () => rng.uniform(-bound, bound));
}

const tensor = (data: Float32Array, dims: readonly number[]): ort.Tensor =>
  new ort.Tensor("float32", data, dims);

export class RasaFitter {
  private constructor(
    private readonly set: TokenSet,
    private readonly opts: RasaFitOptions,
    private readonly step: ort.InferenceSession,
    private readonly error: ort.InferenceSession,
  ) {}

  static async create(set: TokenSet, opts: RasaFitOptions): Promise<RasaFitter> {
    if (set.tokens.length !== set.images * set.rows * set.cols * set.dim)
      throw new InternalError(`RASA tokens: ${set.tokens.length} values for ${set.images} images`);
    const batch = Math.min(opts.batch, set.images);
    const [b1, b2] = opts.betas ?? RASA_DEFAULTS.betas;
    const step = await sessionOf(
      lowerRasaFitStep({
        rows: set.rows,
        cols: set.cols,
        dim: set.dim,
        batch,
        adam: { beta1: b1, beta2: b2, eps: opts.eps ?? RASA_DEFAULTS.eps },
        weightDecay: 0,
      }),
      opts,
    );
    const error = await sessionOf(lowerRasaError(set), opts);
    return new RasaFitter(set, { ...opts, batch }, step, error);
  }

  private get perImage(): number {
    return this.set.rows * this.set.cols * this.set.dim;
  }

  /** Mean position error of `w` on every image, with `removal` applied first. */
  async positionError(removal: Float32Array, w: Float32Array): Promise<number> {
    const { dim, images } = this.set;
    const chunk = 256;
    let sum = 0;
    for (let s = 0; s < images; s += chunk) {
      const n = Math.min(chunk, images - s);
      const out = await this.error.run({
        [RASA_IO.tokens]: tensor(this.set.tokens.subarray(s * this.perImage, (s + n) * this.perImage), [
          n,
          this.set.rows * this.set.cols,
          dim,
        ]),
        [RASA_IO.removal]: tensor(removal, [dim, dim]),
        [RASA_IO.weight]: tensor(w, [2, dim]),
      });
      for (const e of out[RASA_IO.error]!.data as Float32Array) sum += e;
    }
    return sum / images;
  }

  /** Trains a fresh regressor on tokens · removal; returns it with its error before and after. */
  async fitRound(
    removal: Float32Array,
    round: number,
  ): Promise<{ w: Float32Array; before: number; after: number }> {
    const { dim, images } = this.set;
    const { steps, batch, lr } = this.opts;
    const rng = Rng.derive(this.opts.seed, "rasa", round);
    let w = linearInit(dim, rng);
    const before = await this.positionError(removal, w);
    let m = new Float32Array(2 * dim);
    let v = new Float32Array(2 * dim);
    const buf = new Float32Array(batch * this.perImage);
    const removalT = tensor(removal, [dim, dim]);
    let order = rng.permutation(images);
    let cursor = 0;
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < batch; b++) {
        if (cursor === images) {
          order = rng.permutation(images);
          cursor = 0;
        }
        const i = order[cursor++]!;
        buf.set(this.set.tokens.subarray(i * this.perImage, (i + 1) * this.perImage), b * this.perImage);
      }
      const out = await this.step.run({
        [RASA_IO.tokens]: tensor(buf, [batch, this.set.rows * this.set.cols, dim]),
        [RASA_IO.removal]: removalT,
        [RASA_IO.weight]: tensor(w, [2, dim]),
        [RASA_IO.m]: tensor(m, [2, dim]),
        [RASA_IO.v]: tensor(v, [2, dim]),
        // CosineAnnealingLR(T_max = steps, eta_min = 0), read before its step() call
        [RASA_IO.lr]: tensor(Float32Array.of((lr * (1 + Math.cos((Math.PI * t) / steps))) / 2), []),
        [RASA_IO.step]: new ort.Tensor("int64", BigInt64Array.of(BigInt(t + 1)), []),
      });
      const loss = (out[RASA_IO.loss]!.data as Float32Array)[0]!;
      if (!Number.isFinite(loss)) throw new InternalError(`RASA round ${round} step ${t + 1}: loss ${loss}`);
      w = Float32Array.from(out[RASA_IO.newWeight]!.data as Float32Array);
      m = Float32Array.from(out[RASA_IO.newM]!.data as Float32Array);
      v = Float32Array.from(out[RASA_IO.newV]!.data as Float32Array);
    }
    return { w, before, after: await this.positionError(removal, w) };
  }

  async release(): Promise<void> {
    await this.step.release();
    await this.error.release();
  }
}

/**
 * Runs `rounds` rounds, then (with `probe`) fits one more fresh regressor on the fully folded features without
 * adding it to the chain: its error is how much position a linear probe still finds after RASA.
 */
export async function fitRasa(set: TokenSet, opts: RasaFitOptions, probe = true): Promise<RasaFitResult> {
  const fitter = await RasaFitter.create(set, opts);
  const weights: Float32Array[] = [];
  const rounds: RasaRound[] = [];
  try {
    for (let r = 0; r <= opts.rounds; r++) {
      const isProbe = r === opts.rounds;
      if (isProbe && !probe) break;
      const { w, before, after } = await fitter.fitRound(rasaMatrix(weights, set.dim), r);
      const round: RasaRound = { round: r, before, after, ...(isProbe ? { probe: true } : {}) };
      rounds.push(round);
      opts.onRound?.(round);
      if (!isProbe) weights.push(w);
    }
  } finally {
    await fitter.release();
  }
  return { weights, rounds, meanError: meanPositionError(set) };
}

/** Safetensors tensor names of a RASA head with `n` regressors (§8.1): n − 1 frozen layers, then pos_pred. */
export function rasaTensorNames(n: number): string[] {
  return Array.from({ length: n }, (_, k) =>
    k < n - 1 ? `rasa_head.pre_pos_layers.${k}.weight` : "rasa_head.pos_pred.weight",
  );
}
