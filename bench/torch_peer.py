"""PyTorch side of `npm run bench`: one measurement per process, described by a JSON job on argv[1].

The model, heads, losses and the loss computation are the independent reference in test/reference (imported,
not copied); this file only adds what a benchmark needs around them: a persistent training loop (parameters,
AdamW state and teacher live across steps, as in a real PyTorch trainer), an nn.Module wrapper for inference
and torch.onnx.export, a matmul peak probe, and timing / peak-RSS bookkeeping. Results go to job["result"] as
JSON; stdout and stderr are for humans.

Run with Debian's /usr/bin/python3 (python3-torch); thread counts are set from the job before any work.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "reference"))

import torch  # noqa: E402

import fixture as FX  # noqa: E402
import heads as H  # noqa: E402
import masks as M  # noqa: E402
import train_step as T  # noqa: E402
import vit as V  # noqa: E402


# --- process memory (Linux) -------------------------------------------------------------------------

def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak_rss() -> bool:
    """Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so the next peak is the step's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_bytes() -> int:
    return _status_kib("VmRSS") * 1024


def peak_rss_bytes() -> int:
    return _status_kib("VmHWM") * 1024


# --- recipe → reference configs ----------------------------------------------------------------------

def vit_config(r: Dict) -> V.VitConfig:
    b = r["vit"]
    cfg = V.VitConfig(
        patch=b["patch"], dim=b["dim"], depth=b["depth"], heads=b["heads"], mlp_ratio=b["mlp_ratio"],
        ffn=b["ffn"], qkv_bias=b["qkv_bias"], registers=b["registers"], layerscale=b["layerscale"],
        pos_grid=b["pos_grid"], interpolate=b["interpolate"], interpolate_offset=b["interpolate_offset"],
    )
    if cfg.ffn_hidden() != b["ffn_hidden"]:
        raise SystemExit(f"FFN width differs: reference {cfg.ffn_hidden()}, vfmc {b['ffn_hidden']}")
    return cfg


def head_config(h: Dict) -> H.HeadConfig:
    return H.HeadConfig(layers=h["layers"], hidden=h["hidden"], bottleneck=h["bottleneck"],
                        prototypes=h["prototypes"], l2norm=h["l2norm"], nested=h["nested"],
                        gelu_after_bottleneck=h["gelu_after_bottleneck"])


def train_config(r: Dict) -> T.TrainConfig:
    lo, oc = r["loss"], r["optim"]
    return T.TrainConfig(
        vit_config(r), head_config(r["dino_head"]),
        head_config(r["ibot_head"]) if r["ibot_head"] is not None else None,
        T.LossConfig(targets=lo["targets"], sinkhorn_iterations=lo["sinkhorn_iterations"],
                     student_temp=lo["student_temp"], dino_weight=lo["dino_weight"],
                     ibot_weight=lo["ibot_weight"], koleo_weight=lo["koleo_weight"],
                     center_momentum=lo["center_momentum"]),
        T.OptimConfig(betas=tuple(oc["betas"]), eps=oc["eps"], layer_decay=oc["layer_decay"],
                      patch_embed_lr=oc["patch_embed_lr"], clip=oc["clip"]),
        r["n_local"],
    )


# --- timing ------------------------------------------------------------------------------------------

def amp(device: str, autocast):
    """torch.autocast in bfloat16 when the job asks for it ("bf16"), else a no-op context."""
    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=autocast == "bf16")


def timed(fn, warmup: int, iters: int, device: str, memory: bool) -> Dict:
    """Runs fn warmup + iters times; the first warm-up call (or the first timed one) is the memory probe."""
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    mem = {}
    if memory and device == "cpu":
        mem["baselineRss"] = rss_bytes()
        mem["peakResettable"] = reset_peak_rss()
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    samples: List[float] = []
    for i in range(warmup + iters):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        dt = time.perf_counter() - t0
        if i == 0 and memory:
            if device == "cpu":
                mem["peakRss"] = peak_rss_bytes()
            else:
                mem["peakDevice"] = torch.cuda.max_memory_allocated()
        if i >= warmup:
            samples.append(dt)
    return {"samples": samples, **({"memory": mem} if memory else {})}


