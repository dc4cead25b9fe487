"""torchvision side of `npm run bench -- --only data`: the data pipeline people train DINOv2 with, on the same photos.

torchvision's ImageFolder (PIL loader) with DINOv2's multi-crop augmentation — DataAugmentationDINO of
facebookresearch/dinov2, dinov2/data/augmentations.py, spelled here with torchvision transforms on PIL images and the
recipe's numbers from the job (the effective blur probabilities, as vfmc states them) — and a PyTorch DataLoader
with `workers` worker processes whose collate stacks the crops and draws the iBOT masks (dinov2/data/collate.py; the
masks from test/reference/masks.py). One job per process, described by JSON on argv[1]; the result goes to
job["result"].

Measured: wall time per batch after `warmup` batches, and the CPU time of the main process and every worker
process over the timed batches (Linux /proc), so images per CPU-second compare with vfmc's whole-process figure.
"decode" jobs time PIL decoding a big JPEG whole and cutting one RandomResizedCrop from it (what ImageFolder does).
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "reference"))

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import datasets  # noqa: E402
from torchvision import transforms as T  # noqa: E402

import masks as M  # noqa: E402

BICUBIC = T.InterpolationMode.BICUBIC
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class MultiCrop:
    """DINOv2's DataAugmentationDINO with the job's crops and augment numbers (slot 0, 1: globals; 2: locals)."""

    def __init__(self, crops: dict):
        g, l, a = crops["global"], crops["local"], crops["augment"]
        j = a["jitter"]
        colour = T.Compose([
            T.RandomApply([T.ColorJitter(j["brightness"], j["contrast"], j["saturation"], j["hue"])], p=j["p"]),
            T.RandomGrayscale(p=a["grayscale"]),
        ])
        blur = lambda p: T.RandomApply([T.GaussianBlur(a["blur"].get("kernel", 9), tuple(a["blur"]["sigma"]))], p=p)
        solar = lambda p: T.RandomSolarize(threshold=a["solarize"]["threshold"], p=p)
        normalize = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])

        def geometric(c):
            return T.Compose([
                T.RandomResizedCrop(c["size"], scale=tuple(c["scale"]), interpolation=BICUBIC),
                T.RandomHorizontalFlip(p=a["flip"]),
            ])

        def slot(k: int, c):
            return T.Compose([geometric(c), colour, blur(a["blur"]["p"][k]), solar(a["solarize"]["p"][k]), normalize])

        self.globals = [slot(0 if v == 0 else 1, g) for v in range(g["count"])]
        self.locals = [slot(2, l) for _ in range(l["count"])]

    def __call__(self, img):
        return {"global_crops": [t(img) for t in self.globals], "local_crops": [t(img) for t in self.locals]}


class Collate:
    """dinov2/data/collate.py's collate_data_and_cast: crops stacked crop-major, masks for the global crops."""

    def __init__(self, masking: dict | None, global_size: int):
        self.masking = masking
        self.grid = global_size // masking["patch"] if masking else 0
        self.g = torch.Generator().manual_seed(0)

    def __call__(self, samples):
        n_global = len(samples[0][0]["global_crops"])
        n_local = len(samples[0][0]["local_crops"])
        out = {
            "global_crops": torch.stack([s[0]["global_crops"][v] for v in range(n_global) for s in samples]),
            "local_crops": torch.stack([s[0]["local_crops"][v] for v in range(n_local) for s in samples]),
        }
        if self.masking:
            m = self.masking
            masks, _ = M.collate(self.g, n_global * len(samples), self.grid, self.grid, tuple(m["ratio"]), m["kind"])
            out["masks"] = masks
        return out


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's child processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    me = os.getpid()
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            kids = open(f"/proc/{me}/task/{task}/children").read().split()
        except OSError:
            continue
        for pid in kids:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
            except OSError:
                pass
    return total


def run_pipeline(job: dict) -> dict:
    ds = datasets.ImageFolder(job["root"], transform=MultiCrop(job["crops"]))
    loader = torch.utils.data.DataLoader(
        ds, batch_size=job["batch"], shuffle=True, num_workers=job["workers"], drop_last=True,
        collate_fn=Collate(job.get("masking"), job["crops"]["global"]["size"]),
        generator=torch.Generator().manual_seed(0), persistent_workers=job["workers"] > 0,
    )
    it = iter(loader)
    for _ in range(job["warmup"]):
        next(it)
    samples = []
    cpu0, kids0 = time.process_time(), children_cpu()
    t0 = time.perf_counter()
    for _ in range(job["iters"]):
        next(it)
        t = time.perf_counter()
        samples.append(t - t0)
        t0 = t
    cpu = time.process_time() - cpu0 + children_cpu() - kids0
    del it
    return {"samples": samples, "itemsPerIter": job["batch"],
            "extra": {"cpuSeconds": cpu, "timedSeconds": sum(samples), "timedImages": job["iters"] * job["batch"],
                      "images": len(ds), "workers": job["workers"]}}


def run_decode(job: dict) -> dict:
    crop = T.RandomResizedCrop(224, scale=(0.32, 1.0), interpolation=BICUBIC)
    samples = []
    for i in range(job["warmup"] + job["iters"]):
        t0 = time.perf_counter()
        with open(job["photo"], "rb") as f:
            img = Image.open(f).convert("RGB")  # torchvision's pil_loader
        crop(img)
        if i >= job["warmup"]:
            samples.append(time.perf_counter() - t0)
    return {"samples": samples, "itemsPerIter": 1, "extra": {"size": list(img.size)}}


def main() -> int:
    job = json.loads(sys.argv[1])
    torch.set_num_threads(1)  # DataLoader workers run single-threaded (torch sets this in each worker too)
    result = {"data-torch": run_pipeline, "decode-torch": run_decode}[job["kind"]](job)
    result["env"] = {"torch": torch.__version__, "torchvision": __import__("torchvision").__version__,
                     "pil": Image.__version__}
    with open(job["result"], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
