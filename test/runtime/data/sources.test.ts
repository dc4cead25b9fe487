// The image sources of --data (src/runtime/data): folders (ImageFolder classes, flat, train/val splits), list files
// and WebDataset tar shards — what each reads, in which order, with which labels, the diagnostics of the ways they
// can be wrong, and that a list and shards made from a folder read the same images as the folder.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticError } from "../../../src/diagnostics/diagnostic.js";
import { readSample, type Dataset } from "../../../src/runtime/data/dataset.js";
import { numberLabels, parseListFile } from "../../../src/runtime/data/list-file.js";
import { expandBraces, shardEpochOrder, splitKey } from "../../../src/runtime/data/shards.js";
import { openDataSource, parseDataSpec, pinDataSpec } from "../../../src/runtime/data/source.js";
import { tarMembers } from "../../../src/runtime/data/tar.js";
import { encoded, tarOf, writeJpegFolder } from "../../harness/images.js";
import { scratchDir } from "../../harness/scratch-dir.js";

const dir = scratchDir("vfmc-sources-");

async function codes(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostics.map((d) => d.code).join(",");
    throw e;
  }
  return "no error";
}

async function pixelsOf(ds: Dataset): Promise<{ source: string; label: number; sum: number }[]> {
  const out = [];
  for (let i = 0; i < ds.size; i++) {
    const s = await readSample(ds, i);
    out.push({ source: ds.describe(i), label: s.label, sum: s.image.reduce((a, b) => a + b, 0) });
  }
  return out;
}

describe("folders", async () => {
  const root = join(dir, "folder");
  const files = await writeJpegFolder(root, 3, 4, 24);
  writeFileSync(join(root, "class1", "notes.txt"), "not an image, not listed");
  writeFileSync(join(root, ".DS_Store"), "hidden: skipped");
  mkdirSync(join(root, "class2", "deeper"), { recursive: true });
  const deep = join(root, "class2", "deeper", "x.png");
  writeFileSync(deep, await encoded(new Uint8Array(8 * 8 * 3).fill(90), 8, 8, 3, "png"));
  writeFileSync(join(root, "loose.png"), await encoded(new Uint8Array(12).fill(9), 2, 2, 3, "png"));

  it("class sub-folders are labels, searched recursively, in sorted order", () => {
    const src = openDataSource(parseDataSpec(root));
    const ds = src.train;
    expect(src.test).toBeUndefined();
    expect([ds.size, ds.numClasses, ds.classNames]).toEqual([13, 3, ["class0", "class1", "class2"]]);
    const listed = Array.from({ length: ds.size }, (_, i) => ds.describe(i));
    expect(listed).toEqual([...files, deep].sort());
    expect(Array.from({ length: ds.size }, (_, i) => ds.label(i))).toEqual([
      0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2,
    ]);
    expect(ds.evalCrop).toBeCloseTo(224 / 256);
    // the image at the top level belongs to no class: not read, and said so
    expect(src.warnings?.map((d) => [d.code, d.message])).toEqual([
      ["VFM6419", `${root}: 1 image(s) at its top level belong to no class folder and are not read`],
    ]);
  });

  it("a flat folder is unlabelled; train/ + val/ are the two splits, val numbered like train", async () => {
    const flat = join(dir, "flat");
    mkdirSync(flat);
    for (const f of files.slice(0, 3)) writeFileSync(join(flat, relative(root, f).replace("/", "-")), "x");
    const ds = openDataSource(parseDataSpec(flat)).train;
    expect([ds.size, ds.numClasses, ds.label(0)]).toEqual([3, 0, -1]);

    const split = join(dir, "split");
    await writeJpegFolder(join(split, "train"), 3, 2, 16);
    await writeJpegFolder(join(split, "val"), 3, 1, 16, 7);
    rmSync(join(split, "val", "class0"), { recursive: true });
    const src = openDataSource(parseDataSpec(split));
    expect([src.train.size, src.test!.size, src.test!.numClasses]).toEqual([6, 2, 3]);
    expect([src.test!.label(0), src.test!.label(1)]).toEqual([1, 2]); // class1, class2 keep train's numbers
    mkdirSync(join(split, "val", "zebra"));
    writeFileSync(
      join(split, "val", "zebra", "z.png"),
      await encoded(new Uint8Array(12).fill(1), 2, 2, 3, "png"),
    );
    expect(await codes(() => openDataSource(parseDataSpec(split)))).toBe("VFM6412");
  });

  it("an empty folder, and one with no images, are diagnostics", async () => {
    const empty = join(dir, "empty");
    mkdirSync(join(empty, "cats"), { recursive: true });
    writeFileSync(join(empty, "cats", "readme.txt"), "no images here");
    expect(await codes(() => openDataSource(parseDataSpec(empty)))).toBe("VFM6401");
  });

  it("a fingerprinted folder that changes is a diagnostic when opened again", async () => {
    const changing = join(dir, "changing");
    await writeJpegFolder(changing, 2, 2, 16);
    const { spec } = pinDataSpec(parseDataSpec(changing));
    expect(await codes(() => openDataSource(spec))).toBe("no error");
    writeFileSync(join(changing, "class0", "new.png"), await encoded(new Uint8Array(12), 2, 2, 3, "png"));
    expect(await codes(() => openDataSource(spec))).toBe("VFM6416");
  });
});

