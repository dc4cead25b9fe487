// Parity of the lowered projection heads with the PyTorch reference fixtures head_dino (DINOHead) and head_mrl
// (Franca F+ Matryoshka head): same parameter names and shapes, logits within rtol 1e-5 (docs/parity.md).
import { describe, expect, it } from "vitest";
import type { Value } from "../../src/graph/ir.js";
import { projectionHeadSpecs } from "../../src/lower/heads/projection.js";
import { projectionHead } from "../../src/lower/heads/projection.js";
import type { HostTensor } from "../harness/ort.js";
import { builder, run } from "./losses-harness.js";
import { fixtureHead, hasFixture, host, loadFixture, relativeError, values } from "./torch-fixtures.js";
import { requires } from "../harness/requires.js";

for (const name of ["head_dino", "head_mrl"])
  requires(hasFixture(name), `fixture ${name}`).describe(`${name} fixture`, () => {
    it("parameter names/shapes and logits per level", async () => {
      const f = await loadFixture(name);
      const c = f.json.config.head;
      const dim = f.json.config.dim as number;
      const head = fixtureHead(c, dim);
      const specs = projectionHeadSpecs(head, dim, "dino_head");
      expect(specs.map((s) => [s.name, [...s.shape]])).toEqual(
        Object.entries(f.json.parameters).map(([n, p]) => [n, p.shape]),
      );
      const b = builder();
      const params = new Map<string, Value>(specs.map((s) => [s.name, b.input(s.name, host(f, s.name))]));
      const logits = projectionHead(b.g, head, params, "dino_head", b.input("x", host(f, "input.features")));
      const out = await run(b, Object.fromEntries(logits.map((l, i) => [`l${i}`, l])));
      logits.forEach((_, i) =>
        expect(
          relativeError(
            Array.from((out[`l${i}`] as HostTensor).data as Float32Array),
            values(f, `output.logits.${i}`),
          ),
        ).toBeLessThan(1e-5),
      );
    });
  });
