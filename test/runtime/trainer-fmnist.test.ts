// Training learns: a small Franca model (examples/fmnist-franca.vfm shrunk to dim 64, depth 2) trained for 100
// steps on Fashion-MNIST (Debian package dataset-fashion-mnist) must reach a k-NN accuracy far above its random
// initialisation, whose CLS features barely depend on the image (LayerScale 1e-5) and score near chance (10 %).
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { scratchDir } from "../harness/scratch-dir.js";
import { requires } from "../harness/requires.js";

const DATA = "/usr/share/datasets/fashion-mnist";
const root = scratchDir("vfmc-fmnist-");

const spec = `import "${resolve("examples/fmnist-franca.vfm")}"
// fmnist_franca at CI size: 2 cores, a couple of minutes
model fmnist_ci extends fmnist_franca {
  backbone { dim 64, heads 4, depth 2, drop_path 0.0 }
  crops { local { count 2 } }
  heads {
    dino { hidden 256, bottleneck 64, prototypes 256 }
    ibot { hidden 256, bottleneck 64, prototypes 256 }
  }
  losses { dino { teacher_temp 0.04 -> 0.07 over 30 steps } }
  optim { lr cosine 2e-3 -> 1e-6 warmup 10 steps, freeze_last_layer 0 }
  teacher { momentum cosine 0.99 -> 1.0 }
  train { batch 32, epochs 1, epoch_length 100 }
}
`;

interface Knn {
  results: { k: number; top1: number; top5: number }[];
}

requires(existsSync(DATA), "Debian's dataset-fashion-mnist").describe("training on Fashion-MNIST", () => {
  it("raises k-NN top-1 far above the random initialisation in 100 steps", { timeout: 600_000 }, async () => {
    const file = join(root, "fmnist-ci.vfm");
    writeFileSync(file, spec);
    let out = "";
    let err = "";
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t + "\n") };
    const code = await main(
      [
        "run",
        "--train",
        file,
        "--data",
        `idx:${DATA}`,
        "--bank",
        "2000",
        "--queries",
        "500",
        "--out",
        join(root, "run"),
        "--json",
      ],
      io,
    );
    expect(code, err).toBe(0);
    const s = JSON.parse(out) as { steps: number; knn: { randomInit: Knn; trained: Knn } };
    expect(s.steps).toBe(100);
    const before = s.knn.randomInit.results[0]!.top1;
    const after = s.knn.trained.results[0]!.top1;
    expect(before).toBeLessThan(0.25);
    expect(after).toBeGreaterThan(before + 0.15);
  });
});
