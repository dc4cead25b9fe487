"""Loss-only fixtures on given logits / features (no backbone, no heads)."""

from __future__ import annotations

import torch

import losses as L
import masks as M
from fixture import Fixture, f32, generator, rand, randn

B, N_LOCAL, K, STUDENT_TEMP = 3, 2, 64, 0.1


def _dino_config(targets: str, teacher_temp: float, prenormalise: bool = True):
    return {"batch": B, "global_count": 2, "local_count": N_LOCAL, "prototypes": K,
            "losses": {"dino": {"targets": targets, "sinkhorn_iterations": 3, "sinkhorn_prenormalise": prenormalise,
                                "student_temp": STUDENT_TEMP, "center_momentum": L.CENTER_MOMENTUM},
                       "teacher_temp": teacher_temp},
            "n_terms": 2 + 2 * N_LOCAL}


def _dino_case(case: str, targets: str) -> Fixture:
    tt = f32(0.05)
    fx = Fixture(case, "loss", f"DINO CLS loss with {targets} teacher targets, view swap, 2+2*{N_LOCAL} terms",
                 _dino_config(targets, tt))
    g = generator(case)
    s_glob, s_loc = randn(g, (2 * B, K)), randn(g, (N_LOCAL * B, K))
    t_logits = rand(g, (2 * B, K), -1.2, 1.2)  # cosine-bounded like an L2-normalised head
    center = randn(g, (1, K), 0.2)
    fx.add("input.student_global_logits", s_glob, "input", "[2B, K] crop order [s1; s2]")
    fx.add("input.student_local_logits", s_loc, "input", "[n_local*B, K] crop-major")
    fx.add("input.teacher_logits", t_logits, "input", "[2B, K] teacher head output in crop order [t1; t2] "
           "(the fixture applies the view swap)")
    fx.add("input.teacher_temp", tt, "input")
    if targets == "centering":
        fx.add("input.center", center, "input", "[1, K] center used for this step")

    def run(dtype):
        z = L.swap_views(t_logits.to(dtype))
        out = {}
        if targets == "centering":
            c = center.to(dtype)
            tgt = L.centering_targets(z, c, tt)
            out["output.center_updated"] = L.center_update(c, z)
        else:
            tgt = L.sinkhorn_targets(z, tt, 3)
        lo, gl = L.dino_loss(s_glob.to(dtype), s_loc.to(dtype), tgt, N_LOCAL, STUDENT_TEMP)
        out.update({"output.teacher_targets": tgt, "output.loss_dino_local": lo, "output.loss_dino_global": gl,
                    "output.loss_dino": lo + gl})
        return out

    fx.add_outputs(run, docs={"output.teacher_targets": "[2B, K] in swapped order [t2; t1]; rows sum to 1"})
    return fx


def _ibot_masks(g, kind="block", ratio=(0.1, 0.5), n_img=2 * B, gh=4, gw=4):
    return M.collate(g, n_img, gh, gw, ratio, kind)


def ibot_case() -> Fixture:
    case = "loss_ibot"
    g = generator(case)
    masks, upper = _ibot_masks(g)
    n = int(masks.sum())
    tt = f32(0.06)
    fx = Fixture(case, "loss", "iBOT masked-patch loss: per-image mean over masked tokens / number of global crops; "
                 "targets by Sinkhorn (B_tot = n_masked) and by centering", {
                     "batch": B, "global_count": 2, "prototypes": K, "grid": [4, 4], "upperbound": upper,
                     "n_masked": n, "losses": {"ibot": {"student_temp": STUDENT_TEMP, "sinkhorn_iterations": 3,
                                                        "sinkhorn_prenormalise": True,
                                                        "center_momentum": L.CENTER_MOMENTUM},
                                               "teacher_temp": tt}})
    s = randn(g, (n, K))
    t = rand(g, (n, K), -1.2, 1.2)
    center = randn(g, (1, 1, K), 0.2)
    fx.add("input.masks", masks, "input", "[2B, P] uint8; masked tokens are taken row-major over [image, patch]")
    fx.add("input.student_logits", s, "input", "[n_masked, K]")
    fx.add("input.teacher_logits", t, "input", "[n_masked, K]")
    fx.add("input.center", center, "input", "[1, 1, K] iBOT center")
    fx.add("input.teacher_temp", tt, "input")

    def run(dtype):
        sd, td, c = s.to(dtype), t.to(dtype), center.to(dtype)
        t_sk = L.sinkhorn_targets(td, tt, 3, n)
        t_ce = L.centering_targets(td.unsqueeze(0), c, tt)[0]
        return {"output.masks_weight": L.masks_weight(masks).to(dtype),
                "output.teacher_targets_sinkhorn": t_sk, "output.loss_ibot_sinkhorn": L.ibot_loss(sd, t_sk, masks),
                "output.teacher_targets_centering": t_ce,
                "output.loss_ibot_centering": L.ibot_loss(sd, t_ce, masks),
                "output.center_updated": L.center_update(c, td)}

    fx.add_outputs(run, docs={"output.masks_weight": "[n_masked] 1/m_i of the token's image"})
    return fx


