// Deterministic parameter initialisation (reference §1.6) for models trained from scratch. Each tensor draws from
// its own stream keyed by (seed, name), so adding or reordering parameters never changes another tensor's values.
// The generator is local on purpose: lowering comes before the runtime and may not import its Rng.
import { InternalError } from "../diagnostics/diagnostic.js";
import { studentName } from "./contract.js";
import { paramElements, type InitRule, type ParamSpec } from "./params.js";

const TWO_POW_32 = 4294967296;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit stream seed from the run seed and a tensor name (FNV-1a over the name, mixed with the seed). */
export function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ fmix32(seed >>> 0) ^ fmix32(Math.floor(seed / TWO_POW_32) >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/** SplitMix32-style generator: tiny state, uniform floats in [0, 1) with 32 random bits. */
export class InitStream {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state) / TWO_POW_32;
  }
}

/** Fills `out` following `rule`, drawing from `stream`. */
export function fillInit(out: Float32Array, rule: InitRule, stream: InitStream): void {
  switch (rule.kind) {
    case "constant":
      out.fill(rule.value);
      return;
    case "uniform":
      for (let i = 0; i < out.length; i++) out[i] = (2 * stream.uniform() - 1) * rule.bound;
      return;
    case "normal":
    case "truncNormal": {
      // Marsaglia's polar method, both outputs used, no allocation per pair: ViT-g draws ~1.1 G values at
      // compile time, and one log + sqrt per pair is the cheapest exact normal here.
      const bound = rule.kind === "truncNormal" ? rule.bound : Infinity;
      const std = rule.std;
      let i = 0;
      while (i < out.length) {
        const u = 2 * stream.uniform() - 1;
        const v = 2 * stream.uniform() - 1;
        const s = u * u + v * v;
        if (s >= 1 || s === 0) continue;
        const m = Math.sqrt((-2 * Math.log(s)) / s) * std;
        if (Math.abs(u * m) <= bound) out[i++] = u * m; // rejection keeps the truncated law exact
        if (i < out.length && Math.abs(v * m) <= bound) out[i++] = v * m;
      }
      return;
    }
    default:
      throw new InternalError(`unknown init rule ${(rule as InitRule).kind}`);
  }
}

/** The teacher starts as a copy of the student (§6), so `teacher.X` draws the stream of `X`. */
export function initTensor(spec: ParamSpec, seed: number): Float32Array {
  const out = new Float32Array(paramElements(spec));
  fillInit(out, spec.init, new InitStream(streamSeed(seed, studentName(spec.name))));
  return out;
}

export function initParams(specs: readonly ParamSpec[], seed: number): Map<string, Float32Array> {
  return new Map(specs.map((s) => [s.name, initTensor(s, seed)]));
}
