"""Inference fixtures: backbone forward (vit_*), heads alone (head_*), resize matrices (interp_matrices)."""

from __future__ import annotations

import torch

import heads as H
import interp
import vit as V
from fixture import Fixture, cast, generator, init_params, rand, randn

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

_BASE = dict(patch=4, dim=32, depth=2, heads=4, mlp_ratio=4.0, pos_grid=4)
# the resize cases only exercise the position embedding: a smaller model keeps the fixtures small
_SMALL = dict(_BASE, dim=16, depth=1, heads=2)


def _vit_case(case: str, desc: str, cfg: V.VitConfig, size, batch: int = 2, with_masks: bool = False) -> Fixture:
    height, width = size
    gh, gw = height // cfg.patch, width // cfg.patch
    config = {
        "input": {"height": height, "width": width, "channels": 3, "mean": IMAGENET_MEAN, "std": IMAGENET_STD,
                  "batch": batch},
        "backbone": cfg.to_json(),
        "grid": [gh, gw],
        "pos_embed_resized": interp.needs_resize(cfg.pos_grid**2, gh, gw, height, width),
    }
    fx = Fixture(case, "inference", desc, config)
    g = generator(case)
    shapes = V.param_shapes(cfg)
    weights = init_params(g, shapes)
    fx.set_parameters(shapes)
    fx.families[""] = "weights under their hub state-dict names (§1.3)"
    pixels = rand(g, (batch, 3, height, width))
    mean, std = torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)
    fx.add_all("", weights, "weight")
    fx.add("input.pixel_values", pixels, "input", "raw RGB in [0,1]; the model normalises with input.mean/std")
    fx.add("input.mean", mean, "input")
    fx.add("input.std", std, "input")
    masks = None
    if with_masks:
        masks = rand(g, (batch, gh * gw)) < 0.4
        fx.add("input.masks", masks, "input", "[N, P] uint8; 1 = patch replaced by mask_token (student path)")

    def run(dtype):
        p = cast(weights, dtype)
        xn = V.normalise_pixels(pixels.to(dtype), mean.to(dtype), std.to(dtype))
        o = V.forward(p, cfg, xn)
        out = {"input.pixel_values_normalized": xn, "output.cls": o.cls, "output.patch_tokens": o.patch_tokens,
               "output.prenorm": o.prenorm, "output.pos_embed": o.pos_embed}
        if cfg.registers:
            out["output.registers"] = o.registers
        for i, b in enumerate(o.blocks):
            out[f"output.blocks.{i}"] = b
        if masks is not None:
            om = V.forward(p, cfg, xn, masks)
            out["output.masked.cls"] = om.cls
            out["output.masked.patch_tokens"] = om.patch_tokens
        return out

    docs = {
        "input.pixel_values_normalized": "(pixel_values - mean)/std, i.e. what the patch embed sees",
        "output.cls": "final-LN CLS [N, D]",
        "output.patch_tokens": "final-LN patch tokens [N, P, D], row-major grid",
        "output.prenorm": "all tokens before the final LN [N, T, D], order [CLS, registers, patches]",
        "output.pos_embed": "position embedding actually added [1, 1+P, D] (interpolated if resized)",
    }
    fx.add_outputs(run, lambda n: "input" if n.startswith("input.") else "output", docs)
    if config["pos_embed_resized"]:
        wy, wx = interp.matrices(cfg.pos_grid, gh, gw, cfg.interpolate_offset, cfg.antialias)
        fx.add("output.interp_rows", wy, "output", "Wy [gh, M]: resized grid = Wy · G · Wx^T per channel")
        fx.add("output.interp_cols", wx, "output", "Wx [gw, M]")
    return fx


def vit_cases():
    yield _vit_case("vit_mlp", "GELU-MLP ViT, no registers, no LayerScale, pos grid = image grid (no resize)",
                    V.VitConfig(**_BASE, ffn="mlp"), (16, 16))
    yield _vit_case("vit_swiglu_reg", "SwiGLU ViT with 2 registers and LayerScale; also a masked forward",
                    V.VitConfig(**_BASE, ffn="swiglu", registers=2, layerscale=1e-5), (16, 16), with_masks=True)
    yield _vit_case("vit_interp", "pos grid 3x3 resized to 4x4: bicubic, scale_factor form, offset 0.1",
                    V.VitConfig(**{**_SMALL, "pos_grid": 3}, ffn="mlp", layerscale=1e-5), (16, 16))
    yield _vit_case("vit_interp_aa", "pos grid 6x6 resized down to 4x4: antialiased bicubic, offset 0 (size form)",
                    V.VitConfig(**{**_SMALL, "pos_grid": 6}, ffn="mlp", layerscale=1e-5, registers=1,
                                interpolate="bicubic_antialias", interpolate_offset=0.0), (16, 16))
    yield _vit_case("vit_interp_nonsquare",
                    "8x32 image (2x8 grid, P = 16 = M*M) with pos grid 4: still resized because H != W; offset 0.1",
                    V.VitConfig(**_SMALL, ffn="swiglu", layerscale=1e-5), (8, 32))


def _head_case(case: str, desc: str, cfg: H.HeadConfig, dim: int = 32, rows: int = 5) -> Fixture:
    fx = Fixture(case, "head", desc, {"dim": dim, "head": cfg.to_json(dim)})
    g = generator(case)
    shapes = H.param_shapes("dino_head.", dim, cfg)
    weights = init_params(g, shapes)
    fx.set_parameters(shapes)
    fx.families[""] = "head weights under their checkpoint names"
    x = randn(g, (rows, dim))
    fx.add_all("", weights, "weight")
    fx.add("input.features", x, "input", "backbone CLS/patch features [rows, D]")

    def run(dtype):
        outs = H.head(x.to(dtype), cast(weights, dtype), "dino_head.", cfg)
        return {f"output.logits.{l}": o for l, o in enumerate(outs)}

    fx.add_outputs(run)
    return fx