# --- the training step -------------------------------------------------------------------------------

class Trainer:
    """Student, teacher and AdamW state held across steps; each step = reference losses + backward + per-module
    clip + AdamW (§7.2 groups) + teacher EMA, the same work as vfmc's train graph."""

    def __init__(self, r: Dict, device: str):
        self.cfg = cfg = train_config(r)
        self.device = device
        g = FX.generator("bench")
        shapes = T.param_shapes(cfg)
        init = FX.init_params(g, shapes)
        self.student = {k: v.to(device).requires_grad_(True) for k, v in init.items()}
        self.teacher = {k: v.detach().clone().to(device) for k, v in init.items()}
        self.by_module = {m: [v for k, v in self.student.items() if T.module_of(k) == m] for m in cfg.modules()}
        sch = r["schedules"]
        groups = []
        for k, v in self.student.items():
            gm = T.group_multipliers(k, cfg)
            lr = (sch["last_layer_lr"] if gm["is_last_layer"] else sch["lr"]) * gm["lr_multiplier"]
            groups.append({"params": [v], "lr": lr, "weight_decay": sch["wd"] * gm["wd_multiplier"]})
        self.opt = torch.optim.AdamW(groups, betas=cfg.optim.betas, eps=cfg.optim.eps)
        self.momentum = sch["momentum"]
        b, c = r["batch"], 3
        sg, sl = r["global_size"], r["local_size"]
        mean = torch.tensor(r["mean"], dtype=torch.float32, device=device).view(1, -1, 1, 1)
        std = torch.tensor(r["std"], dtype=torch.float32, device=device).view(1, -1, 1, 1)
        self.norm = lambda x: (x - mean) / std  # vfmc's graph takes RGB in [0, 1] and normalises inside
        # RGB in [0, 1], as vfmc's train graph receives them
        self.global_px = FX.rand(g, (2 * b, c, sg, sg)).to(device)
        self.local_px = FX.rand(g, (r["n_local"] * b, c, sl, sl)).to(device)
        gh = sg // cfg.vit.patch
        mk = r["masking"]
        masks, upper = M.collate(g, 2 * b, gh, gh, tuple(mk["ratio"]), mk["kind"])
        if upper != r["upperbound"]:
            raise SystemExit(f"mask upper bound differs: reference {upper}, vfmc {r['upperbound']}")
        self.masks, self.upper = masks.to(device), upper
        self.teacher_temp = sch["teacher_temp"]
        self.n_masked = int(masks.sum())

    def step(self, autocast: str | None = None) -> float:
        cfg = self.cfg
        for v in self.student.values():
            v.grad = None
        inp = T.StepInputs(self.norm(self.global_px), self.norm(self.local_px), self.masks, self.upper,
                           self.teacher_temp)
        # mixed precision as a PyTorch trainer does it: forward and losses under autocast, backward outside it
        with amp(self.device, autocast):
            res = T.compute_losses(self.student, self.teacher, cfg, inp)
        res.total.backward()
        for params in self.by_module.values():
            T.clip_module_grads(params, cfg.optim.clip)
        self.opt.step()
        with torch.no_grad():
            m = self.momentum
            for k, t in self.teacher.items():
                t.mul_(m).add_(self.student[k].detach(), alpha=1 - m)
        return float(res.total)


def run_train(job: Dict) -> Dict:
    tr = Trainer(job["recipe"], job["device"])
    losses: List[float] = []
    ac = job.get("autocast")
    out = timed(lambda: losses.append(tr.step(ac)), job["warmup"], job["iters"], job["device"], True)
    return {**out, "itemsPerIter": job["recipe"]["batch"], "extra": {
        "loss_first": losses[0], "loss_last": losses[-1], "n_masked": tr.n_masked, "upperbound": tr.upper,
        "autocast": ac or "fp32"}}


