// A plain float64 TypeScript ViT (reference §1.2), written loop by loop without the graph builder, to check the
// lowered inference graph against. Slow on purpose-built clarity; only for tiny models.
import type { Backbone } from "../../src/ir/model.js";
import { resizeMatrix } from "../../src/lower/backbone/interpolation.js";
import { gelu } from "./ssl-reference.js";

type P = ReadonlyMap<string, Float32Array>;
type Mat = number[][]; // [tokens][features]

const get = (p: P, name: string): Float32Array => {
  const v = p.get(name);
  if (!v) throw new Error(`missing ${name}`);
  return v;
};

function linear(x: Mat, w: Float32Array, b: Float32Array | undefined, outF: number): Mat {
  const inF = x[0]!.length;
  return x.map((row) =>
    Array.from({ length: outF }, (_, o) => {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inF; i++) s += row[i]! * w[o * inF + i]!;
      return s;
    }),
  );
}

function layerNorm(x: Mat, w: Float32Array, b: Float32Array): Mat {
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-6)) * w[i]! + b[i]!);
  });
}

export interface ReferenceOutputs {
  cls: number[][]; // [N][D]
  patches: number[][][]; // [N][P][D]
  registers: number[][][];
}

export function referenceVit(
  bb: Backbone,
  p: P,
  pixels: Float32Array,
  n: number,
  size: number,
  mean: readonly number[],
  std: readonly number[],
): ReferenceOutputs {
  const d = bb.dim;
  const ps = bb.patch;
  const g = size / ps;
  const np = g * g;
  const c = mean.length;
  const m = bb.posGrid;
  const pe = get(p, "pos_embed");
  // position grid resized (or not) row/column separably
  const posGrid: number[][] = [];
  const skip = g === m;
  const wy = resizeMatrix({ interpolate: bb.interpolate, offset: bb.interpolateOffset }, m, g);
  for (let y = 0; y < g; y++)
    for (let x = 0; x < g; x++)
      posGrid.push(
        Array.from({ length: d }, (_, k) => {
          if (skip) return pe[(1 + y * g + x) * d + k]!;
          let s = 0;
          for (let r = 0; r < m; r++)
            for (let q = 0; q < m; q++) s += wy[y * m + r]! * wy[x * m + q]! * pe[(1 + r * m + q) * d + k]!;
          return s;
        }),
      );
  const out: ReferenceOutputs = { cls: [], patches: [], registers: [] };
  for (let b = 0; b < n; b++) {
    const px = (ch: number, yy: number, xx: number): number =>
      (pixels[((b * c + ch) * size + yy) * size + xx]! - mean[ch]!) / std[ch]!;
    const w = get(p, "patch_embed.proj.weight");
    const bias = get(p, "patch_embed.proj.bias");
    const tokens: Mat = [];
    const cls = get(p, "cls_token");
    tokens.push(Array.from({ length: d }, (_, k) => cls[k]! + pe[k]!));
    for (let r = 0; r < bb.registers; r++)
      tokens.push(Array.from(get(p, "register_tokens").subarray(r * d, (r + 1) * d)));
    for (let gy = 0; gy < g; gy++)
      for (let gx = 0; gx < g; gx++)
        tokens.push(
          Array.from({ length: d }, (_, o) => {
            let s = bias[o]!;
            for (let ch = 0; ch < c; ch++)
              for (let ky = 0; ky < ps; ky++)
                for (let kx = 0; kx < ps; kx++)
                  s += w[((o * c + ch) * ps + ky) * ps + kx]! * px(ch, gy * ps + ky, gx * ps + kx);
            return s + posGrid[gy * g + gx]![o]!;
          }),
        );
    let x = tokens;
    const t = x.length;
    const h = bb.heads;
    const dh = d / h;
    for (let i = 0; i < bb.depth; i++) {
      const pre = `blocks.${i}.`;
      const y = layerNorm(x, get(p, pre + "norm1.weight"), get(p, pre + "norm1.bias"));
      const qkv = linear(y, get(p, pre + "attn.qkv.weight"), p.get(pre + "attn.qkv.bias"), 3 * d);
      const att: Mat = Array.from({ length: t }, () => new Array<number>(d).fill(0));
      for (let hd = 0; hd < h; hd++)
        for (let qi = 0; qi < t; qi++) {
          const logits = Array.from({ length: t }, (_, ki) => {
            let s = 0;
            for (let e = 0; e < dh; e++) s += qkv[qi]![hd * dh + e]! * qkv[ki]![d + hd * dh + e]!;
            return s / Math.sqrt(dh);
          });
          const mx = Math.max(...logits);
          const ex = logits.map((l) => Math.exp(l - mx));
          const z = ex.reduce((a, v) => a + v, 0);
          for (let ki = 0; ki < t; ki++)
            for (let e = 0; e < dh; e++)
              att[qi]![hd * dh + e]! += (ex[ki]! / z) * qkv[ki]![2 * d + hd * dh + e]!;
        }
      const o = linear(att, get(p, pre + "attn.proj.weight"), get(p, pre + "attn.proj.bias"), d);
      const ls1 = p.get(pre + "ls1.gamma");
      x = x.map((row, r) => row.map((v, k) => v + (ls1 ? ls1[k]! : 1) * o[r]![k]!));
      const y2 = layerNorm(x, get(p, pre + "norm2.weight"), get(p, pre + "norm2.bias"));
      let f: Mat;
      if (bb.ffn === "mlp") {
        const hdn = linear(y2, get(p, pre + "mlp.fc1.weight"), get(p, pre + "mlp.fc1.bias"), bb.ffnHidden);
        f = linear(
          hdn.map((r) => r.map(gelu)),
          get(p, pre + "mlp.fc2.weight"),
          get(p, pre + "mlp.fc2.bias"),
          d,
        );
      } else {
        const u = linear(y2, get(p, pre + "mlp.w12.weight"), get(p, pre + "mlp.w12.bias"), 2 * bb.ffnHidden);
        const hid = u.map((r) =>
          r.slice(0, bb.ffnHidden).map((a, k) => (a / (1 + Math.exp(-a))) * r[bb.ffnHidden + k]!),
        );
        f = linear(hid, get(p, pre + "mlp.w3.weight"), get(p, pre + "mlp.w3.bias"), d);
      }
      const ls2 = p.get(pre + "ls2.gamma");
      x = x.map((row, r) => row.map((v, k) => v + (ls2 ? ls2[k]! : 1) * f[r]![k]!));
    }
    const xn = layerNorm(x, get(p, "norm.weight"), get(p, "norm.bias"));
    out.cls.push(xn[0]!);
    out.registers.push(xn.slice(1, 1 + bb.registers));
    out.patches.push(xn.slice(1 + bb.registers));
    void np;
  }
  return out;
}
