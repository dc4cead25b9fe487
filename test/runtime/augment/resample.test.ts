import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planar } from "../../../src/runtime/augment/image.js";
import { resizedCrop } from "../../../src/runtime/augment/resample.js";

interface Fixture {
  width: number;
  height: number;
  cases: { box: [number, number, number, number]; out: [number, number]; expected: number[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/pil-bicubic.json", import.meta.url), "utf-8"),
) as Fixture;

// the closed-form image of fixtures/pil-bicubic.py
function smoothImage(w: number, h: number) {
  const img = planar(w, h);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        img.data[(c * h + y) * w + x] =
          0.5 + 0.15 * Math.sin(0.5 * x + 0.3 * y + c) + 0.1 * Math.cos(0.7 * y - 0.2 * x * c);
  return img;
}

describe("resizedCrop (Pillow bicubic)", () => {
  const src = smoothImage(fixture.width, fixture.height);

  it.each(fixture.cases.map((c) => [`${c.box.join(",")} → ${c.out.join("×")}`, c] as const))(
    "matches Pillow: %s",
    (_, c) => {
      const [x, y, width, height] = c.box;
      const out = resizedCrop(src, { x, y, width, height }, c.out[0], c.out[1]);
      expect(out.data.length).toBe(c.expected.length);
      let worst = 0;
      out.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c.expected[i]!))));
      expect(worst).toBeLessThan(2e-6);
    },
  );

  it("never reads outside the crop box", () => {
    const img = planar(10, 10);
    img.data.fill(1);
    // a 4×4 zero box surrounded by ones: any tap outside the box would leak a one in
    for (let c = 0; c < 3; c++)
      for (let y = 3; y < 7; y++) for (let x = 3; x < 7; x++) img.data[(c * 10 + y) * 10 + x] = 0;
    const out = resizedCrop(img, { x: 3, y: 3, width: 4, height: 4 }, 9, 2);
    expect(Math.max(...out.data)).toBe(0);
  });
});