# --- inference ---------------------------------------------------------------------------------------

class Backbone(torch.nn.Module):
    """pixels in [0, 1] → (cls, patch_tokens), normalising inside, like vfmc's inference graph."""

    def __init__(self, r: Dict):
        super().__init__()
        self.cfg = vit_config(r)
        init = FX.init_params(FX.generator("bench"), V.param_shapes(self.cfg, with_mask_token=False))
        self.names = list(init)
        self.params = torch.nn.ParameterList([torch.nn.Parameter(v, requires_grad=False) for v in init.values()])
        self.register_buffer("mean", torch.tensor(r["mean"], dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(r["std"], dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, pixels: torch.Tensor):
        p = dict(zip(self.names, self.params))
        out = V.forward(p, self.cfg, (pixels - self.mean) / self.std)
        return out.cls, out.patch_tokens


def run_infer(job: Dict) -> Dict:
    r, dev = job["recipe"], job["device"]
    model = Backbone(r).to(dev).eval()
    res = r["export_resolution"]
    x = torch.rand(job["batch"], 3, res, res, generator=FX.generator("bench-infer")).to(dev)

    def go():
        with torch.inference_mode(), amp(dev, job.get("autocast")):
            model(x)

    return {**timed(go, job["warmup"], job["iters"], dev, True), "itemsPerIter": job["batch"]}


def run_export(job: Dict) -> Dict:
    """torch.onnx.export of the same module at the benchmark's batch. The batch is exported as a fixed size: the
    reference LayerNorm passes x.shape[-1] as a Python int, which tracing cannot keep symbolic."""
    r = job["recipe"]
    model = Backbone(r).eval()
    res = r["export_resolution"]
    x = torch.rand(job["batch"], 3, res, res)
    t0 = time.perf_counter()
    torch.onnx.export(model, (x,), job["out"], input_names=["pixel_values"], output_names=["cls", "patch_tokens"],
                      opset_version=job["opset"], do_constant_folding=True)
    return {"samples": [time.perf_counter() - t0], "itemsPerIter": 1, "extra": {"file": job["out"]}}


# --- matmul peak -------------------------------------------------------------------------------------

def run_matmul(job: Dict) -> Dict:
    """Square fp32 products, `loop` of them per timed iteration (as the ORT probe runs them in one Loop)."""
    dev = job["device"]
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    per_size = {}
    for n in job["sizes"]:
        g = FX.generator(f"mm{n}")
        a = torch.randn(n, n, generator=g).to(dev)
        w = (torch.randn(n, n, generator=g) / n**0.5).to(dev)
        samples = []
        for i in range(job["warmup"] + job["iters"]):
            x = a
            sync()
            t0 = time.perf_counter()
            for _ in range(job["loop"]):
                x = torch.mm(x, w)
            sync()
            if i >= job["warmup"]:
                samples.append(time.perf_counter() - t0)
        per_size[str(n)] = {"samples": samples, "flopsPerIter": 2 * n**3 * job["loop"]}
    return {"samples": [], "itemsPerIter": 0, "extra": {"sizes": per_size}}


TASKS = {"torch-train": run_train, "torch-infer": run_infer, "torch-export": run_export,
         "torch-matmul": run_matmul}


def main() -> int:
    job = json.loads(sys.argv[1])
    dev = job.get("device", "cpu")
    if dev == "cuda" and not torch.cuda.is_available():
        print("PyTorch sees no CUDA device (torch.cuda.is_available() is False)", file=sys.stderr)
        return 3
    torch.set_num_threads(job["threads"])
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    result = TASKS[job["kind"]](job)
    result["env"] = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": dev,
                     "processRss": rss_bytes(), "processPeakRss": peak_rss_bytes()}
    with open(job["result"], "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