def head_cases():
    yield _head_case("head_dino", "DINOv2 DINOHead: 3-layer MLP, L2 norm, weight-normed last layer",
                     H.HeadConfig(layers=3, hidden=48, bottleneck=16, prototypes=64, l2norm=True))
    yield _head_case("head_mrl", "Franca nested head (F+ projection on the first d_l channels), 3 levels",
                     H.HeadConfig(layers=3, hidden=48, bottleneck=16, prototypes=64, nested=3, l2norm=False, gelu_after_bottleneck=True))


def interp_matrices_case() -> Fixture:
    combos = [(3, 4, 0.1, False), (4, 2, 0.1, False), (4, 3, 0.1, False), (4, 5, 0.1, False),
              (6, 4, 0.0, True), (3, 4, 0.0, True), (5, 3, 0.0, False), (37, 16, 0.1, False),
              (37, 16, 0.0, True), (16, 37, 0.0, True), (16, 7, 0.1, False), (37, 37, 0.1, False)]
    entries = []
    fx = Fixture("interp_matrices", "interp", "1-D bicubic resize matrices W [g, M] (§1.5), float64-derived", {})
    for m, gsz, off, aa in combos:
        name = f"matrix.m{m}_g{gsz}_off{off}_aa{int(aa)}"
        entries.append({"name": name, "M": m, "g": gsz, "offset": off, "antialias": aa,
                        "sigma": interp.inverse_scale(m, gsz, off)})
        fx.add(name, interp.resize_matrix(m, gsz, off, aa), "output")
    fx.config["matrices"] = entries
    fx.notes.append("checked against F.interpolate in float64 by --self-check (max diff ~1e-15); the float32 "
                    "F.interpolate path deviates by up to ~6e-6 for M=37 (scale computed in float32)")
    fx.notes.append("m37_g37_off0.1: the original would skip the resize for a square image with P == M*M; the "
                    "matrix shows what the offset formula would do (not the identity)")
    return fx


def rasa_case() -> Fixture:
    """RASA removal (§8.2) on final-LN patch tokens, and the regressor loss of one training round (§8.3)."""
    case = "rasa"
    g = generator(case)
    n_img, grid, dim, n_pre = 2, 4, 16, 3
    fx = Fixture(case, "rasa", "RASA head: sequential rank-2 projections (pre_pos_layers.0..n-1, then pos_pred) "
                 "on patch tokens; sigmoid position regressor MSE of the current round",
                 {"dim": dim, "grid": [grid, grid], "pre_pos_layers": n_pre, "pos_out_act": "sigmoid",
                  "order": "pre_pos_layers.0 .. pre_pos_layers.n-1, then pos_pred (if used)"})
    shapes = {f"rasa_head.pre_pos_layers.{k}.weight": [2, dim] for k in range(n_pre)}
    shapes["rasa_head.pos_pred.weight"] = [2, dim]
    weights = {k: randn(g, v, 0.5) for k, v in shapes.items()}
    fx.set_parameters(shapes)
    fx.families[""] = "RASA weights [2, D]: row 0 = row coordinate, row 1 = column coordinate"
    fx.add_all("", weights, "weight")
    x = randn(g, (n_img, grid * grid, dim))
    fx.add("input.patch_tokens", x, "input", "[N, P, D] final-LN patch tokens, row-major grid")

    def run(dtype):
        p = cast(weights, dtype)
        z = x.to(dtype)
        composed = torch.eye(dim, dtype=dtype)
        for k in range(n_pre):
            pk = H.rasa_projector(p[f"rasa_head.pre_pos_layers.{k}.weight"])
            z = z @ pk
            composed = composed @ pk
        pre_only = z
        w = p["rasa_head.pos_pred.weight"].clone().requires_grad_(True)
        rows = torch.arange(grid, dtype=dtype).repeat_interleave(grid) / (grid - 1)
        cols = torch.arange(grid, dtype=dtype).repeat(grid) / (grid - 1)
        target = torch.stack([rows, cols], -1).expand(n_img, -1, -1)
        loss = ((torch.sigmoid(pre_only @ w.t()) - target) ** 2).mean()
        loss.backward()
        pp = H.rasa_projector(p["rasa_head.pos_pred.weight"])
        return {"output.patch_tokens_rasa": pre_only @ pp, "output.patch_tokens_pre_only": pre_only,
                "output.matrix": composed @ pp, "output.loss_pos": loss, "grad.rasa_head.pos_pred.weight": w.grad}

    fx.add_outputs(run, docs={
        "output.patch_tokens_rasa": "tokens after all pre_pos_layers and pos_pred (use_pos_pred=True)",
        "output.patch_tokens_pre_only": "tokens after the pre_pos_layers only (input of the regressor)",
        "output.matrix": "[D, D] P_0 P_1 ... P_n: patch_tokens_rasa = patch_tokens @ matrix",
        "output.loss_pos": "mean((sigmoid(x W_pos^T) - (r/(g-1), c/(g-1)))^2) over N*P*2 on the pre-only tokens",
    })
    fx.families["grad."] = "d output.loss_pos / d weight (only pos_pred is trained)"
    return fx
