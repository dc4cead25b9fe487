// Loading the PyTorch reference fixtures (test/reference/README.md: <case>.json + <case>.safetensors) for the
// heads/losses/train parity tests, and the mask → gather-input collation those tests feed the graphs with.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, type Tensor } from "../../src/runtime/checkpoint/safetensors.js";
import { nestedLevels, type Backbone, type Head } from "../../src/ir/model.js";
import type { HostTensor } from "../harness/ort.js";

export const FIXTURES = process.env.VFMC_TORCH_FIXTURES ?? "test/fixtures/torch";

export interface Fixture {
  readonly json: {
    config: Record<string, any>;
    parameters: Record<
      string,
      {
        shape: number[];
        module?: string;
        lr_multiplier?: number;
        wd_multiplier?: number;
        is_last_layer?: boolean;
      }
    >;
    tensors: Record<string, { shape: number[] }>;
  };
  readonly tensors: Map<string, Tensor>;
}

export function hasFixture(name: string): boolean {
  return existsSync(join(FIXTURES, `${name}.json`));
}

/** A committed fixture: loaded, or the test fails saying which file is missing (never a silent skip). */
export async function fixtureCase(name: string): Promise<Fixture> {
  if (!hasFixture(name))
    throw new Error(
      `missing fixture ${join(FIXTURES, name)}.json: regenerate with /usr/bin/python3 test/reference/reference.py --out ${FIXTURES} --only ${name}`,
    );
  return loadFixture(name);
}

export async function loadFixture(name: string): Promise<Fixture> {
  const json = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));
  const { tensors } = await readSafetensors(join(FIXTURES, `${name}.safetensors`));
  return { json, tensors };
}

export function tensor(f: Fixture, name: string): Tensor {
  const t = f.tensors.get(name);
  if (!t) throw new Error(`fixture has no tensor ${name}`);
  return t;
}

export const values = (f: Fixture, name: string): number[] =>
  Array.from(tensor(f, name).data as Float32Array);

export function host(f: Fixture, name: string): HostTensor {
  const t = tensor(f, name);
  if (t.dtype === "F32") return { dtype: "float32", dims: [...t.shape], data: t.data as Float32Array };
  if (t.dtype === "I64") return { dtype: "int64", dims: [...t.shape], data: t.data as BigInt64Array };
  if (t.dtype === "U8") return { dtype: "bool", dims: [...t.shape], data: t.data as Uint8Array };
  throw new Error(`fixture tensor ${name} has dtype ${t.dtype}`);
}

/** max |a − b| / max |b|, the parity measure of docs/parity.md */
export function relativeError(got: ArrayLike<number>, golden: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < golden.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - golden[i]!));
    scale = Math.max(scale, Math.abs(golden[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

/** The backbone of the model IR from a fixture's backbone config (vit.py to_json keys); the rest from `base`. */
export function fixtureBackbone(base: Backbone, b: Record<string, any>): Backbone {
  return {
    ...base,
    patch: b.patch,
    dim: b.dim,
    depth: b.depth,
    heads: b.heads,
    headDim: b.dim / b.heads,
    mlpRatio: b.mlp_ratio,
    ffn: b.ffn,
    ffnHidden: b.ffn_hidden,
    qkvBias: b.qkv_bias,
    registers: b.registers,
    layerscale: b.layerscale,
    dropPath: b.drop_path,
    posGrid: b.pos_grid,
    interpolate: b.antialias ? "bicubic_antialias" : "bicubic",
    interpolateOffset: b.interpolate_offset,
  };
}

/** A head of the model IR from a fixture's head config (the reference's snake_case keys). */
export function fixtureHead(c: Record<string, any>, dim: number): Head {
  return {
    layers: c.layers,
    hidden: c.hidden,
    bottleneck: c.bottleneck,
    prototypes: c.prototypes,
    l2norm: c.l2norm,
    geluAfterBottleneck: c.gelu_after_bottleneck,
    nested: c.nested,
    levels: nestedLevels(dim, c.nested, c.prototypes),
  };
}

/** The §4.1 gather inputs of a [2B, P] uint8 mask: flat indices and 1/m_i weights padded to `upperbound`. */
export function gatherInputs(
  masks: Uint8Array,
  images: number,
  upperbound: number,
): Record<string, HostTensor> {
  const p = masks.length / images;
  const indices: bigint[] = [];
  const weights: number[] = [];
  for (let i = 0; i < images; i++) {
    let m = 0;
    for (let t = 0; t < p; t++) m += masks[i * p + t]!;
    for (let t = 0; t < p; t++)
      if (masks[i * p + t]) {
        indices.push(BigInt(i * p + t));
        weights.push(1 / m);
      }
  }
  const n = indices.length;
  while (indices.length < upperbound) {
    indices.push(0n);
    weights.push(0);
  }
  return {
    mask_indices: { dtype: "int64", dims: [upperbound], data: BigInt64Array.from(indices) },
    mask_weights: { dtype: "float32", dims: [upperbound], data: Float32Array.from(weights) },
    n_masked: { dtype: "int64", dims: [], data: BigInt64Array.from([BigInt(n)]) },
  };
}
