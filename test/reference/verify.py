"""--verify DIR: recompute committed fixtures from nothing but their JSON config and stored tensors.

This is what a consumer (the TypeScript side) has to do, so it checks that every field a computation
needs is in the file, and that the committed goldens still match this reference. Loss-only cases are
not re-derived here (their inputs are plain logits; regenerate and diff instead).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
from typing import Dict

import numpy as np
import torch

import heads as H
import interp
import train_step as T
import mae as MAE
import vit as V
import safetensors_io as st


def _vit_cfg(j: Dict) -> V.VitConfig:
    names = {f.name for f in dataclasses.fields(V.VitConfig)}
    return V.VitConfig(**{k: v for k, v in j.items() if k in names})


def _head_cfg(j: Dict) -> H.HeadConfig:
    return H.HeadConfig(layers=j["layers"], hidden=j["hidden"], bottleneck=j["bottleneck"],
                        prototypes=j["prototypes"], l2norm=j["l2norm"], nested=j["nested"],
                        gelu_after_bottleneck=j["gelu_after_bottleneck"])


def _t(arr: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(arr.copy())
    return t.double() if t.is_floating_point() else t


def _recompute(j: Dict, ts: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    kind, cfg = j["kind"], j["config"]
    params = {k: ts[k] for k in j.get("parameters", {})}
    out: Dict[str, torch.Tensor] = {}
    if kind == "inference":
        vc = _vit_cfg(cfg["backbone"])
        x = V.normalise_pixels(ts["input.pixel_values"], ts["input.mean"], ts["input.std"])
        o = V.forward(params, vc, x)
        out.update({"output.cls": o.cls, "output.patch_tokens": o.patch_tokens, "output.prenorm": o.prenorm,
                    "output.pos_embed": o.pos_embed})
        if "input.masks" in ts:
            om = V.forward(params, vc, x, ts["input.masks"].bool())
            out.update({"output.masked.cls": om.cls, "output.masked.patch_tokens": om.patch_tokens})
    elif kind == "head":
        for l, o in enumerate(H.head(ts["input.features"], params, "dino_head.", _head_cfg(cfg["head"]))):
            out[f"output.logits.{l}"] = o
    elif kind == "interp":
        for e in cfg["matrices"]:
            out[e["name"]] = interp.resize_matrix(e["M"], e["g"], e["offset"], e["antialias"])
    elif kind in ("grads", "step") and "mae" in cfg["losses"]:
        dj, oj = cfg["decoder"], cfg["optim"]
        dec = MAE.DecoderConfig(dj["dim"], dj["depth"], dj["heads"], dj["mlp_ratio"])
        r = MAE.train_step(params, _vit_cfg(cfg["backbone"]), dec, ts["input.global_crops"], ts["input.patch_order"],
                           cfg["masking"]["ratio"], cfg["losses"]["mae"]["norm_pix"], float(ts["input.lr"]),
                           float(ts["input.wd"]), tuple(oj["betas"]), oj["eps"])
        out.update({"output.loss": r["out"].loss, "output.pred": r["out"].pred, "output.mask": r["out"].mask})
        out.update({"grad." + k: v for k, v in r["grads"].items()})
        if kind == "step":
            for pre, key in (("updated.", "updated"), ("updated.exp_avg.", "exp_avg"),
                             ("updated.exp_avg_sq.", "exp_avg_sq")):
                out.update({pre + k: v for k, v in r[key].items()})
    elif kind in ("grads", "step"):
        hj, lj, oj = cfg["heads"], cfg["losses"], cfg["optim"]
        tc = T.TrainConfig(
            _vit_cfg(cfg["backbone"]), _head_cfg(hj["dino"]), _head_cfg(hj["ibot"]) if hj["ibot"]["separate"] else None,
            T.LossConfig(targets=lj["dino"]["targets"], sinkhorn_iterations=lj["dino"]["sinkhorn_iterations"],
                         student_temp=lj["dino"]["student_temp"], dino_weight=lj["dino"]["weight"],
                         ibot_weight=lj["ibot"]["weight"], koleo_weight=lj["koleo"]["weight"],
                         center_momentum=lj["dino"]["center_momentum"]),
            T.OptimConfig(tuple(oj["betas"]), oj["eps"], oj["layer_decay"], oj["patch_embed_lr"], oj["clip"]),
            cfg["crops"]["local"]["count"])
        assert tc.franca == (lj["flavour"] == "franca")
        for k, info in j["parameters"].items():  # the stored group table must match the rules
            g = T.group_multipliers(k, tc)
            assert all(abs(g[f] - info[f]) < 1e-12 for f in ("lr_multiplier", "wd_multiplier", "is_last_layer")), k
        sch = T.Schedules(*(float(ts[f"input.{k}"]) for k in ("lr", "last_layer_lr", "wd", "momentum", "teacher_temp")))
        inp = T.StepInputs(ts["input.global_crops"], ts["input.local_crops"], ts["input.masks"].bool(),
                           int(ts["input.upperbound"]), sch.teacher_temp,
                           ts.get("state.center.dino"), ts.get("state.center.ibot"))
        step = int(ts["state.adam_step"]) if "state.adam_step" in ts else 0
        zeros = {k: torch.zeros_like(v) for k, v in params.items()}
        state = T.AdamState(step, {k: ts.get("state.exp_avg." + k, zeros[k]) for k in params},
                            {k: ts.get("state.exp_avg_sq." + k, zeros[k]) for k in params})
        teacher = {k: ts["teacher." + k] for k in params}
        r = T.train_step(params, teacher, state, tc, inp, sch)
        out["output.loss"] = r["losses"].total
        out["output.loss_koleo"] = r["losses"].koleo
        out.update({"grad." + k: v for k, v in r["grads"].items()})
        out.update({f"output.grad_norm.{m}": v for m, v in r["grad_norms"].items()})
        if kind == "step":
            for pre, key in (("updated.", "student"), ("updated.teacher.", "teacher"),
                             ("updated.exp_avg.", "exp_avg"), ("updated.exp_avg_sq.", "exp_avg_sq")):
                out.update({pre + k: v for k, v in r[key].items()})
            if r["losses"].new_center_dino is not None:
                out["updated.center.dino"] = r["losses"].new_center_dino
                out["updated.center.ibot"] = r["losses"].new_center_ibot
    return out


def verify(directory: str) -> int:
    bad = 0
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        j = json.load(open(path))
        if j.get("kind") == "released-layout":  # released_layouts.py: a checkpoint + goldens, not this schema
            print(f"skip {j['case']} (released layout: regenerate with released_layouts.py and diff)")
            continue
        arrays, meta = st.load_file(path[:-5] + ".safetensors")
        assert meta.get("case") == j["case"]
        ts = {k: _t(v) for k, v in arrays.items()}
        for name, info in j["tensors"].items():  # the listing matches the file
            assert list(arrays[name].shape) == info["shape"], name
        if j["kind"] in ("loss", "rasa"):
            print(f"skip {j['case']} ({j['kind']}: regenerate and diff instead)")
            continue
        worst, where = 0.0, ""
        got = _recompute(j, ts)
        for name, v in got.items():
            ref = ts[name]
            scale = max(ref.abs().max().item(), 1e-30)
            err = (v.detach().double() - ref).abs().max().item() / scale
            if err > worst:
                worst, where = err, name
        ok = worst < 2e-6
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {j['case']:22s} {len(got):4d} tensors recomputed, worst rel {worst:.2e} {where}")
    print("verify:", "OK" if not bad else f"{bad} failed")
    return 1 if bad else 0
