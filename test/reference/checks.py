"""Internal consistency checks (--self-check) and full-size parameter counts (--check-counts)."""

from __future__ import annotations

import math
from typing import Callable, List

import torch
import torch.nn.functional as F

import heads as H
import interp
import losses as L
import masks as M
import safetensors_io as st
import train_step as T
import vit as V
from fixture import cast, generator, init_params


# --- parameter counts (§1.1, §2) -------------------------------------------------------------------

ARCHS = {"S": (384, 12, 6), "B": (768, 12, 12), "L": (1024, 24, 16), "g": (1536, 40, 24)}

# (label, arch, ffn, registers, pos grid, expected millions from §1.1, expected tensor count or None)
BACKBONES = [
    ("ViT-S/14 DINOv2", "S", "mlp", 0, 37, 22.06, None),
    ("ViT-S/14 DINOv2 (16 grid)", "S", "mlp", 0, 16, 21.63, None),
    ("ViT-B/14 DINOv2", "B", "mlp", 0, 37, 86.58, 175),
    ("ViT-L/14 DINOv2", "L", "mlp", 0, 37, 304.37, 343),
    ("ViT-g/14 DINOv2", "g", "swiglu", 0, 37, 1136.48, 567),
    ("ViT-L/14 DINOv2 reg4", "L", "mlp", 4, 37, None, 344),
    ("Franca ViT-B/14 (37 grid)", "B", "swiglu", 0, 37, 86.59, 175),
    ("Franca ViT-B/14 (16 grid)", "B", "swiglu", 0, 16, 85.74, 175),
    ("Franca ViT-L/14 (37 grid)", "L", "swiglu", 0, 37, 304.79, 343),
    ("Franca ViT-L/14 (16 grid)", "L", "swiglu", 0, 16, 303.66, 343),
    ("Franca ViT-g/14 (16 grid)", "g", "swiglu", 0, 16, 1134.77, 567),
]

HEADS = [  # (label, arch, head config, expected millions (§2) or None)
    ("DINOHead K131072 bot384 (B)", "B", H.HeadConfig(3, 2048, 384, 131072), 57.0),
    ("DINOHead K131072 bot384 (g)", "g", H.HeadConfig(3, 2048, 384, 131072), 58.6),
    ("Franca MRL head F+ (B)", "B", H.HeadConfig(3, 2048, 384, 131072, nested=5, l2norm=False, gelu_after_bottleneck=True), 126.5),
    ("Franca MRL head F+ (L)", "L", H.HeadConfig(3, 2048, 384, 131072, nested=5, l2norm=False, gelu_after_bottleneck=True), 128.2),
    ("Franca MRL head F+ (g)", "g", H.HeadConfig(3, 2048, 384, 131072, nested=5, l2norm=False, gelu_after_bottleneck=True), 131.9),
]


def _count(shapes) -> int:
    return sum(math.prod(s) for s in shapes.values())


def check_counts() -> int:
    bad = 0
    print(f"{'model':32s} {'params':>16s} {'M':>10s} {'expected':>9s} {'tensors':>8s}")
    for label, arch, ffn, regs, grid, exp_m, exp_t in BACKBONES:
        d, depth, h = ARCHS[arch]
        cfg = V.VitConfig(patch=14, dim=d, depth=depth, heads=h, ffn=ffn, registers=regs, layerscale=1e-5,
                          pos_grid=grid)
        shapes = V.param_shapes(cfg)
        n = _count(shapes)
        ok = (exp_m is None or round(n / 1e6, 2) == exp_m) and (exp_t is None or len(shapes) == exp_t)
        bad += not ok
        print(f"{label:32s} {n:>16,d} {n / 1e6:>10.2f} {exp_m if exp_m else '-':>9} {len(shapes):>8d}"
              f"{'' if ok else '   MISMATCH'}")
    for label, arch, hc, exp_m in HEADS:
        n = _count(H.param_shapes("dino_head.", ARCHS[arch][0], hc))
        ok = exp_m is None or round(n / 1e6, 1) == exp_m
        bad += not ok
        print(f"{label:32s} {n:>16,d} {n / 1e6:>10.2f} {exp_m:>9} {'':>8s}{'' if ok else '   MISMATCH'}")
    d = 1024
    print("SwiGLU hidden sizes:", {a: V.VitConfig(14, ARCHS[a][0], 1, 1, ffn="swiglu").ffn_hidden() for a in ARCHS})
    print("counts:", "OK" if bad == 0 else f"{bad} mismatches")
    return 1 if bad else 0