def koleo_case() -> Fixture:
    case = "loss_koleo"
    g = generator(case)
    x = randn(g, (2 * B, 32))
    x[4] = x[3] * 1.5 + randn(g, (32,), 0.05)  # a near neighbour inside chunk 2
    fx = Fixture(case, "loss", "KoLeo on 2 chunks of B rows (per global crop), weight 0.1, eps 1e-8",
                 {"batch": B, "global_count": 2, "dim": 32, "losses": {"koleo": {"weight": 0.1, "eps": 1e-8}}})
    fx.add("input.features", x, "input", "[2B, D] student global CLS (chunk c = rows c*B .. c*B+B-1)")

    def run(dtype):
        xs = x.to(dtype)
        parts = L.koleo_chunks(xs)
        nn = []
        for c in xs.chunk(2):
            cn = torch.nn.functional.normalize(c, dim=-1, eps=1e-8)
            d = cn @ cn.t()
            d.fill_diagonal_(-1.0)
            nn.append(d.argmax(dim=1))
        return {"output.loss_koleo_chunks": torch.stack(parts), "output.loss_koleo": 0.1 * sum(parts),
                "output.nn_index": torch.cat(nn)}

    fx.add_outputs(run, docs={"output.nn_index": "[2B] int64 nearest neighbour inside the chunk (chunk-local index)",
                              "output.loss_koleo": "0.1 * (chunk1 + chunk2)"})
    return fx


def mrl_case() -> Fixture:
    case = "loss_mrl"
    g = generator(case)
    levels_k = [16, 32, 64]
    tt = f32(0.07)
    masks, upper = _ibot_masks(g, "cyclic", (0.1, 0.65))
    n = int(masks.sum())
    cfg = _dino_config("sinkhorn", tt, prenormalise=False)
    cfg.update({"level_prototypes": levels_k, "upperbound": upper, "n_masked": n, "grid": [4, 4]})
    cfg["losses"]["ibot"] = {"student_temp": STUDENT_TEMP, "sinkhorn_iterations": 3, "sinkhorn_prenormalise": False,
                             "sinkhorn_rows": "all upperbound rows (padding included), B_tot = n_masked"}
    fx = Fixture(case, "loss", "Franca nested losses: per level DINO + iBOT with Franca Sinkhorn, summed over levels",
                 cfg)
    fx.add("input.masks", masks, "input")
    fx.add("input.teacher_temp", tt, "input")
    data = {}
    for l, k in enumerate(levels_k):
        pad_row = randn(g, (1, k), 0.3)  # the head's output for the zero vector, repeated
        data[l] = {
            "student_global_logits": randn(g, (2 * B, k)),
            "student_local_logits": randn(g, (N_LOCAL * B, k)),
            "teacher_logits": randn(g, (2 * B, k), 0.8),
            "student_ibot_logits": randn(g, (n, k)),
            "teacher_ibot_logits": torch.cat([randn(g, (n, k), 0.8), pad_row.expand(upper - n, k)]),
        }
        for name, v in data[l].items():
            fx.add(f"input.level.{l}.{name}", v, "input")
    fx.roles[f"input.level.0.teacher_ibot_logits"]["doc"] = "[upperbound, K_l]: rows >= n_masked are the padding"

    def run(dtype):
        out, tot_d, tot_i = {}, 0, 0
        for l in data:
            d = {k: v.to(dtype) for k, v in data[l].items()}
            tgt = L.sinkhorn_targets(L.swap_views(d["teacher_logits"]), tt, 3, None, prenormalise=False)
            lo, gl = L.dino_loss(d["student_global_logits"], d["student_local_logits"], tgt, N_LOCAL, STUDENT_TEMP)
            ti = L.sinkhorn_targets(d["teacher_ibot_logits"], tt, 3, n, prenormalise=False)[:n]
            li = L.ibot_loss(d["student_ibot_logits"], ti, masks)
            out.update({f"output.level.{l}.teacher_targets": tgt, f"output.level.{l}.teacher_ibot_targets": ti,
                        f"output.level.{l}.loss_dino": lo + gl, f"output.level.{l}.loss_ibot": li})
            tot_d, tot_i = tot_d + lo + gl, tot_i + li
        out["output.loss_dino"], out["output.loss_ibot"] = tot_d, tot_i
        return out

    fx.add_outputs(run)
    return fx


def loss_cases():
    yield _dino_case("loss_dino_sinkhorn", "sinkhorn")
    yield _dino_case("loss_dino_centering", "centering")
    yield ibot_case()
    yield koleo_case()
    yield mrl_case()
