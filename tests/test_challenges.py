"""Every challenge's check, with a state that solves it and one that does not (lessons/, no screen)."""
import numpy as np
import pytest

from lessons import backprop, challenges as C
from lessons.rnn import SeqTrainer, last_step_grad_norms, make_model, make_task
from lessons.surfaces import make_surface

LRS = [round(m * 10.0 ** e, 6) for e in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)] + [10.0]


def by_id(cid):
    return next(ch for chs in C.CHALLENGES.values() for ch in chs if ch.id == cid)


def test_every_lesson_has_enough_challenges_with_unique_ids():
    ids = [ch.id for chs in C.CHALLENGES.values() for ch in chs]
    assert len(ids) == len(set(ids))
    for lesson, chs in C.CHALLENGES.items():
        assert len(chs) >= (3 if lesson in ("playground", "cnn", "rnn") else 2), lesson


# --- lesson 1 --------------------------------------------------------------------------------------------
def test_or_by_hand():
    check = by_id("pc_or").check
    assert check({"goal": "OR", "w": (1.0, 1.0), "b": -0.5})[0]          # 0→-0.5, 1→0.5, 2→1.5
    ok, why = check({"goal": "OR", "w": (1.0, 1.0), "b": 0.0})             # (0, 0): z = 0 → answers 1
    assert not ok and "(0, 0) gives 1 instead of 0" in why
    assert not check({"goal": "AND", "w": (1.0, 1.0), "b": -0.5})[0]


def test_xor_cycle():
    check = by_id("pc_xor").check
    assert check({"data": "XOR", "status": "cycling"})[0]
    assert not check({"data": "XOR", "status": "learning"})[0]
    assert not check({"data": "AND", "status": "converged"})[0]
    assert not check({"data": "XOR", "status": "converged"})[0]


# --- lesson 2 --------------------------------------------------------------------------------------------
def test_edge_width_matches_the_sigmoid():
    # sigmoid(z) = 0.9 at z = ln 9; along the normal z grows by |w| per unit: width 2 ln 9 / |w|
    assert C.edge_width((3.0, 4.0), 0.7) == pytest.approx(2 * np.log(9) / 5.0, abs=2e-3)


def test_sharp_edge():
    check = by_id("nr_edge").check
    assert check({"act": "sigmoid", "w": (3.0, -2.0), "b": 0.5})[0]      # 4.39/3.61 = 1.22
    assert not check({"act": "sigmoid", "w": (1.5, -1.0), "b": 0.5})[0]  # the page's start: 2.44
    assert not check({"act": "tanh", "w": (3.0, -3.0), "b": 0.0})[0]


def test_line_through_one_one():
    check = by_id("nr_point").check
    assert check({"act": "sigmoid", "w": (1.5, -1.0), "b": -0.5})[0]
    assert not check({"act": "sigmoid", "w": (1.5, -1.0), "b": 0.5})[0]


# --- lesson 3 --------------------------------------------------------------------------------------------
def view_for(spec, k, preset="textbook"):
    rec = backprop.run(spec)
    return C.backprop_view(preset, rec, backprop.build_steps(spec), k)


def test_predict_the_sign_of_w5():
    check = by_id("bp_sign").check
    spec = backprop.preset("textbook")
    steps = backprop.build_steps(spec)
    w5 = steps.index({"phase": "backward", "layer": 1, "neuron": 0})
    # Mazur: out_o1 = 0.751 > target 0.01, out_h1 > 0, so ∂L/∂w5 = (out − target)·σ'·out_h1 > 0
    assert check(dict(view_for(spec, w5), answer="positive"))[0]
    assert not check(dict(view_for(spec, w5), answer="negative"))[0]
    ok, why = check(dict(view_for(spec, w5 - 1), answer="positive"))
    assert not ok and "reveal" in why                           # not revealed yet
    assert not check(dict(view_for(spec, w5), answer=None))[0]