describe("list files", () => {
  it("parses paths and labels: comments, a header, CSV quotes, tabs", () => {
    const text = 'path,label\n# a comment\n\na.jpg,cat\n"b, c.jpg",dog\nsub/d.png\tcat\r\n';
    const entries = parseListFile(text, "x.csv");
    expect(entries.map((e) => [e.path, e.label, e.line])).toEqual([
      ["a.jpg", "cat", 4],
      ["b, c.jpg", "dog", 5],
      ["sub/d.png", "cat", 6],
    ]);
    expect(numberLabels(["7", "2", "7"])).toEqual({ labels: Int32Array.of(7, 2, 7) });
    expect(numberLabels(["dog", "cat", "dog"])).toEqual({
      labels: Int32Array.of(1, 0, 1),
      classNames: ["cat", "dog"],
    });
  });

  it("a missing file is a diagnostic at its line and column; so are mixed labels and an empty list", async () => {
    const folder = join(dir, "lists");
    mkdirSync(folder);
    writeFileSync(join(folder, "here.png"), await encoded(new Uint8Array(12), 2, 2, 3, "png"));
    writeFileSync(join(folder, "a.txt"), "here.png\n  gone.jpg\n");
    try {
      openDataSource(parseDataSpec(`list:${join(folder, "a.txt")}`));
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics[0]!;
      expect([d.code, d.span?.start.line, d.span?.start.col, d.message]).toEqual([
        "VFM6406",
        2,
        3,
        "'gone.jpg' does not exist",
      ]);
    }
    writeFileSync(join(folder, "b.txt"), "here.png,1\nhere.png\nhere.png,2\n");
    expect(await codes(() => openDataSource(parseDataSpec(`list:${join(folder, "b.txt")}`)))).toBe("VFM6407");
    writeFileSync(join(folder, "c.txt"), "# nothing\n\n");
    expect(await codes(() => openDataSource(parseDataSpec(`list:${join(folder, "c.txt")}`)))).toBe("VFM6408");
    mkdirSync(join(folder, "dir.jpg"));
    writeFileSync(join(folder, "d.txt"), "dir.jpg\n");
    expect(await codes(() => openDataSource(parseDataSpec(`list:${join(folder, "d.txt")}`)))).toBe("VFM6407");
  });
});

