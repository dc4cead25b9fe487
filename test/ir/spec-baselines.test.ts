// Every model of every spec in specs/ and examples/ has a golden IR dump and `vfmc info` report beside it:
// specs/baselines/<spec>/<model>.ir.txt and .info.txt, and the spec's check output in check.txt (no errors; the
// warnings a shipped spec may carry are the true ones, pinned and reviewed there). Any change in what a spec means
// shows up as a diff.
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, test } from "vitest";
import { renderText } from "../../src/diagnostics/render.js";
import { checkSpec } from "../../src/lower/check-spec.js";
import { printModel } from "../../src/ir/print.js";
import { infoText } from "../../src/lower/info.js";
import { expectBaseline } from "../harness/baseline.js";

const specFiles = ["specs", "examples"].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".vfm"))
    .sort()
    .map((f) => join(dir, f)),
);

test("the shipped specs are all here", () => {
  expect(specFiles).toEqual(
    expect.arrayContaining([
      "specs/dinov2.vfm",
      "specs/franca.vfm",
      "specs/dino.vfm",
      "specs/ibot.vfm",
      "specs/mae.vfm",
      "examples/franca-tiny.vfm",
      "examples/mae-tiny.vfm",
      "examples/fmnist-franca.vfm",
    ]),
  );
});

describe.each(specFiles)("%s", (file) => {
  const result = checkSpec(file);
  const dir = join(file.split("/")[0]!, "baselines", basename(file, ".vfm"));

  test("checks without errors; its warnings are the ones pinned in check.txt", () => {
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => renderText(d))).toEqual([]);
    expectBaseline(join(dir, "check.txt"), result.diagnostics.map((d) => renderText(d) + "\n").join(""));
    expect(result.models.length).toBeGreaterThan(0);
  });

  test.each(result.models.map((m) => [m.name, m] as const))("%s matches its baselines", (name, model) => {
    expectBaseline(join(dir, `${name}.ir.txt`), printModel(model));
    expectBaseline(join(dir, `${name}.info.txt`), infoText(model));
  });
});