def test_a_zero_gradient():
    check = by_id("bp_zero").check
    spec = backprop.preset("textbook")
    first_back = backprop.first_step_of(backprop.build_steps(spec), "backward")
    assert not check(dict(view_for(spec, first_back), answer=None))[0]   # every gradient of Mazur's net ≠ 0
    zero_input = dict(spec, x=[0.0, 0.10])                               # ∂L/∂w = x · δ = 0 for x1's weights
    assert check(dict(view_for(zero_input, first_back), answer=None))[0]
    assert not check(dict(view_for(zero_input, 0), answer=None))[0]      # not revealed yet


# --- lesson 5 --------------------------------------------------------------------------------------------
def race_view(kappa, lr, surface="bowl"):
    s = make_surface(surface, kappa)
    return {"surface": surface, "kappa": kappa, "start": tuple(s.start), "lr": lr, "lr_options": LRS, "steps": 150}


def test_edge_of_oscillation():
    check = by_id("op_osc").check
    # κ = 20: the θ₂ factor 1 − ηκ is 0 at η = 0.05 (no zig-zag) and −0.4 at the next option 0.07
    assert check(race_view(20, 0.05))[0]
    assert not check(race_view(20, 0.07))[0]            # zig-zags
    assert not check(race_view(20, 0.03))[0]            # 0.05 does not zig-zag either: not the edge
    assert not check(race_view(20, 0.5))[0]             # diverges (ηκ = 10 > 2)
    assert not check(race_view(20, 0.05, surface="saddle"))[0]


def test_mse_stuck():
    check = by_id("op_mse").check
    assert check({"z": -7.0, "y": 1})[0]                # σ(−7) ≈ 0.0009: MSE's ∂L/∂z ≈ −0.0018
    assert not check({"z": -2.0, "y": 1})[0]            # off by 0.88 only
    assert not check({"z": 2.5, "y": 0})[0]             # off by 0.92 but ∂L/∂z ≈ 0.13
    assert not check({"z": 7.0, "y": 1})[0]             # a tiny gradient, but the prediction is right


# --- lesson 7 --------------------------------------------------------------------------------------------
def test_echo_at_eight():
    check = by_id("rnn_echo8").check
    base = {"task": "echo", "k": 8, "chance": 0.25, "T": 16}
    assert check(dict(base, val_acc=0.93))[0]
    assert not check(dict(base, val_acc=0.6))[0]
    assert not check(dict(base, k=4, val_acc=0.99))[0]
    ok, why = check(dict(base, T=8, val_acc=0.3))
    assert not ok and "cannot reach back" in why


def norms(radius):
    task = make_task("forecast", seed=0, kind="sine")
    model = make_model(task, 32, seed=0, radius=radius)
    x, y = task.probe()
    return last_step_grad_norms(model, task.make_loss(), x[:16], y[:16])


def test_vanishing_gradient():
    check = by_id("rnn_vanish").check
    assert check({"norms": norms(0.5)})[0]
    assert not check({"norms": norms(1.0)})[0]
    assert check({"norms": [5e-4] + [0.5] * 6 + [1.0]})[0]
    assert not check({"norms": [2e-3] + [0.5] * 6 + [1.0]})[0]
    assert not check({"norms": [1e-9, 1.0]})[0]             # T = 2: too short to call it vanishing


def test_tamed_explosion():
    check = by_id("rnn_clip").check
    task = make_task("forecast", seed=0, kind="sine")
    trainer = SeqTrainer(task, make_model(task, 16, seed=0, radius=2.0), optimizer="sgd", lr=0.3, seq_len=16,
                         clip=1.0, seed=0)
    trainer.run_for(5.0, max_updates=150)
    view = {"radius": 2.0, "clip": 1.0, "steps": trainer.steps, "stopped": trainer.stopped,
            "val_losses": trainer.history["val_loss"]}
    assert check(view)[0], check(view)
    assert not check(dict(view, clip=None))[0]
    assert not check(dict(view, radius=1.0))[0]
    assert not check(dict(view, val_losses=[1.0, 0.9]))[0]


