"""Training fixtures: full-loss gradients (grads_*) and one optimiser step (step_*), tiny models."""

from __future__ import annotations

import math
from typing import Dict

import torch

import heads as H
import masks as M
import train_step as T
import vit as V
from fixture import Fixture, cast, f32, generator, init_params, rand, randn

B, N_LOCAL, G_SIZE, L_SIZE = 3, 2, 16, 8


def _config_json(cfg: T.TrainConfig, mask_kind, ratio, upper, n_masked, sch: T.Schedules, adam_step: int,
                 clip: float) -> Dict[str, object]:
    lc, oc = cfg.loss, cfg.optim
    d = cfg.vit.dim
    shapes = T.param_shapes(cfg)
    ibot = ({**cfg.ibot_head.to_json(d), "separate": True} if cfg.ibot_head is not None
            else {"separate": False, "note": "iBOT logits come from dino_head (shared)"})
    return {
        "train": {"batch": B},
        "backbone": cfg.vit.to_json(),
        "crops": {"global": {"count": 2, "size": G_SIZE}, "local": {"count": N_LOCAL, "size": L_SIZE}},
        "masking": {"kind": mask_kind, "ratio": list(ratio), "images": 0.5, "min_aspect": 0.3,
                    **({"min_patches": 4} if mask_kind == "block" else {}), "upperbound": upper,
                    "n_masked": n_masked, "note": "masks are given as input.masks (not regenerated)"},
        "heads": {"dino": cfg.dino_head.to_json(d), "ibot": ibot},
        "losses": {
            "flavour": "franca" if cfg.franca else "dinov2",
            "dino": {"weight": lc.dino_weight, "targets": lc.targets, "sinkhorn_iterations": lc.sinkhorn_iterations,
                     "sinkhorn_prenormalise": not cfg.franca, "student_temp": lc.student_temp,
                     "center_momentum": lc.center_momentum},
            "ibot": {"weight": lc.ibot_weight, "targets": lc.targets, "sinkhorn_iterations": lc.sinkhorn_iterations,
                     "student_temp": lc.student_temp, "center_momentum": lc.center_momentum,
                     "sinkhorn_rows": ("all upperbound rows incl. zero padding, B_tot = n_masked" if cfg.franca
                                       else "the n_masked rows, B_tot = n_masked")},
            "koleo": {"weight": lc.koleo_weight, "eps": 1e-8},
        },
        "teacher": {"momentum_input": "input.momentum", "update": "theta_T = m*theta_T + (1-m)*theta_S_updated"},
        "optim": {"kind": "adamw", "betas": list(oc.betas), "eps": oc.eps, "layer_decay": oc.layer_decay,
                  "patch_embed_lr": oc.patch_embed_lr, "clip": clip, "clip_eps": 1e-6,
                  "clip_modules": cfg.modules(), "adam_step_before": adam_step},
        "schedules": {"lr": sch.lr, "last_layer_lr": sch.last_layer_lr, "wd": sch.wd, "momentum": sch.momentum,
                      "teacher_temp": sch.teacher_temp},
        "drop_path": 0.0,
    }


