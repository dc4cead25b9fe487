// The k-NN similarity product in WebAssembly SIMD (float32, like the reference's torch matmul).
// Training rows are packed once, in groups of COLS = 8, feature-major: group g holds, for each feature d, the 8
// values b[8g … 8g+7][d] contiguously. The kernel keeps a ROWS × COLS = 6 × 8 tile of similarities in twelve
// f32x4 accumulators and, per feature, broadcasts one test value (v128.load32_splat) against two packed vectors:
// no horizontal sums, no register spills. About 8× the scalar TypeScript loop in knn.ts, which stays as the
// fallback where WebAssembly SIMD is unavailable.
// The module is a few hundred bytes assembled below (no toolchain, no binary blob in the repository); opcodes from
// the WebAssembly core spec and its SIMD extension: v128.load 0xfd 0x00, v128.load32_splat 0xfd 0x09,
// v128.store 0xfd 0x0b, v128.const 0xfd 0x0c, f32x4.add 0xfd 0xe4, f32x4.mul 0xfd 0xe6.
//
// Exported function `tiles(a0, b0, bEnd, dimBytes, out, outStride)` (byte offsets): for the ROWS test rows at a0,
// a0 + dimBytes, … and every packed group from b0 to bEnd, writes the ROWS × COLS tile at out (row stride
// outStride), then moves out on by COLS floats. The caller pads the training rows to a multiple of COLS.
import { InternalError } from "../../diagnostics/diagnostic.js";

// 6 × 8 tile: 12 accumulators + 2 packed vectors + 1 broadcast = 15 of x86-64's 16 SIMD registers. Measured
// (GFLOP per CPU-second, D = 128, 60 000 training rows): 6×8 ≈ 19, 5×8 ≈ 20, 4×8 ≈ 16, 8×4 ≈ 16, 4×12 ≈ 14,
// an earlier unpacked 4×4 dot-product kernel ≈ 6, the scalar loop ≈ 2.2 (±15 % noise on a shared machine).
const ROWS = 6;
const VECS = 2; // f32x4 vectors per tile row
const COLS = 4 * VECS;
const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "utf-8")];

// instructions
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const add = [0x6a];
const mul = [0x6c];
const geU = [0x4f];
const ltU = [0x49];
const load = (offset: number) => [0xfd, 0x00, 2, ...uleb(offset)]; // align hint 2^2: rows are 4-byte aligned
const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
const fAdd = [0xfd, 0xe4, 0x01];
const fMul = [0xfd, 0xe6, 0x01];
const splat = [0xfd, 0x09, 2, 0];
const store = (offset: number) => [0xfd, 0x0b, 2, ...uleb(offset)];

function tilesBody(): number[] {
  // params 0 a0, 1 b0, 2 bEnd, 3 dimBytes, 4 out, 5 outStride; then i32 locals, then v128 locals
  const [A0, B0P, BEND, DIM, OUT, STRIDE] = [0, 1, 2, 3, 4, 5];
  const A = [A0, ...Array.from({ length: ROWS - 1 }, (_, i) => 6 + i)];
  const G = 5 + ROWS; // start of the current packed group of COLS training rows
  const D = G + 1; // byte offset along a test row
  const P = D + 1; // pointer into the packed group
  const O = P + 1; // output pointer (row 0, first column of the group)
  const X = O + 1; // broadcast test value
  const Y = Array.from({ length: VECS }, (_, v) => X + 1 + v);
  const ACC = (r: number, v: number) => X + 1 + VECS + VECS * r + v;
  const code: number[] = [];
  for (let r = 1; r < ROWS; r++) code.push(...get(A[r - 1]!), ...get(DIM), ...add, ...set(A[r]!));
  code.push(...get(B0P), ...set(G), ...get(OUT), ...set(O));
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop over groups
  code.push(...get(G), ...get(BEND), ...geU, 0x0d, 1); // done → leave the block
  for (let r = 0; r < ROWS; r++) for (let v = 0; v < VECS; v++) code.push(...zero, ...set(ACC(r, v)));
  code.push(...i32(0), ...set(D), ...get(G), ...set(P));
  code.push(0x03, 0x40); // loop over the feature dimension, one feature a step
  for (let v = 0; v < VECS; v++) code.push(...get(P), ...load(16 * v), ...set(Y[v]!));
  for (let r = 0; r < ROWS; r++) {
    code.push(...get(A[r]!), ...get(D), ...add, ...splat, ...set(X));
    for (let v = 0; v < VECS; v++)
      code.push(...get(ACC(r, v)), ...get(X), ...get(Y[v]!), ...fMul, ...fAdd, ...set(ACC(r, v)));
  }
  code.push(...get(P), ...i32(16 * VECS), ...add, ...set(P));
  code.push(...get(D), ...i32(4), ...add, ...set(D), ...get(D), ...get(DIM), ...ltU, 0x0d, 0, 0x0b);
  for (let r = 0; r < ROWS; r++) {
    for (let v = 0; v < VECS; v++) {
      code.push(...get(O), ...get(STRIDE), ...i32(r), ...mul, ...add, ...get(ACC(r, v)), ...store(16 * v));
    }
  }
  code.push(...get(P), ...set(G)); // the next group starts where this one ended
  code.push(...get(O), ...i32(4 * COLS), ...add, ...set(O));
  code.push(0x0c, 0, 0x0b, 0x0b); // br to the loop start; end loop; end block
  const locals = vec([
    [...uleb(ROWS - 1 + 4), I32],
    [...uleb(1 + VECS + ROWS * VECS), V128],
  ]);
  const body = [...locals, ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec(new Array(6).fill([I32])), ...vec([])]])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("tiles"), 0x00, 0]])),
    ...section(10, vec([tilesBody()])),
  ]);
}