# --- lesson 6 --------------------------------------------------------------------------------------------
def presets(k=3):
    from lessons.cnn import KERNELS, kernel
    return [kernel(n, k) for n in KERNELS]


def test_horizontal_edge_kernel():
    check = by_id("cnn_hedge").check
    mine = [[1.0, 2.0, 1.0], [0.5, 0.0, 0.5], [-1.5, -2.0, -1.5]]     # rows sum to 4, 1, −5: total 0
    assert check({"kernel": mine, "edited": True, "presets": presets()})[0]
    # a vertical-edge finder: strong on the vertical edge
    assert not check({"kernel": np.array(mine).T, "edited": True, "presets": presets()})[0]
    # weights that do not sum to 0: the flat halves of the vertical-edge image answer too
    assert not check({"kernel": np.array(mine) + 0.5, "edited": True, "presets": presets()})[0]
    assert not check({"kernel": presets()[4], "edited": True, "presets": presets()})[0]   # Sobel y itself
    assert not check({"kernel": mine, "edited": False, "presets": presets()})[0]


def test_small_and_good_cnn():
    check = by_id("cnn_small").check
    assert check({"data": "digits", "params": 690, "test_acc": 0.958})[0]
    assert not check({"data": "digits", "params": 1370, "test_acc": 0.97})[0]
    assert not check({"data": "digits", "params": 690, "test_acc": 0.93})[0]
    assert not check({"data": "shapes", "params": 690, "test_acc": 0.99})[0]


def test_cnn_beats_the_mlp():
    check = by_id("cnn_mlp").check
    assert check({"data": "shapes", "cnn_acc": 0.9, "mlp_acc": 0.6})[0]
    assert not check({"data": "shapes", "cnn_acc": 0.5, "mlp_acc": 0.6})[0]
    assert not check({"data": "shapes", "cnn_acc": 0.9, "mlp_acc": None})[0]
    assert not check({"data": "digits", "cnn_acc": 0.9, "mlp_acc": 0.6})[0]


# --- lesson 4 --------------------------------------------------------------------------------------------
def playground(epochs, **changes):
    import lessons.playground as pg
    setup = pg.default_setup()
    setup.update(changes)
    trainer = pg.make_trainer(setup, pg.make_data(setup))
    while trainer.epoch < epochs and not pg.train_chunk(trainer, setup, 0.05):   # as the live view trains
        pass
    return {"setup": setup, "trainer": trainer}


def test_circle_without_a_hidden_layer():
    check = by_id("pg_circle_linear").check
    # x1² + x2² separates a circle linearly: a network without hidden layers can reach it
    ok, why = check(playground(30, data="circle", layers=[], acts=[], features=["x1^2", "x2^2"]))
    assert ok and "test accuracy" in why and not why.startswith("Solved")
    ok, why = check(playground(30, data="circle", layers=[], acts=[]))      # x1, x2 only: a line cannot
    assert not ok and "95 %" in why and not why.startswith("Not yet")
    assert not check(playground(0, data="circle"))[0]                      # hidden layers present


def test_diverge_and_spiral():
    from lessons.playground import DIVERGE_TIP
    assert by_id("pg_diverge").check(playground(200, opt=DIVERGE_TIP["opt"], lr=DIVERGE_TIP["lr"]))[0]  # the hint's setting
    assert not by_id("pg_diverge").check(playground(3, data="plane"))[0]
    assert not by_id("pg_spiral2").check(playground(1))[0]                  # default: 3 hidden layers


def test_spiral_with_two_layers_judges_the_test_accuracy_shown():
    from types import SimpleNamespace
    import lessons.playground as pg
    setup = dict(pg.default_setup(), layers=[8, 8], acts=["tanh", "tanh"])
    check = by_id("pg_spiral2").check
    assert check({"setup": setup, "trainer": SimpleNamespace(history={"test_acc": [0.5, 0.96]}, diverged=None)})[0]
    assert not check({"setup": setup, "trainer": SimpleNamespace(history={"test_acc": [0.5, 0.93]}, diverged=None)})[0]
