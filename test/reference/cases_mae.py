"""MAE fixtures (He et al. 2022): the reconstruction loss, every parameter gradient and one AdamW step of a tiny
masked autoencoder, with the per-image patch order as an input."""

from __future__ import annotations

import torch

import mae as MAE
import vit as V
from fixture import Fixture, cast, f32, generator, init_params, randn

B, SIZE = 3, 16


def _mae_case(case: str, kind: str, desc: str, norm_pix: bool) -> Fixture:
    enc = V.VitConfig(patch=4, dim=16, depth=2, heads=2, mlp_ratio=4.0, pos_grid=SIZE // 4)
    dec = MAE.DecoderConfig(dim=8, depth=2, heads=2)
    ratio = 0.75
    lr, wd, betas, eps = f32(5e-3), f32(0.05), (0.9, 0.95), 1e-8
    g = generator(case)
    shapes = MAE.param_shapes(enc, dec)
    params = init_params(g, shapes)
    imgs = randn(g, (B, 3, SIZE, SIZE))
    patches = (SIZE // enc.patch) ** 2
    order = torch.stack([torch.randperm(patches, generator=g) for _ in range(B)])
    fx = Fixture(case, kind, desc, {
        "train": {"batch": B},
        "backbone": {**enc.to_json(), "pos_embed": "sincos", "registers": 0},
        "crops": {"global": {"count": 1, "size": SIZE}, "local": {"count": 0, "size": SIZE}},
        "masking": {"kind": "random", "ratio": ratio, "visible": MAE.visible_count(patches, ratio),
                    "note": "the patch order is input.patch_order (not redrawn)"},
        "decoder": dec.to_json(),
        "losses": {"mae": {"weight": 1.0, "norm_pix": norm_pix, "eps": MAE.PIX_EPS}},
        "optim": {"kind": "adamw", "betas": list(betas), "eps": eps, "clip": 0, "layer_decay": 1.0,
                  "patch_embed_lr": 1.0, "adam_step_before": 0,
                  "weight_decay_rule": "none for 1-D tensors and biases (timm add_weight_decay)"},
        "schedules": {"lr": lr, "wd": wd},
    })
    fx.set_parameters(shapes, {k: {"module": "decoder" if k.startswith("decoder_") or k == "mask_token"
                                   else "backbone", "wd_multiplier": 1.0 if MAE.decays(k, v) else 0.0}
                               for k, v in shapes.items()})
    fx.families.update({"": "weights before the step", "grad.": "d output.loss / d weight"})
    if kind == "step":
        fx.families.update({"updated.": "weights after AdamW", "updated.exp_avg.": "AdamW first moment after the step",
                            "updated.exp_avg_sq.": "AdamW second moment after the step"})
    fx.notes.append("pos_embed and decoder_pos_embed are fixed 2-D sin-cos tables, not stored: both sides compute them")
    fx.notes.append("fresh AdamW (moments zero), no gradient clipping, no teacher")
    if kind == "step":
        fx.config["ill_conditioned"] = [{
            "tensors": [f"updated.{pre}blocks.{i}.attn.qkv.bias" for i in range(depth)],
            "elements": [d, 2 * d],
            "atol": {"updated.": lr},
            "reason": "the key bias has an exactly zero gradient (softmax is shift-invariant), so a fresh AdamW step "
                      "moves it by lr*g/(|g|+eps) with g pure rounding noise; compare these entries with atol lr",
        } for pre, depth, d in (("", enc.depth, enc.dim), ("decoder_", dec.depth, dec.dim))]
    fx.add_all("", params, "weight")
    fx.add("input.global_crops", imgs, "input", "[B, 3, S, S] normalised images (one view each)")
    fx.add("input.patch_order", order, "input", "[B, L] int64: per image a permutation of its patches, first K kept")
    fx.add("input.lr", lr, "input")
    fx.add("input.wd", wd, "input")

    def run(dtype):
        r = MAE.train_step(cast(params, dtype), enc, dec, imgs.to(dtype), order, ratio, norm_pix, lr, wd, betas, eps)
        o: MAE.MaeOutput = r["out"]
        out = {"output.loss": o.loss, "output.pred": o.pred, "output.mask": o.mask, "debug.latent": o.latent,
               "debug.target": o.target}
        for k, v in r["grads"].items():
            out["grad." + k] = v
        if kind == "step":
            for fam in ("updated", "exp_avg", "exp_avg_sq"):
                for k, v in r[fam].items():
                    out[("updated." if fam == "updated" else f"updated.{fam}.") + k] = v
        return out

    fx.add_outputs(run, docs={
        "output.loss": "mean over removed patches of the per-patch mean squared error",
        "output.pred": "[B, L, p*p*3] decoder predictions (CLS dropped)",
        "output.mask": "[B, L] 1 = removed from the encoder's input",
        "debug.target": "[B, L, p*p*3] patchified input (per-patch normalised when norm_pix)",
    })
    return fx


def mae_cases():
    yield "grads_mae", lambda: _mae_case("grads_mae", "grads", "MAE: pixel targets, ratio 0.75, decoder 8x2", False)
    yield "step_mae", lambda: _mae_case(
        "step_mae", "step", "MAE: per-patch normalised targets (norm_pix), one fresh AdamW step, betas (0.9, 0.95)", True)
