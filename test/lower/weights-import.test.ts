// Real-layout checkpoints load numerically right, not just by name: tiny random-weight checkpoints saved by the
// PyTorch reference in the layouts DINOv2 and Franca release (flat hub file, chunked training checkpoint with
// student and teacher, Franca teacher file with MRL and RASA heads), converted with the .pth → safetensors snippet
// of docs/weights.md, compiled through `--weights` and run: cls / patch_tokens (/ registers / RASA tokens) must
// equal the reference's forward. Tolerance 1e-5 relative, as test/lower/infer-parity.test.ts.
import { describe, expect, it } from "vitest";
import { haveReleased, inferWith, RELEASED_CASES, releasedCase, relErr } from "./released-fixtures.js";
import { requires } from "../harness/requires.js";

const TOL = 1e-5;

requires(haveReleased(), "the released-layout fixtures (test/reference/released_layouts.py)").describe(
  "released checkpoint layouts load into the matching spec",
  () => {
    for (const c of RELEASED_CASES)
      it(`${c}: the compiled model reproduces the reference forward`, async () => {
        const { ir, checkpoint, expected } = await releasedCase(c);
        const { outputs, codes } = await inferWith(ir, checkpoint, expected.get("input.pixel_values")!);
        // no unused backbone tensors (VFM4005) and no errors; the 6×6 hub grids say they replace the spec's 4×4
        expect(codes.filter((x) => x !== "VFM4011")).toEqual([]);
        expect(codes.includes("VFM4011")).toBe(c.startsWith("dinov2_hub"));
        const compared = Object.keys(outputs).filter((k) => expected.has(`output.${k}`));
        expect(compared).toEqual(expect.arrayContaining(["cls", "patch_tokens"]));
        if (c === "dinov2_hub_reg") expect(compared).toContain("registers");
        if (c === "franca_v1") expect(compared).toContain("patch_tokens_rasa");
        for (const k of compared)
          expect(relErr(outputs[k]!, expected.get(`output.${k}`)!), k).toBeLessThan(TOL);
      });

    it("takes the teacher of a training checkpoint: the student's weights give other features", async () => {
      const { ir, checkpoint, expected } = await releasedCase("dinov2_train");
      const studentOnly = new Map([...checkpoint].filter(([k]) => !k.startsWith("teacher.")));
      const { outputs } = await inferWith(ir, studentOnly, expected.get("input.pixel_values")!);
      expect(relErr(outputs.cls!, expected.get("output.cls")!)).toBeGreaterThan(1e-2);
    });

    it("a chunk index is not a block index: blocks.{c}.{i} binds block i", async () => {
      const { ir, checkpoint, expected } = await releasedCase("franca_v1");
      // swap the chunk numbers of two chunks: still the same global blocks, so the same features
      const renamed = new Map(
        [...checkpoint].map(([k, t]) => [
          k.replace(/blocks\.([01])\.(\d+)\./, (_, c: string, i: string) => `blocks.${1 - Number(c)}.${i}.`),
          t,
        ]),
      );
      const { outputs } = await inferWith(ir, renamed, expected.get("input.pixel_values")!);
      expect(relErr(outputs.cls!, expected.get("output.cls")!)).toBeLessThan(TOL);
      // swapping the global indices of blocks 0 and 1 changes the model
      const swapped = new Map(
        [...checkpoint].map(([k, t]) => [
          k.replace(/blocks\.(\d+)\.([01])\./, (_, c: string, i: string) => `blocks.${c}.${1 - Number(i)}.`),
          t,
        ]),
      );
      const bad = await inferWith(ir, swapped, expected.get("input.pixel_values")!);
      expect(relErr(bad.outputs.cls!, expected.get("output.cls")!)).toBeGreaterThan(1e-3);
    });
  },
);