describe("tar shards", () => {
  it("expands brace ranges and lists, and splits WebDataset keys", () => {
    expect(expandBraces("d-{0008..0011}.tar")).toEqual([
      "d-0008.tar",
      "d-0009.tar",
      "d-0010.tar",
      "d-0011.tar",
    ]);
    expect(expandBraces("{a,b}-{1..2}.tar")).toEqual(["a-1.tar", "a-2.tar", "b-1.tar", "b-2.tar"]);
    expect(expandBraces("plain{x}.tar")).toEqual(["plain{x}.tar"]);
    expect(splitKey("dir.v1/abc.seg.PNG")).toEqual({ key: "dir.v1/abc", ext: "seg.png" });
  });

  it("reads ustar members, pax long names included", () => {
    const long = `${"d/".repeat(60)}name.jpg`;
    const file = join(dir, "members.tar");
    writeFileSync(
      file,
      tarOf([
        { name: "a.jpg", data: Buffer.from("12345") },
        { name: long, data: Buffer.alloc(700, 7) },
      ]),
    );
    const members = tarMembers(file);
    expect(members.map((m) => [m.name, m.size])).toEqual([
      ["a.jpg", 5],
      [long, 700],
    ]);
    expect(members[0]!.offset).toBe(512);
  });

  it("a folder, a list and shards made from it read the same images with the same labels", async () => {
    const root = join(dir, "roundtrip");
    const files = await writeJpegFolder(root, 3, 3, 20);
    const folder = await pixelsOf(openDataSource(parseDataSpec(root)).train);

    writeFileSync(
      join(root, "all.csv"),
      files.map((f) => `${relative(root, f)},${f.split("/").at(-2)}`).join("\n"),
    );
    const list = await pixelsOf(openDataSource(parseDataSpec(`list:${join(root, "all.csv")}`)).train);

    const { readFileSync } = await import("node:fs");
    const members = files.flatMap((f, i) => [
      { name: `${String(i).padStart(4, "0")}.jpg`, data: readFileSync(f) },
      { name: `${String(i).padStart(4, "0")}.cls`, data: Buffer.from(String(folder[i]!.label)) },
    ]);
    writeFileSync(join(dir, "rt-0.tar"), tarOf(members.slice(0, 10)));
    writeFileSync(join(dir, "rt-1.tar"), tarOf(members.slice(10)));
    const shardSrc = openDataSource(parseDataSpec(`shards:${join(dir, "rt-{0..1}.tar")}`)).train;
    const shards = await pixelsOf(shardSrc);

    const strip = (xs: typeof folder) => xs.map(({ label, sum }) => [label, sum]);
    expect(strip(list)).toEqual(strip(folder));
    expect(strip(shards)).toEqual(strip(folder));
    expect(shards[0]!.source).toBe(`${join(dir, "rt-0.tar")}:0000.jpg`);
    expect(shardSrc.numClasses).toBe(3);
  });

  it("visits every sample once per epoch: shards in a seeded order, through the shuffle buffer", () => {
    const index = {
      shards: ["a", "b", "c"],
      starts: Int32Array.of(0, 4, 8, 12),
    } as unknown as Parameters<typeof shardEpochOrder>[0];
    Object.assign(index, { names: new Array(12).fill("x") });
    const e0 = shardEpochOrder(index, 1, 0, 3);
    expect([...e0].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect([...shardEpochOrder(index, 1, 1, 3)]).not.toEqual([...e0]);
    expect([...shardEpochOrder(index, 1, 0, 3)]).toEqual([...e0]);
    // a buffer of 1 is no shuffle: shards in their epoch order, samples in file order
    const plain = [...shardEpochOrder(index, 1, 0, 1)];
    const shardSeq = [plain[0]! >> 2, plain[4]! >> 2, plain[8]! >> 2];
    expect(plain).toEqual(shardSeq.flatMap((s) => [4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 3]));
  });

  it("missing shards, a damaged tar, no images: diagnostics", async () => {
    expect(await codes(() => openDataSource(parseDataSpec(`shards:${join(dir, "none-{0..3}.tar")}`)))).toBe(
      "VFM6409",
    );
    const damaged = tarOf([{ name: "a.jpg", data: Buffer.alloc(100) }]);
    damaged[148] = 0x31; // the checksum field
    writeFileSync(join(dir, "damaged.tar"), damaged);
    expect(await codes(() => openDataSource(parseDataSpec(join(dir, "damaged.tar"))))).toBe("VFM6410");
    writeFileSync(join(dir, "text.tar"), tarOf([{ name: "a.txt", data: Buffer.from("hi") }]));
    expect(await codes(() => openDataSource(parseDataSpec(`shards:${join(dir, "text.tar")}`)))).toBe(
      "VFM6411",
    );
  });

  it("symbolic links to nothing are listed by a folder and reported when read", async () => {
    const root = join(dir, "links");
    await writeJpegFolder(root, 2, 1, 16);
    symlinkSync(join(root, "nowhere.jpg"), join(root, "class0", "dangling.jpg"));
    const ds = openDataSource(parseDataSpec(root)).train;
    expect(ds.size).toBe(3);
    const at = Array.from({ length: 3 }, (_, i) => ds.describe(i)).findIndex((p) =>
      p.endsWith("dangling.jpg"),
    );
    await expect(ds.open(at)).rejects.toMatchObject({ reason: /no such file/ });
  });
});