# --- self-check ------------------------------------------------------------------------------------

def _tiny_train_cfg(nested: bool, shared: bool, targets: str) -> T.TrainConfig:
    vc = V.VitConfig(patch=4, dim=8, depth=1, heads=2, mlp_ratio=2.0, ffn="swiglu" if nested else "mlp",
                     layerscale=1e-5, registers=1, pos_grid=3)
    fr = dict(nested=2, l2norm=False, gelu_after_bottleneck=True) if nested else {}
    hc = H.HeadConfig(3, 6, 4, 8, **fr)
    ic = None if shared else H.HeadConfig(3, 5, 3, 6, **fr)
    return T.TrainConfig(vc, hc, ic, T.LossConfig(targets=targets), T.OptimConfig(), n_local=1)


def _gradcheck_total(nested: bool, shared: bool, targets: str) -> bool:
    cfg = _tiny_train_cfg(nested, shared, targets)
    g = generator(f"gc{nested}{shared}{targets}")
    shapes = T.param_shapes(cfg)
    student = cast(init_params(g, shapes), torch.float64)
    teacher = {k: v + 0.05 * torch.randn(v.shape, generator=g, dtype=torch.float64) for k, v in student.items()}
    gc = torch.randn(4, 3, 8, 8, generator=g, dtype=torch.float64)
    lc = torch.randn(2, 3, 4, 4, generator=g, dtype=torch.float64)
    masks = torch.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]], dtype=torch.bool)
    k = cfg.dino_head.prototypes
    ki = (cfg.ibot_head or cfg.dino_head).prototypes
    inp = T.StepInputs(gc, lc, masks, 5, 0.06, torch.randn(1, k, generator=g, dtype=torch.float64) * 0.1,
                       torch.randn(1, 1, ki, generator=g, dtype=torch.float64) * 0.1)
    names = list(shapes)

    def f(*vals):
        p = dict(zip(names, vals))
        return T.compute_losses(p, teacher, cfg, inp).total

    vals = tuple(student[n].clone().requires_grad_(True) for n in names)
    return torch.autograd.gradcheck(f, vals, eps=1e-6, atol=1e-5, rtol=1e-4)


