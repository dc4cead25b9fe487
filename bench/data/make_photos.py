#!/usr/bin/python3
"""The photo set of `npm run bench -- --only data`: a few thousand JPEGs of ImageNet-like size in class folders,
cut from real photographs shipped in Debian packages (there is no ImageNet here, and a dataset is never committed).

Needs (Debian):  apt-get install python3-pil mate-backgrounds python3-skimage
  mate-backgrounds   /usr/share/backgrounds/mate/nature/*.jpg: 12 nature photographs, 1.3-4.9 Mpx
  python3-skimage    skimage/data: astronaut, cat, coffee, motorcycles, rocket, Hubble, retina, textures …
Either alone works (fewer classes); --source DIR adds any folder of photographs.

Each source photograph is one class. Its images are random crops (10-90 % of the photo's area, aspect 3/4 … 4/3,
sometimes mirrored) resized so the shorter side is 300-500 px (ImageNet's training images average about 400 × 350)
and saved as JPEG at quality 75-95, a few as progressive JPEGs, as photo collections are. Deterministic (seeded).
Also written: big/photo-4000x3000.jpg, a 12 Mpx JPEG (a photograph resized up, quality 90), for the decode timing.

Written: OUT/train/<class>/*.jpg and OUT/val/<class>/*.jpg (other crops of the same photographs), so OUT is a
`vfmc run --data OUT` folder with a k-NN split of its own.

Usage: bench/data/make_photos.py OUT [--per-class N] [--val-per-class N] [--source DIR …]
"""
from __future__ import annotations

import argparse
import glob
import os
import random
import sys

try:
    from PIL import Image
except ImportError:
    sys.exit("make_photos.py needs Pillow: apt-get install python3-pil (or pip install pillow)")

MATE = "/usr/share/backgrounds/mate/nature"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
# skimage's real photographs (its other files are drawings, test patterns and tiny fixtures)
SKIMAGE_PHOTOS = [
    "astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "grass.png", "gravel.png",
    "hubble_deep_field.jpg", "ihc.png", "motorcycle_left.png", "motorcycle_right.png", "retina.jpg", "rocket.jpg",
]


def sources(extra: list[str]) -> list[str]:
    found = sorted(glob.glob(os.path.join(MATE, "*.jpg")))
    found += [p for p in (os.path.join(SKIMAGE, f) for f in SKIMAGE_PHOTOS) if os.path.exists(p)]
    for d in extra:
        found += sorted(p for p in glob.glob(os.path.join(d, "*")) if p.lower().endswith((".jpg", ".jpeg", ".png")))
    return found


def crop(rng: random.Random, im: Image.Image) -> Image.Image:
    w, h = im.size
    for _ in range(20):
        area = w * h * rng.uniform(0.1, 0.9)
        aspect = rng.uniform(3 / 4, 4 / 3)
        cw, ch = int(round((area * aspect) ** 0.5)), int(round((area / aspect) ** 0.5))
        if cw <= w and ch <= h:
            break
    else:
        cw, ch = w, h
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    c = im.crop((x, y, x + cw, y + ch))
    short = rng.randint(300, 500)
    s = short / min(cw, ch)
    c = c.resize((max(1, round(cw * s)), max(1, round(ch * s))), Image.BICUBIC)
    return c.transpose(Image.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--per-class", type=int, default=120)
    ap.add_argument("--val-per-class", type=int, default=20)
    ap.add_argument("--source", action="append", default=[], help="another folder of photographs")
    a = ap.parse_args()
    photos = sources(a.source)
    if len(photos) < 2:
        sys.exit("no photographs found: apt-get install mate-backgrounds python3-skimage (or give --source DIR)")
    rng = random.Random(20240613)
    n = 0
    for k, path in enumerate(photos):
        im = Image.open(path).convert("RGB")
        name = f"{k:02d}-{os.path.splitext(os.path.basename(path))[0]}"
        for split, count in (("train", a.per_class), ("val", a.val_per_class)):
            cls = os.path.join(a.out, split, name)
            os.makedirs(cls, exist_ok=True)
            for i in range(count):
                c = crop(rng, im)
                c.save(os.path.join(cls, f"{i:04d}.jpg"), quality=rng.randint(75, 95), progressive=rng.random() < 0.1)
                n += 1
    big = max((Image.open(p) for p in photos), key=lambda im: im.size[0] * im.size[1]).convert("RGB")
    os.makedirs(os.path.join(a.out, "big"), exist_ok=True)
    big.resize((4000, 3000), Image.BICUBIC).save(os.path.join(a.out, "big", "photo-4000x3000.jpg"), quality=90)
    print(f"{n} JPEGs in {len(photos)} classes under {a.out}/train and {a.out}/val, and big/photo-4000x3000.jpg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
