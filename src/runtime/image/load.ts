// Where `--image` pictures come from: a PNG file, or one image of a dataset source written `<data>#<index>`
// (`synthetic#3`, `synthetic:7#0`, `idx:/data/fashion-mnist#12`, training split). JPEG is not read: vfmc has no
// image library, and a PNG decoder on node:zlib is a few dozen lines.
import { fsReason } from "../../files/fs-errors.js";
import { readInputFile } from "../../files/inputs.js";
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import type { Planar } from "../augment/image.js";
import { resizedCrop } from "../augment/resample.js";
import { openDataSource, parseDataSpec } from "../data/source.js";
import { decodePng } from "./png.js";

function bad(what: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("ImageUnreadable", undefined, [what, why])]);
}

/** The image named by `ref`; `syntheticSize` is the side synthetic images are drawn at. */
export function loadImage(ref: string, syntheticSize: number): Planar {
  const m = /^(.*)#(\d+)$/.exec(ref);
  if (m) {
    const source = openDataSource(parseDataSpec(m[1]!, { syntheticSize }));
    const index = Number(m[2]);
    if (index >= source.train.size)
      bad(ref, `index ${index} is past the ${source.train.size} images of ${m[1]}`);
    const s = source.train.get(index);
    return { data: s.image, width: s.width, height: s.height };
  }
  let bytes: Uint8Array;
  try {
    bytes = readInputFile(ref, "PNG image");
  } catch (e) {
    if (e instanceof DiagnosticError) throw e;
    return bad(ref, fsReason(e));
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) bad(ref, "JPEG is not supported; convert it to PNG");
  return decodePng(bytes, ref);
}

/** The centred square of `img`, resized (bicubic) to side × side, as the eval transform's centre crop does. */
export function centreSquare(img: Planar, side: number): Planar {
  const s = Math.min(img.width, img.height);
  const box = {
    x: Math.floor((img.width - s) / 2),
    y: Math.floor((img.height - s) / 2),
    width: s,
    height: s,
  };
  if (s === side && img.width === img.height) return img;
  return resizedCrop(img, box, side, side);
}