def self_check() -> int:
    results: List[tuple] = []

    def check(name: str, fn: Callable[[], bool]) -> None:
        try:
            ok = bool(fn())
            results.append((name, ok, ""))
        except Exception as e:  # report every failing check, not only the first
            results.append((name, False, f"{type(e).__name__}: {e}"))

    def interp_vs_torch() -> bool:
        combos = [(3, 4, 0.1, False), (4, 2, 0.1, False), (6, 4, 0.0, True), (3, 4, 0.0, True),
                  (37, 16, 0.1, False), (37, 16, 0.0, True), (16, 37, 0.0, True), (5, 7, 0.0, False)]
        worst = 0.0
        for m, gsz, off, aa in combos:
            grid = torch.randn(1, 5, m, m, dtype=torch.float64)
            ref = interp.resize_pos_grid(grid, gsz, gsz, off, aa)[0]
            w = interp.resize_matrix(m, gsz, off, aa)
            worst = max(worst, (torch.einsum("im,dmn,jn->dij", w, grid[0], w) - ref).abs().max().item())
        return worst < 1e-12

    def nonsquare_interp() -> bool:
        pe = torch.randn(1, 17, 5, dtype=torch.float64)
        out = interp.interpolate_pos_embed(pe, 2, 8, 8, 32, 0.1, False)
        wy, wx = interp.matrices(4, 2, 8, 0.1, False)
        grid = pe[0, 1:].reshape(4, 4, 5)
        exp = torch.einsum("im,mnd,jn->ijd", wy, grid, wx).reshape(16, 5)
        same = interp.interpolate_pos_embed(pe, 4, 4, 16, 16, 0.1, False)
        return torch.allclose(out[0, 1:], exp, atol=1e-12) and same is pe

    def sinkhorn_rows() -> bool:
        z = torch.rand(10, 32, dtype=torch.float64) * 2 - 1
        a = L.sinkhorn_targets(z, 0.04, 3)
        b = L.sinkhorn_targets(z, 0.04, 3, prenormalise=False)
        c = L.sinkhorn_targets(z, 0.04, 3, b_total=7)
        rows = torch.allclose(a.sum(-1), torch.ones(10, dtype=torch.float64), atol=1e-12)
        return rows and torch.allclose(a, b, atol=1e-12) and torch.allclose(a, c, atol=1e-12)

    def attention_vs_mha() -> bool:
        d, h = 16, 4
        mha = torch.nn.MultiheadAttention(d, h, batch_first=True).double()
        x = torch.randn(2, 7, d, dtype=torch.float64)
        p = {"qkv.weight": mha.in_proj_weight, "qkv.bias": mha.in_proj_bias,
             "proj.weight": mha.out_proj.weight, "proj.bias": mha.out_proj.bias}
        ref, _ = mha(x, x, x, need_weights=False)
        return torch.allclose(V.attention(x, p, "", h), ref, atol=1e-12)

    def weight_norm_vs_torch() -> bool:
        lin = torch.nn.utils.weight_norm(torch.nn.Linear(6, 9, bias=False)).double()
        with torch.no_grad():
            lin.weight_g.uniform_(0.5, 1.5)
        x = torch.randn(4, 6, dtype=torch.float64)
        return torch.allclose(F.linear(x, H.weight_norm(lin.weight_g, lin.weight_v)), lin(x), atol=1e-12)

    def gradcheck_parts() -> bool:
        g = torch.Generator().manual_seed(1)
        r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64).requires_grad_(True)  # noqa: E731
        ok = torch.autograd.gradcheck(lambda x: L.koleo(x), (r(5, 6),))
        tgt = torch.softmax(torch.randn(6, 8, dtype=torch.float64), -1)
        ok &= torch.autograd.gradcheck(lambda s, lo: sum(L.dino_loss(s, lo, tgt, 2)), (r(6, 8), r(6, 8)))
        masks = torch.tensor([[1, 1, 0], [0, 0, 0], [0, 1, 0]], dtype=torch.bool)
        ok &= torch.autograd.gradcheck(lambda s: L.ibot_loss(s, tgt[:3], masks), (r(3, 8),))
        for off, aa in ((0.1, False), (0.0, True), (0.0, False)):
            ok &= torch.autograd.gradcheck(
                lambda pe: interp.interpolate_pos_embed(pe, 2, 3, 8, 12, off, aa), (r(1, 17, 3),))
        hc = H.HeadConfig(3, 6, 4, 8, nested=2, l2norm=False, gelu_after_bottleneck=True)
        shapes = H.param_shapes("h.", 4, hc)
        vals = tuple(r(*s) for s in shapes.values())
        ok &= torch.autograd.gradcheck(
            lambda x, *v: torch.cat(H.head(x, dict(zip(shapes, v)), "h.", hc), -1), (r(3, 4),) + vals)
        return ok

    def adamw_matches() -> bool:
        p = torch.randn(5, dtype=torch.float64)
        gr = torch.randn(5, dtype=torch.float64) * 1e-3
        m0, v0 = torch.randn(5, dtype=torch.float64) * 1e-3, torch.rand(5, dtype=torch.float64) * 1e-6
        q = p.clone().requires_grad_(True)
        opt = torch.optim.AdamW([{"params": [q], "lr": 0.01, "weight_decay": 0.1}], foreach=False)
        opt.state[q] = {"step": torch.tensor(3.0), "exp_avg": m0.clone(), "exp_avg_sq": v0.clone()}
        q.grad = gr.clone()
        opt.step()
        mine, _, _ = T.adamw_by_hand(p, gr, m0, v0, 3, 0.01, 0.1, (0.9, 0.999), 1e-8)
        return torch.allclose(q.detach(), mine, atol=1e-15)

    def clip_matches() -> bool:
        a = [torch.randn(3, 4, dtype=torch.float64, requires_grad=True) for _ in range(3)]
        b = [t.detach().clone().requires_grad_(True) for t in a]
        for x, y in zip(a, b):
            x.grad = torch.randn(3, 4, dtype=torch.float64)
            y.grad = x.grad.clone()
        n1 = T.clip_module_grads(a, 0.5)
        n2 = torch.nn.utils.clip_grad_norm_(b, 0.5)
        return torch.allclose(n1, n2) and all(torch.allclose(x.grad, y.grad) for x, y in zip(a, b))

    def masks_counts() -> bool:
        g = torch.Generator().manual_seed(3)
        ok = True
        for _ in range(200):
            n = int(torch.randint(0, 17, (), generator=g))
            ok &= int(M.cyclic_mask(g, 4, 4, n).sum()) == n
            ok &= int(M.block_mask(g, 4, 4, n, 8).sum()) <= n
        m, upper = M.collate(g, 6, 4, 4, (0.1, 0.5), "block")
        return ok and int(m.sum()) <= upper and int((m.sum(-1) > 0).sum()) <= 3

    def safetensors_roundtrip() -> bool:
        t = {"a": torch.randn(2, 3).numpy(), "b": torch.tensor([1, 0, 1], dtype=torch.uint8).numpy(),
             "c": torch.tensor(7, dtype=torch.int64).numpy()}
        back, meta = st.decode(st.encode(t, {"k": "v"}))
        return meta == {"k": "v"} and all((back[k] == v).all() and back[k].dtype == v.dtype for k, v in t.items())

    def mrl_slices_input() -> bool:
        hc = H.HeadConfig(3, 6, 4, 8, nested=3, l2norm=False, gelu_after_bottleneck=True)
        p = init_params(torch.Generator().manual_seed(5), H.param_shapes("h.", 8, hc))
        x = torch.randn(2, 8)
        y = x.clone()
        y[:, 4:] = 0  # level 0 (width 2) and level 1 (width 4) must not see channels >= 4
        a, b = H.head(x, p, "h.", hc), H.head(y, p, "h.", hc)
        return torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and not torch.equal(a[2], b[2])

    check("interpolation matrices == F.interpolate (float64)", interp_vs_torch)
    check("non-square input with P == M*M is still resized", nonsquare_interp)
    check("Sinkhorn rows sum to 1; pre-division and B_tot cancel", sinkhorn_rows)
    check("attention == nn.MultiheadAttention (qkv layout)", attention_vs_mha)
    check("weight_norm == torch.nn.utils.weight_norm", weight_norm_vs_torch)
    check("gradcheck: KoLeo, DINO, iBOT, pos-embed resize, MRL head", gradcheck_parts)
    for nested, shared, targets in ((False, False, "sinkhorn"), (False, True, "centering"), (True, False, "sinkhorn")):
        check(f"gradcheck: full loss (nested={nested}, shared={shared}, {targets})",
              lambda a=nested, b=shared, c=targets: _gradcheck_total(a, b, c))
    check("AdamW == written-out update", adamw_matches)
    check("per-module clipping == clip_grad_norm_", clip_matches)
    check("mask generators: exact (cyclic) / at most (block) counts", masks_counts)
    check("safetensors round trip", safetensors_roundtrip)
    check("MRL head: level l only reads the first d_l channels", mrl_slices_input)
    bad = 0
    for name, ok, err in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'  ' + err if err else ''}")
        bad += not ok
    print("self-check:", "OK" if not bad else f"{bad} failed")
    return 1 if bad else 0