def _training_case(case: str, kind: str, desc: str, cfg: T.TrainConfig, mask_kind: str, ratio,
                   sch: T.Schedules, adam_step: int = 0) -> Fixture:
    g = generator(case)
    shapes = T.param_shapes(cfg)
    student = init_params(g, shapes)
    teacher = {k: (v + randn(g, v.shape, 0.05)).float() for k, v in student.items()}
    gc = randn(g, (2 * B, 3, G_SIZE, G_SIZE))
    lcr = randn(g, (N_LOCAL * B, 3, L_SIZE, L_SIZE))
    gh = G_SIZE // cfg.vit.patch
    masks, upper = M.collate(g, 2 * B, gh, gh, ratio, mask_kind)
    n_masked = int(masks.sum())
    centering = cfg.loss.targets == "centering"
    k_dino = cfg.dino_head.prototypes
    k_ibot = (cfg.ibot_head or cfg.dino_head).prototypes
    c_dino = randn(g, (1, k_dino), 0.1) if centering else None
    c_ibot = randn(g, (1, 1, k_ibot), 0.1) if centering else None
    if adam_step > 0:
        state_m = {k: randn(g, v.shape, 1e-2) for k, v in student.items()}
        state_v = {k: rand(g, v.shape, 0.2, 1.0) * 1e-4 for k, v in student.items()}
    else:
        state_m = {k: torch.zeros_like(v) for k, v in student.items()}
        state_v = {k: torch.zeros_like(v) for k, v in student.items()}

    def inputs(dtype):
        return T.StepInputs(gc.to(dtype), lcr.to(dtype), masks, upper, sch.teacher_temp,
                            c_dino.to(dtype) if centering else None, c_ibot.to(dtype) if centering else None)

    def go(dtype, clip):
        c = T.TrainConfig(cfg.vit, cfg.dino_head, cfg.ibot_head, cfg.loss,
                          T.OptimConfig(cfg.optim.betas, cfg.optim.eps, cfg.optim.layer_decay,
                                        cfg.optim.patch_embed_lr, clip), cfg.n_local)
        st = T.AdamState(adam_step, cast(state_m, dtype), cast(state_v, dtype))
        return T.train_step(cast(student, dtype), cast(teacher, dtype), st, c, inputs(dtype), sch)

    # clip between the smallest and largest module norm, so one module is clipped and another is not
    norms = [float(v) for v in go(torch.float64, 1e9)["grad_norms"].values()]
    clip = f32(math.sqrt(min(norms) * max(norms)))
    fx = Fixture(case, kind, desc, _config_json(cfg, mask_kind, ratio, upper, n_masked, sch, adam_step, clip))
    fx.set_parameters(shapes, {k: {"module": T.module_of(k), **T.group_multipliers(k, cfg)} for k in shapes})
    fx.families.update({
        "": "student weights before the step",
        "teacher.": "teacher weights before the step",
        "grad.": "d output.loss / d student weight, before clipping",
    })
    if kind == "step":
        fx.families.update({
            "updated.": "student weights after clip + AdamW",
            "updated.teacher.": "teacher after the EMA with the updated student",
            "updated.exp_avg.": "AdamW first moment after the step",
            "updated.exp_avg_sq.": "AdamW second moment after the step",
        })
        if adam_step > 0:
            fx.families.update({"state.exp_avg.": "AdamW first moment before the step",
                                "state.exp_avg_sq.": "AdamW second moment before the step"})
    fx.notes.append("drop_path 0 everywhere; teacher and student see the same crops; no mixed precision")
    fx.notes.append("grad.* are the raw gradients of output.loss (before clipping)")
    fx.add_all("", student, "weight")
    fx.add_all("teacher.", teacher, "teacher")
    fx.add("input.global_crops", gc, "input", "[2B, 3, Sg, Sg] normalised, crop-major [crop1 x B; crop2 x B]")
    fx.add("input.local_crops", lcr, "input", "[n_local*B, 3, Sl, Sl] normalised, crop-major")
    fx.add("input.masks", masks, "input", "[2B, P] uint8 student masks of the global crops")
    fx.add("input.upperbound", upper, "input", "int64 length of the masked-token buffers")
    for k in ("lr", "last_layer_lr", "wd", "momentum", "teacher_temp"):
        fx.add(f"input.{k}", getattr(sch, k), "input")
    if centering:
        fx.add("state.center.dino", c_dino, "state", "[1, K] DINO center before the step")
        fx.add("state.center.ibot", c_ibot, "state", "[1, 1, K] iBOT center before the step")
    if kind == "step":
        fx.add("state.adam_step", adam_step, "state", "int64 updates taken so far (bias correction uses +1)")
        if adam_step > 0:
            fx.add_all("state.exp_avg.", state_m, "state")
            fx.add_all("state.exp_avg_sq.", state_v, "state")
        else:
            fx.notes.append("fresh optimiser: exp_avg/exp_avg_sq start at zero (not stored)")
            d = cfg.vit.dim
            fx.config["ill_conditioned"] = [{
                "tensors": [f"{pre}blocks.{i}.attn.qkv.bias" for pre in ("updated.", "updated.teacher.")
                            for i in range(cfg.vit.depth)],
                "elements": [d, 2 * d],
                "atol": {"updated.": sch.lr, "updated.teacher.": sch.lr * (1 - sch.momentum)},
                "reason": "the key bias has an exactly zero gradient (softmax is shift-invariant), so a fresh "
                          "AdamW step moves it by lr*g/(|g|+eps) with g pure rounding noise: the float64 golden "
                          "barely moves, a float32 run may move each entry by up to lr. Compare these entries "
                          "with the given atol (or skip them).",
            }]

    def run(dtype):
        r = go(dtype, clip)
        res: T.StepLosses = r["losses"]
        out = {"output.loss": res.total, "output.loss_dino": res.dino, "output.loss_dino_local": res.dino_local,
               "output.loss_dino_global": res.dino_global, "output.loss_ibot": res.ibot,
               "output.loss_koleo": res.koleo}
        if cfg.franca:
            for l, (a, b) in enumerate(zip(res.per_level_dino, res.per_level_ibot)):
                out[f"output.level.{l}.loss_dino"], out[f"output.level.{l}.loss_ibot"] = a, b
        for m, v in r["grad_norms"].items():
            out[f"output.grad_norm.{m}"] = v
        for k, v in r["grads"].items():
            out["grad." + k] = v
        for k in ("teacher.dino_targets.0", "teacher.ibot_targets.0", "student.global_cls",
                  "student.dino_global_logits.0", "student.ibot_logits.0", "teacher.cls"):
            out["debug." + k] = res.extras[k]
        if kind == "step":
            for k, v in r["student"].items():
                out["updated." + k] = v
            for k, v in r["teacher"].items():
                out["updated.teacher." + k] = v
            for k, v in r["exp_avg"].items():
                out["updated.exp_avg." + k] = v
            for k, v in r["exp_avg_sq"].items():
                out["updated.exp_avg_sq." + k] = v
            if centering:
                out["updated.center.dino"] = res.new_center_dino
                out["updated.center.ibot"] = res.new_center_ibot
        return out

    fx.add_outputs(run, docs={
        "output.loss": "loss_dino + loss_ibot + loss_koleo (each already weighted)",
        "output.loss_koleo": "koleo weight * (KoLeo(chunk1) + KoLeo(chunk2)) on the masked student global CLS",
        "output.grad_norm.backbone": "2-norm of the backbone grads before clipping (clip_grad_norm_ return value)",
        "debug.teacher.dino_targets.0": "teacher CLS targets (level 0), swapped view order [t2; t1]",
        "debug.teacher.ibot_targets.0": "teacher iBOT targets (level 0) [n_masked, K]",
    })
    return fx


