#!/usr/bin/python3
"""Tiny checkpoints in the layouts DINOv2 and Franca release (reference §1.3, §8.1, §9, §12.8), with goldens.

  /usr/bin/python3 test/reference/released_layouts.py --out test/fixtures/torch

Each case saves a random-weight checkpoint with torch.save in the released .pth layout, converts it with
pth_to_safetensors.py (the snippet of docs/weights.md) and writes, under --out:

  released_<case>.safetensors            the converted checkpoint, exactly what a user would pass to --weights
  released_<case>.expected.safetensors   input.pixel_values [N,3,H,W] in [0,1] and the forward outputs the hub
                                         model gives for it: output.cls, output.patch_tokens (+ registers, RASA,
                                         and for Franca the HRFT position embedding and its forward)
  released_<case>.json                   the architecture, the layout, the key list and the expected report
  released_models.vfm                    a spec with one model per case (the matching architecture)

Goldens are computed in float64 from the stored float32 weights and rounded to float32, as in reference.py.
Weights differ between student and teacher so that loading the wrong one fails numerically.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import heads as H  # noqa: E402
import interp  # noqa: E402
import pth_to_safetensors  # noqa: E402
import safetensors_io as st  # noqa: E402
import vit as V  # noqa: E402
from fixture import cast, generator, init_params, rand, to_json  # noqa: E402

torch.set_num_threads(1)

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
IMAGE = 16  # px: a 4×4 patch grid, standing in for 224 px / 16×16
BATCH = 2
_TINY = dict(patch=4, dim=16, heads=2, mlp_ratio=4.0)
_DINO_HEAD = H.HeadConfig(layers=3, hidden=24, bottleneck=8, prototypes=32, l2norm=True)
_MRL_HEAD = H.HeadConfig(layers=3, hidden=24, bottleneck=8, prototypes=32, nested=3, l2norm=False,
                         gelu_after_bottleneck=True)


def chunked(name: str, depth: int, chunks: int) -> str:
    """blocks.{i}.x → blocks.{c}.{i}.x (block_chunks > 0: chunk c holds global indices c·depth/chunks …)."""
    if not name.startswith("blocks."):
        return name
    i = int(name.split(".")[1])
    return f"blocks.{i // (depth // chunks)}.{name[len('blocks.'):]}"




def hrft_pos_embed(pos_embed: torch.Tensor, grid: int) -> torch.Tensor:
    """§9 modify_ckpt_highres.py: keep the CLS row, resize the M×M grid with antialiased bicubic (size form)."""
    m = int(round((pos_embed.shape[1] - 1) ** 0.5))
    d = pos_embed.shape[2]
    g = pos_embed[:, 1:].reshape(1, m, m, d).permute(0, 3, 1, 2)
    g = F.interpolate(g, size=(grid, grid), mode="bicubic", antialias=True, align_corners=False)
    return torch.cat([pos_embed[:, :1], g.permute(0, 2, 3, 1).reshape(1, grid * grid, d)], dim=1)


class Case:
    def __init__(self, name: str, layout: str, description: str, cfg: V.VitConfig, spec_pos_grid: int):
        self.name, self.layout, self.description, self.cfg = name, layout, description, cfg
        self.spec_pos_grid = spec_pos_grid
        self.g = generator("released_" + name)
        self.backbone = init_params(self.g, V.param_shapes(cfg))
        self.extra: "OrderedDict[str, torch.Tensor]" = OrderedDict()  # canonical name → tensor (heads, RASA)
        self.outputs: "OrderedDict[str, torch.Tensor]" = OrderedDict()
        self.notes: list = []
        self.hrft_grid = 0


def forward_outputs(case: Case, pixels: torch.Tensor, rasa: list) -> "OrderedDict[str, torch.Tensor]":
    cfg = case.cfg
    mean, std = torch.tensor(MEAN, dtype=torch.float64), torch.tensor(STD, dtype=torch.float64)
    p = cast(case.backbone, torch.float64)
    xn = V.normalise_pixels(pixels.double(), mean, std)
    o = V.forward(p, cfg, xn)
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    out["output.cls"] = o.cls
    out["output.patch_tokens"] = o.patch_tokens
    if cfg.registers:
        out["output.registers"] = o.registers
    if rasa:
        m = torch.eye(cfg.dim, dtype=torch.float64)
        for w in rasa:
            m = m @ H.rasa_projector(w.double())
        out["output.patch_tokens_rasa"] = o.patch_tokens @ m
    if case.hrft_grid:
        pe = hrft_pos_embed(case.backbone["pos_embed"].double(), case.hrft_grid)
        w = interp.resize_matrix(cfg.pos_grid, case.hrft_grid, 0.0, True)  # the written rule agrees with torch
        grid = case.backbone["pos_embed"].double()[0, 1:].reshape(cfg.pos_grid, cfg.pos_grid, -1)
        mine = torch.einsum("ir,jc,rcd->ijd", w, w, grid).reshape(-1, cfg.dim)
        assert torch.allclose(mine, pe[0, 1:], atol=1e-12), "antialiased resize disagrees with F.interpolate"
        out["output.hrft.pos_embed"] = pe
        size = case.hrft_grid * cfg.patch
        big = rand(case.g, (1, 3, size, size))
        out["input.hrft.pixel_values"] = big
        hi = V.forward({**p, "pos_embed": pe}, V.VitConfig(**{**cfg.__dict__, "pos_grid": case.hrft_grid}),
                       V.normalise_pixels(big.double(), mean, std))
        out["output.hrft.cls"] = hi.cls
        out["output.hrft.patch_tokens"] = hi.patch_tokens
    return out


def dinov2_hub() -> tuple:
    """Hub .pth: a plain flat state dict (strict load), grid 37 for 518 px; here 6 for a 4×4-patch model."""
    cfg = V.VitConfig(**_TINY, depth=2, ffn="mlp", layerscale=1.0, pos_grid=6)
    c = Case("dinov2_hub", "dinov2-hub", "DINOv2 hub backbone (dinov2_vit*14_pretrain.pth): flat blocks.{i}, "
             "pos grid 6 standing in for 37, resized to the 4×4 input grid with the offset-0.1 bicubic (§1.5 a)",
             cfg, spec_pos_grid=4)
    return c, dict(c.backbone)


def dinov2_hub_reg() -> tuple:
    cfg = V.VitConfig(**_TINY, depth=2, ffn="mlp", layerscale=1.0, registers=4, pos_grid=6,
                      interpolate="bicubic_antialias", interpolate_offset=0.0)
    c = Case("dinov2_hub_reg", "dinov2-hub", "DINOv2 hub backbone with 4 registers (dinov2_vit*14_reg4_pretrain.pth):"
             " flat, antialiased resize 6→4 without offset (§1.5 c)", cfg, spec_pos_grid=4)
    return c, dict(c.backbone)


def dinov2_train() -> tuple:
    """model_final.pth of DINOv2 training: {"model": student.* + teacher.*, "optimizer", "iteration"}, chunked."""
    cfg = V.VitConfig(**_TINY, depth=2, ffn="mlp", layerscale=1e-5, pos_grid=4)
    c = Case("dinov2_train", "dinov2-train", "DINOv2 training checkpoint: {model: {student.*, teacher.*}, optimizer,"
             " iteration}; backbone.blocks.{c}.{i} in 2 chunks; dino_head/ibot_head (DINOHead) for both",
             cfg, spec_pos_grid=4)
    student = init_params(c.g, V.param_shapes(cfg))
    heads = OrderedDict()
    for prefix in ("dino_head.", "ibot_head."):
        heads.update(init_params(c.g, H.param_shapes(prefix, cfg.dim, _DINO_HEAD)))
    model: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for who, bb in (("student", student), ("teacher", c.backbone)):
        for k, v in bb.items():
            model[f"{who}.backbone.{chunked(k, cfg.depth, 2)}"] = v
        for k, v in heads.items():
            model[f"{who}.{k}"] = v + (0.01 if who == "student" else 0.0)
    model["dino_loss.center"] = torch.zeros(1, _DINO_HEAD.prototypes)
    model["ibot_patch_loss.center"] = torch.zeros(1, 1, _DINO_HEAD.prototypes)
    c.notes.append("student.* holds different random values: a loader must take teacher.*")
    optimizer = {"state": {0: {"exp_avg": torch.zeros(3)}}, "param_groups": [{"lr": 1e-3}]}
    return c, {"model": model, "optimizer": optimizer, "iteration": 1249}


def franca_v1() -> tuple:
    """Franca v1.0.0 release file: {"teacher": backbone.blocks.{c}.{i} in 4 chunks, dino_head/ibot_head (MRL), and
    (F+) an embedded rasa_head}. SwiGLU, no registers; HRFT resizes its 4×4 grid to 6×6 (§9)."""
    cfg = V.VitConfig(**_TINY, depth=4, ffn="swiglu", layerscale=1e-5, pos_grid=4)
    c = Case("franca_v1", "franca-v1", "Franca v1.0 teacher checkpoint: {teacher: {backbone.blocks.{c}.{i} (4 chunks), "
             "dino_head.* / ibot_head.* Matryoshka heads, rasa_head.pre_pos_layers.{k} + pos_pred}}", cfg,
             spec_pos_grid=4)
    teacher: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for k, v in c.backbone.items():
        teacher[f"backbone.{chunked(k, cfg.depth, 4)}"] = v
    for prefix in ("dino_head.", "ibot_head."):
        teacher.update(init_params(c.g, H.param_shapes(prefix, cfg.dim, _MRL_HEAD)))
    for k in range(3):
        teacher[f"rasa_head.pre_pos_layers.{k}.weight"] = init_params(c.g, {"w.weight": [2, cfg.dim]})["w.weight"]
    teacher["rasa_head.pos_pred.weight"] = init_params(c.g, {"w.weight": [2, cfg.dim]})["w.weight"]
    c.hrft_grid = 6
    c.notes.append("output.hrft.*: pos_embed resized 4→6 with antialiased bicubic (size form, a = −0.5) as "
                   "modify_ckpt_highres.py does; the forward at 24 px then uses it unresized")
    return c, {"teacher": teacher}


CASES = [dinov2_hub, dinov2_hub_reg, dinov2_train, franca_v1]


def spec_text(cases) -> str:
    lines = ["// Generated by test/reference/released_layouts.py: one model per released-layout fixture, the",
             "// architecture of released_<case>.safetensors (tiny). Heads and recipe come from franca-tiny.",
             'import "../../../examples/franca-tiny.vfm"', ""]
    for c in cases:
        cfg = c.cfg
        heads = ("heads {\n    dino { nested 1, l2norm true, gelu_after_bottleneck false, hidden 24, bottleneck 8, "
                 "prototypes 32 }\n    ibot { separate true, nested 1, l2norm true, gelu_after_bottleneck false, "
                 "hidden 24, bottleneck 8, prototypes 32 }\n  }"
                 if c.layout.startswith("dinov2") else
                 "heads {\n    dino { nested 3, hidden 24, bottleneck 8, prototypes 32 }\n"
                 "    ibot { nested 3, hidden 24, bottleneck 8, prototypes 32 }\n  }")
        outputs = "cls, patch_tokens" + (", patch_tokens_rasa" if c.layout == "franca-v1" else "")
        lines += [
            f"model released_{c.name} extends franca_tiny {{",
            f"  input {{ size {IMAGE}, mean [{', '.join(map(str, MEAN))}], std [{', '.join(map(str, STD))}] }}",
            f"  backbone {{ patch {cfg.patch}, dim {cfg.dim}, depth {cfg.depth}, heads {cfg.heads}, ffn {cfg.ffn}, "
            f"registers {cfg.registers}, layerscale {cfg.layerscale:g}",
            f"    pos_grid {c.spec_pos_grid}, interpolate {cfg.interpolate}, interpolate_offset {cfg.interpolate_offset:g} }}",
            f"  crops {{ global {{ size {IMAGE} }}, local {{ size 8 }} }}",
            f"  {heads}",
            f"  export {{ resolution {IMAGE}, outputs [{outputs}] }}",
            "}", ""]
    return "\n".join(lines)


def build(out_dir: str) -> int:
    os.makedirs(out_dir, exist_ok=True)
    made = []
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for make in CASES:
            case, pth = make()
            src = os.path.join(tmp, case.name + ".pth")
            torch.save(pth, src)
            base = os.path.join(out_dir, "released_" + case.name)
            tensors = pth_to_safetensors.convert(src, base + ".safetensors")
            back, _ = st.load_file(base + ".safetensors")  # the snippet's writer round-trips every tensor
            assert back.keys() == tensors.keys() and all((back[k] == tensors[k].numpy()).all() for k in back)
            rasa = [t for k, t in sorted(tensors.items()) if ".rasa_head.pre_pos_layers." in k]
            rasa += [t for k, t in tensors.items() if k.endswith("rasa_head.pos_pred.weight")]
            pixels = rand(case.g, (BATCH, 3, IMAGE, IMAGE))
            outs = forward_outputs(case, pixels, rasa)
            expected = {"input.pixel_values": pixels.numpy()}
            expected.update({k: v.float().numpy() for k, v in outs.items()})
            st.save_file(base + ".expected.safetensors", expected, {"case": "released_" + case.name})
            doc = OrderedDict(
                format_version=1, case="released_" + case.name, kind="released-layout", layout=case.layout,
                description=case.description,
                generator="test/reference/released_layouts.py (torch %s), seed crc32(case)"
                          % torch.__version__.split("+")[0],
                golden="outputs computed in float64 from the stored float32 weights, rounded to float32",
                model=f"released_{case.name} in released_models.vfm",
                config={"input": {"size": IMAGE, "mean": MEAN, "std": STD, "batch": BATCH},
                        "backbone": case.cfg.to_json(), "spec_pos_grid": case.spec_pos_grid,
                        "hrft_grid": case.hrft_grid or None},
                notes=case.notes,
                keys=sorted(tensors),
                expected={k: list(v.shape) for k, v in expected.items()},
            )
            with open(base + ".json", "w") as f:
                f.write(to_json(doc) + "\n")
            size = sum(os.path.getsize(base + s) for s in (".safetensors", ".expected.safetensors", ".json"))
            total += size
            print(f"released_{case.name:18s} {len(tensors):4d} tensors {size:>8d} B")
            made.append(case)
    with open(os.path.join(out_dir, "released_models.vfm"), "w") as f:
        f.write(spec_text(made))
    print(f"{'total':27s} {total:>13d} B")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for released_* files")
    sys.exit(build(ap.parse_args().out))
