// Where `--image` pictures come from: an image file (JPEG, PNG or WebP, any size: image/decode.ts), or one image of
// a data source written `<data>#<index>` (`synthetic#3`, `synthetic:7#0`, `idx:/data/fashion-mnist#12`,
// `photos/#5`; training split). The result is opened, not decoded: the caller decodes it at the size it needs.
import { DiagnosticError, makeDiagnostic } from "../../diagnostics/diagnostic.js";
import { noteInput } from "../../files/inputs.js";
import { BadImageError, type OpenedImage } from "../data/dataset.js";
import { openDataSource, parseDataSpec } from "../data/source.js";
import { decodePixels, imageHeader, readImageBytes } from "./decode.js";

function bad(what: string, why: string): never {
  throw new DiagnosticError([makeDiagnostic("ImageUnreadable", undefined, [what, why])]);
}

/** A decoder whose failures are ImageUnreadable diagnostics (a picture the user named, not a dataset image). */
function named(opened: OpenedImage, ref: string): OpenedImage {
  return {
    ...opened,
    decode: (scale) =>
      opened.decode(scale).catch((e: unknown) => {
        if (e instanceof BadImageError) bad(ref, e.reason);
        throw e;
      }),
  };
}

/** The image named by `ref`; `syntheticSize` is the side synthetic images are drawn at. */
export async function loadImage(ref: string, syntheticSize: number): Promise<OpenedImage> {
  try {
    const m = /^(.*)#(\d+)$/.exec(ref);
    if (m) {
      const source = openDataSource(parseDataSpec(m[1]!, { syntheticSize }));
      const index = Number(m[2]);
      if (index >= source.train.size)
        bad(ref, `index ${index} is past the ${source.train.size} images of ${m[1]}`);
      return named(await source.train.open(index), ref);
    }
    const bytes = await readImageBytes(ref);
    noteInput(ref); // an output of the command must not replace it
    const header = await imageHeader(bytes, ref);
    return named(
      {
        width: header.width,
        height: header.height,
        label: -1,
        source: ref,
        decode: (scale = 1) => decodePixels(bytes, header, ref, scale),
      },
      ref,
    );
  } catch (e) {
    if (e instanceof BadImageError) bad(ref, e.reason);
    throw e;
  }
}