def _mlp_vit(**kw) -> V.VitConfig:
    base = dict(patch=4, dim=16, depth=2, heads=2, mlp_ratio=4.0, pos_grid=4, interpolate_offset=0.1)
    base.update(kw)
    return V.VitConfig(**base)


def training_cases(kind_filter=None):
    dino = H.HeadConfig(layers=3, hidden=24, bottleneck=12, prototypes=64, l2norm=True)
    ibot = H.HeadConfig(layers=3, hidden=20, bottleneck=8, prototypes=48, l2norm=True)
    mrl_d = H.HeadConfig(layers=3, hidden=24, bottleneck=12, prototypes=32, nested=3, l2norm=False, gelu_after_bottleneck=True)
    mrl_i = H.HeadConfig(layers=3, hidden=20, bottleneck=8, prototypes=24, nested=3, l2norm=False, gelu_after_bottleneck=True)
    cfg_d = T.TrainConfig(_mlp_vit(ffn="mlp", layerscale=1e-5), dino, ibot,
                          T.LossConfig(targets="sinkhorn"), T.OptimConfig(layer_decay=1.0), N_LOCAL)
    cfg_f = T.TrainConfig(_mlp_vit(ffn="swiglu", layerscale=1e-5), mrl_d, mrl_i,
                          T.LossConfig(targets="sinkhorn"), T.OptimConfig(layer_decay=1.0), N_LOCAL)
    cfg_ds = T.TrainConfig(_mlp_vit(ffn="mlp", layerscale=1e-5, registers=1), dino, None,
                           T.LossConfig(targets="centering"), T.OptimConfig(layer_decay=0.9), N_LOCAL)
    sch_d = T.Schedules(lr=f32(5e-3), last_layer_lr=f32(5e-3), wd=f32(0.04), momentum=f32(0.99),
                        teacher_temp=f32(0.05))
    sch_f = T.Schedules(lr=f32(5e-3), last_layer_lr=f32(5e-3), wd=f32(0.05), momentum=f32(0.99),
                        teacher_temp=f32(0.07))
    yield lambda: _training_case(
        "grads_dinov2", "grads", "DINOv2 (vitl14-style): GELU MLP, LayerScale, separate iBOT head, Sinkhorn, "
        "block masks", cfg_d, "block", (0.1, 0.5), sch_d)
    yield lambda: _training_case(
        "grads_franca", "grads", "Franca: SwiGLU, nested heads (3 levels, F+ projection), Sinkhorn with padded "
        "iBOT rows, cyclic masks", cfg_f, "cyclic", (0.1, 0.65), sch_f)
    yield lambda: _training_case(
        "step_dinov2", "step", "DINOv2 default-style step: centering, shared head, 1 register, layer decay 0.9, "
        "fresh AdamW, last layer frozen (last_layer_lr 0)", cfg_ds, "block", (0.1, 0.5),
        T.Schedules(lr=f32(5e-3), last_layer_lr=0.0, wd=f32(0.04), momentum=f32(0.99), teacher_temp=f32(0.05)))
    yield lambda: _training_case(
        "step_franca", "step", "Franca step: nested heads, Sinkhorn, cyclic masks, AdamW resumed at step 7",
        cfg_f, "cyclic", (0.1, 0.65), sch_f, adam_step=7)