export interface SimdSimilarity {
  /** Copies the training rows `b` (`[nB, dim]` row-major) into WebAssembly memory, zero-padded. */
  setTrain(b: Float32Array, nB: number, dim: number): void;
  /** sims[i·nB + j] = a_i · b_j for rows i in [aStart, aStart + rows) of `a`, like knn.ts's dotBlock. */
  block(a: Float32Array, aStart: number, rows: number, sims: Float32Array): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** A SIMD similarity engine, or undefined where WebAssembly SIMD is unavailable. */
export function createSimdSimilarity(): SimdSimilarity | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes() as Uint8Array<ArrayBuffer>);
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  const module = compiled;
  const PAGE = 65536;
  const TILE_ROWS = 10 * ROWS; // test rows staged per call sequence
  let memory: WebAssembly.Memory | undefined;
  let tiles: ((...args: number[]) => void) | undefined;
  let nB = 0;
  let nBP = 0;
  let dim = 0;
  let aBase = 0;
  let simsBase = 0;

  return {
    setTrain(b, rowsB, d) {
      nB = rowsB;
      nBP = Math.ceil(rowsB / COLS) * COLS;
      dim = d;
      aBase = nBP * dim * 4;
      simsBase = aBase + TILE_ROWS * dim * 4;
      const bytes = simsBase + TILE_ROWS * nBP * 4;
      memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
      tiles = new WebAssembly.Instance(module, { env: { memory } }).exports.tiles as (
        ...args: number[]
      ) => void;
      const heap = new Float32Array(memory.buffer);
      for (let j = 0; j < rowsB; j++) {
        const group = Math.floor(j / COLS) * dim * COLS;
        const c = j % COLS;
        for (let k = 0; k < d; k++) heap[group + k * COLS + c] = b[j * d + k]!; // padding rows stay zero
      }
    },
    block(a, aStart, rows, sims) {
      if (!memory || !tiles) throw new InternalError("SimdSimilarity.block before setTrain");
      const heap = new Float32Array(memory.buffer);
      for (let start = 0; start < rows; start += TILE_ROWS) {
        const n = Math.min(TILE_ROWS, rows - start);
        const staged = Math.ceil(n / ROWS) * ROWS;
        heap.fill(0, aBase / 4, aBase / 4 + staged * dim);
        heap.set(a.subarray((aStart + start) * dim, (aStart + start + n) * dim), aBase / 4);
        for (let i = 0; i < staged; i += ROWS) {
          tiles(aBase + i * dim * 4, 0, nBP * dim * 4, dim * 4, simsBase + i * nBP * 4, nBP * 4);
        }
        for (let i = 0; i < n; i++)
          sims.set(heap.subarray(simsBase / 4 + i * nBP, simsBase / 4 + i * nBP + nB), (start + i) * nB);
      }
    },
  };
}
