"""Every lesson's challenges and their checks, without a screen.

A check takes ``view`` — a dict of what the learner sees on the page (the widgets' values and the engine
objects drawn from them) — and returns ``(solved, sentence)``: the sentence says why it is solved, or what is
still missing, with the numbers on screen. The home page lists ``CHALLENGES`` to show a learner's progress.
"""
from dataclasses import dataclass, field

import numpy as np

from lessons.cnn import KERNELS, kernel as preset_kernel
from lessons.perceptron import gate
from lessons.rnn import last_step_grad_norms
from lessons.playground import DIVERGE_TIP, OPTIMIZERS as PG_OPTIMIZERS, check_challenge as playground_check
from lessons.surfaces import SURFACES, make_surface, run, single_prediction
from nn_core import SGD, Conv2D, Dense, Sequential, Sigmoid


@dataclass(frozen=True)
class Challenge:
    id: str              # stable: stored in the learner's browser
    title: str
    task: str
    hint: str
    check: object        # view -> (solved, sentence)
    ask: tuple = field(default=())   # options of a question the panel asks (the answer goes in view["answer"])


# --- lesson 1: perceptron -------------------------------------------------------------------------------
def perceptron_or(view):
    """view: goal (the gate picked in "be the learning rule"), w (w1, w2), b."""
    if view["goal"] != "OR":
        return False, f"The goal picked is {view['goal']}: pick OR in “Make the perceptron compute”."
    X, y = gate("OR")
    w, b = np.asarray(view["w"], dtype=float), float(view["b"])
    y_hat = (X @ w + b >= 0).astype(int)
    wrong = [f"({int(p[0])}, {int(p[1])}) gives {a} instead of {t}" for p, a, t in zip(X, y_hat, y) if a != t]
    if not wrong:
        return True, f"w = ({w[0]:.2f}, {w[1]:.2f}), b = {b:.2f} answers OR on all four inputs."
    return False, f"{4 - len(wrong)} of 4 right: " + "; ".join(wrong) + "."


def perceptron_xor_cycle(view):
    """view: data (the data set of section 2), status (the stepper's: learning / converged / cycling)."""
    if view["data"] != "XOR":
        return False, f"The data set is {view['data']}: choose XOR in section 2."
    if view["status"] == "cycling":
        return True, "The weights came back to an earlier state: the rule goes round in circles on XOR."
    return False, "The weights have not repeated yet: press Run until converged (or Epoch a few times)."


# --- lesson 2: neuron -----------------------------------------------------------------------------------
def _neuron(w, b):
    dense = Dense(2, 1)
    dense.params["W"][:, 0] = w
    dense.params["b"][0] = b
    return Sequential([dense, Sigmoid()])


def edge_width(w, b):
    """How wide the sigmoid neuron's soft edge is: the distance across its line between a = 0.1 and
    a = 0.9, measured with the engine's forward pass along the line's normal."""
    w = np.asarray(w, dtype=float)
    norm = float(np.linalg.norm(w))
    if norm == 0:
        return float("inf")
    t = np.linspace(-20, 20, 40001)
    foot = -b * w / norm ** 2                       # the point of the line z = 0 nearest the origin
    a = _neuron(w, b).forward(foot + t[:, None] * (w / norm))[:, 0]
    inside = t[(a > 0.1) & (a < 0.9)]
    return float(inside[-1] - inside[0]) if inside.size else 0.0


EDGE_GOAL = 1.25


def neuron_sharp_edge(view):
    """view: act (the map's activation), w (w1, w2), b."""
    if view["act"] != "sigmoid":
        return False, f"The activation is {view['act']}: choose sigmoid."
    width = edge_width(view["w"], view["b"])
    if width <= EDGE_GOAL:
        return True, f"The soft edge is {width:.2f} wide (a from 0.1 to 0.9): almost a step."
    return False, f"The soft edge is {width:.2f} wide (a from 0.1 to 0.9); make it at most {EDGE_GOAL}."


def neuron_through_point(view):
    """view: act, w, b — the sigmoid neuron's activation at x = (1, 1), as the page prints it."""
    if view["act"] != "sigmoid":
        return False, f"The activation is {view['act']}: choose sigmoid."
    a = float(_neuron(view["w"], view["b"]).forward(np.array([[1.0, 1.0]]))[0, 0])
    if abs(a - 0.5) < 0.005:
        return True, f"At x = (1, 1), a = {a:.3f}: the line z = 0 passes through the point."
    return False, f"At x = (1, 1), a = {a:.3f}; it must be 0.500 (z = w1 + w2 + b = 0)."


# --- lesson 3: backprop ---------------------------------------------------------------------------------
def _revealed(view):
    return view["k"] >= view["first_backward"]


def backprop_view(preset, rec, steps, k):
    """What the backprop challenges judge: the walk-through's record ``rec`` (lessons.backprop.run), its
    ``steps`` and the step ``k`` on screen."""
    out_layer = max(s["layer"] for s in steps if s["layer"] is not None)
    return {"preset": preset, "trace": rec["trace"], "k": k,
            "first_backward": next(i for i, s in enumerate(steps) if s["phase"] == "backward"),
            "w5_step": steps.index({"phase": "backward", "layer": out_layer, "neuron": 0})}


def backprop_sign(view):
    """view: preset, trace (the engine's record), k (step shown), first_backward, w5_step (step of w5's
    gradient), answer ("positive"/"negative" or None)."""
    if view["preset"] != "textbook":
        return False, "Choose the textbook network (Mazur's example)."
    if view["answer"] is None:
        return False, "Give your prediction first."
    if view["k"] < view["w5_step"]:
        return False, f"Predicted {view['answer']}: now step on to the backward pass of o1 to reveal ∂L/∂w5."
    g = float(view["trace"]["layers"][1]["dL_dW"][0][0])
    sign = "positive" if g > 0 else "negative"
    if sign == view["answer"]:
        return True, f"∂L/∂w5 = {g:+.6f}: {sign}, as you predicted — so the update lowers w5."
    return False, f"∂L/∂w5 = {g:+.6f} is {sign}, not {view['answer']}: out1 is above its target, so δ of o1 > 0."


def backprop_zero(view):
    """view: trace, k, first_backward."""
    grads = np.concatenate([np.ravel(layer["dL_dW"]) for layer in view["trace"]["layers"]])
    if not _revealed(view):
        return False, "Step on to the backward pass: the gradients are not shown yet."
    smallest = float(np.min(np.abs(grads)))
    if smallest == 0.0:
        return True, f"{int(np.sum(grads == 0))} weight(s) have ∂L/∂w = 0 exactly: they will not move."
    return False, f"The smallest |∂L/∂w| is {smallest:.3g}, not 0."


# --- lesson 5: optimizers -------------------------------------------------------------------------------
def _zigzags(points, lo=1):
    """Does θ₂ jump across its minimum's level (0 on the bowl) back and forth at least three times?"""
    th = np.asarray(points)[lo:, 1]
    return int(np.sum(np.sign(th[1:]) * np.sign(th[:-1]) < 0)) >= 3


def optimizers_edge_of_oscillation(view):
    """view: surface (key), kappa, start, lr (SGD's η), lr_options (the slider's), steps."""
    if view["surface"] != "bowl":
        return False, f"The surface is {SURFACES[view['surface']].label}: choose the bowl."
    surface, lr = make_surface("bowl", view["kappa"]), float(view["lr"])
    traj = run(surface, SGD(lr), view["start"], view["steps"])
    if traj.diverged:
        return False, f"With η = {lr:g} SGD diverges (step {traj.diverged}): lower it a lot."
    if _zigzags(traj.points):
        return False, f"With η = {lr:g} SGD's path zig-zags across the valley: lower η."
    higher = [o for o in view["lr_options"] if o > lr] or [float("inf")]
    if higher[0] < float("inf"):
        above = run(surface, SGD(min(higher)), view["start"], view["steps"])
        if not _zigzags(above.points) and not above.diverged:
            return False, f"At η = {lr:g} no zig-zag, nor at the next rate {min(higher):g}: raise η."
    return True, (f"η = {lr:g} goes straight; the next rate, {min(higher):g}, zig-zags (κ = {view['kappa']:g}: "
                  f"the edge is η = 1/κ = {1 / view['kappa']:.3g}).")


def optimizers_mse_stuck(view):
    """view: z, y (the loss-functions tab)."""
    row = single_prediction(view["z"], view["y"])["mse"]
    wrong = abs(row["prediction"] - view["y"])
    if wrong < 0.9:
        return False, f"The prediction a = {row['prediction']:.3f} is only {wrong:.3f} from the target: make it badly wrong (> 0.9)."
    if abs(row["dz"]) >= 0.01:
        return False, f"Badly wrong, but MSE's ∂L/∂z = {row['dz']:.4f} still pulls: go further."
    return True, f"a = {row['prediction']:.4f} against target {view['y']}, yet MSE's ∂L/∂z = {row['dz']:.4f}: it barely learns."


# --- lesson 7: RNN --------------------------------------------------------------------------------------
def rnn_view(trainer, x_probe, y_probe, radius):
    """What the RNN challenges judge: the trainer's numbers as the live view shows them, and the orange curve
    ‖∂L_T/∂h_t‖ of section 4 for the probe sequence's first T steps (``radius``: ρ set at the start, or None)."""
    task, T, hist = trainer.task, trainer.seq_len, trainer.history
    return {"task": task.name, "k": getattr(task, "k", None), "val_acc": hist["val_acc"][-1], "T": T,
            "chance": getattr(task, "chance", 0.0), "radius": radius, "clip": trainer.clip, "steps": trainer.steps,
            "norms": last_step_grad_norms(trainer.model, task.make_loss(), x_probe[:T], y_probe[:T]),
            "stopped": trainer.stopped, "val_losses": hist["val_loss"]}


def rnn_echo8(view):
    """view: task, k, val_acc, chance, T."""
    if view["task"] != "echo":
        return False, "Choose the echo task."
    if view["k"] != 8:
        return False, f"The delay is k = {view['k']}: set k = 8."
    acc = view["val_acc"]
    if acc is not None and acc >= 0.9:
        return True, f"Validation accuracy {acc:.0%} at k = 8 (chance {view['chance']:.0%})."
    shown = "no training yet" if acc is None else f"validation accuracy {acc:.0%}"
    return False, f"{shown} (chance {view['chance']:.0%}); reach 90 %." + (
        f" With T = {view['T']} ≤ k the gradient cannot reach back 8 steps." if view["T"] <= 8 else "")


def rnn_vanish(view):
    """view: norms (‖∂L/∂h_t‖ of the last step's loss, orange curve)."""
    norms = np.asarray(view["norms"], dtype=float)
    ratio = norms[0] / norms[-1] if norms[-1] > 0 else 0.0
    if len(norms) >= 8 and ratio < 1e-3:
        return True, f"Only {ratio:.1e} of the last step's gradient reaches step 1: it vanished."
    if len(norms) < 8:
        return False, f"T = {len(norms)} is too short to see it: T ≥ 8."
    return False, f"{ratio:.2g} of the last step's gradient reaches step 1; make it below 0.001."


def rnn_clip(view):
    """view: radius (ρ set at the start, or None), clip (threshold or None), steps, stopped, val_losses."""
    if view["radius"] is None or view["radius"] < 2:
        return False, "Rescale W_h at the start to a spectral radius ρ ≥ 2 (then New weights)."
    if view["clip"] is None:
        return False, "Turn gradient clipping on."
    if view["stopped"]:
        return False, "Training stopped (it blew up): lower η or the clip threshold, then New weights."
    losses = view["val_losses"]
    if view["steps"] < 100:
        return False, f"{view['steps']} updates so far: train at least 100."
    if losses[-1] <= 0.5 * losses[0]:
        return True, f"With ρ = {view['radius']:g} and clipping at {view['clip']:g}: validation loss {losses[0]:.3f} → {losses[-1]:.3f}."
    return False, f"Validation loss {losses[0]:.3f} → {losses[-1]:.3f}: halve it."


# --- lesson 6: CNN -------------------------------------------------------------------------------------
def _edge_images(size=8):
    """A horizontal edge (top half bright), a vertical edge (left half bright) and a flat grey image."""
    horizontal = np.zeros((size, size))
    horizontal[: size // 2] = 1.0
    return horizontal, horizontal.T.copy(), np.full((size, size), 0.5)


def edge_responses(K):
    """The largest |output| of the engine's convolution of kernel ``K`` (no padding, stride 1) over a
    horizontal edge, a vertical edge and a flat image."""
    K = np.asarray(K, dtype=float)
    conv = Conv2D(1, 1, K.shape[0])
    conv.params["W"][0, 0], conv.params["b"][:] = K, 0.0
    return tuple(float(np.abs(conv.forward(img[None, None])).max()) for img in _edge_images())


def cnn_view(kernel, edited, data, trainer, mlp, arch):
    """What the CNN challenges judge: the kernel on screen and the training tab's numbers (``mlp``: the
    same-size MLP's result for the architecture ``arch``, if trained)."""
    acc = trainer.history["test_acc"][-1] if trainer.history["test_acc"] else None
    return {"kernel": kernel, "edited": edited, "presets": [preset_kernel(n, len(kernel)) for n in KERNELS],
            "data": data, "params": trainer.model.num_params(), "test_acc": acc, "cnn_acc": acc,
            "mlp_acc": mlp["acc"] if mlp and mlp["arch"] == arch and acc is not None and mlp["acc"] is not None else None}


def cnn_horizontal_edges(view):
    """view: kernel (the k×k kernel on screen), edited (cell-by-cell editing on), presets (their kernels)."""
    K = np.asarray(view["kernel"], dtype=float)
    if not view["edited"]:
        return False, "Turn on “Edit the kernel cell by cell” and design your own."
    if any(P.shape == K.shape and np.allclose(P, K) for P in view["presets"]):
        return False, "This kernel is one of the presets: change some of its cells."
    h, v, flat = edge_responses(K)
    if h < 1.0:
        return False, f"On a horizontal edge it answers at most {h:.2f}: make it at least 1."
    if v > 0.25 * h:              # the vertical edge's flat halves also catch a kernel whose weights do not sum to 0
        return False, (f"It answers {h:.2f} on a horizontal edge but also {v:.2f} on a vertical edge and {flat:.2f} "
                       "on a flat image: both must stay below a quarter of that.")
    return True, f"{h:.2f} on a horizontal edge, {v:.2f} on a vertical one, {flat:.2f} on a flat image."


PARAM_BUDGET = 700


def cnn_small_and_good(view):
    """view: data (name), params (the CNN's), test_acc (the last epoch's, or None)."""
    if view["data"] != "digits":
        return False, "Choose the digits."
    if view["params"] > PARAM_BUDGET:
        return False, f"The CNN has {view['params']:,} parameters: at most {PARAM_BUDGET} allowed."
    acc = view["test_acc"]
    if acc is not None and acc >= 0.95:
        return True, f"{acc:.1%} test accuracy with only {view['params']:,} parameters."
    return False, ("not trained yet" if acc is None else f"test accuracy {acc:.1%}") + ": reach 95 %."


def cnn_beats_mlp(view):
    """view: data, cnn_acc, mlp_acc (None until the MLP of the same size is trained for this CNN)."""
    if view["data"] != "shapes":
        return False, "Choose the shapes."
    if view["mlp_acc"] is None:
        return False, "Train the CNN, then the MLP of the same size below it."
    if view["cnn_acc"] > view["mlp_acc"]:
        return True, f"CNN {view['cnn_acc']:.1%} against the MLP's {view['mlp_acc']:.1%} with as many parameters."
    return False, f"CNN {view['cnn_acc']:.1%}, MLP {view['mlp_acc']:.1%}: train the CNN longer, then compare again."


# --- lesson 4: playground (its checks live in lessons.playground) ----------------------------------------
def _playground_check(name):
    """lessons.playground's check of challenge ``name`` on view["setup"] and view["trainer"], its sentence
    without its own "Solved!" / "Not yet:" (the panel says those)."""
    def check(view):
        ok, text = playground_check(name, view["setup"], view["trainer"])
        for prefix in ("Solved!", "Solved:", "Not yet:"):
            text = text[len(prefix):].strip() if text.startswith(prefix) else text
        if ok and not text:
            accs = view["trainer"].history["test_acc"]
            text = f"test accuracy {accs[-1]:.0%}." if accs else "done."
        return ok, text
    check.__name__ = f"playground_{name}"
    return check


CHALLENGES = {
    "perceptron": [
        Challenge("pc_or", "OR by hand", "Set the two weights and the bias so that the perceptron computes OR.",
                  "OR is 0 only at (0, 0): the bias must be negative, and each weight alone must beat it.",
                  perceptron_or),
        Challenge("pc_xor", "XOR goes round in circles",
                  "Run the learning rule on XOR until the weights repeat an earlier state.",
                  "Choose XOR, then press Run until converged.", perceptron_xor_cycle),
    ],
    "neuron": [
        Challenge("nr_edge", "A sharp edge", f"With a sigmoid, make the soft edge at most {EDGE_GOAL} wide "
                  "(the band where 0.1 < a < 0.9).",
                  "The width is 2·ln 9 / |w|: double both weights (w1 = 3.0, w2 = −2.0).", neuron_sharp_edge),
        Challenge("nr_point", "Through (1, 1)", "With a sigmoid, move the line z = 0 through x = (1, 1).",
                  "At x = (1, 1), z = w1 + w2 + b: choose b = −(w1 + w2).", neuron_through_point),
    ],
    "backprop": [
        Challenge("bp_sign", "Predict a sign", "On the textbook network, predict the sign of ∂L/∂w5 before the "
                  "backward pass reveals it.", "out1 is 0.75 but its target is 0.01.", backprop_sign,
                  ask=("positive", "negative")),
        Challenge("bp_zero", "A weight that does not learn", "Make some weight's gradient ∂L/∂w exactly 0.",
                  "∂L/∂w = a · δ: set an input of the sample to 0, or give a ReLU neuron a negative z.",
                  backprop_zero),
    ],
    "playground": [
        Challenge("pg_" + name, title, text, hint, _playground_check(name))
        for name, title, text, hint in [
            ("spiral2", "Spiral, shallow", "Spiral, at most 2 hidden layers: reach 95 % test accuracy.",
             "Add sin features, or 8+ neurons per layer, and Adam."),
            ("diverge", "Blow it up", "Find a learning rate at which training diverges.",
             f"{PG_OPTIMIZERS[DIVERGE_TIP['opt']]} with η = {DIVERGE_TIP['lr']:g}, then Play."),
            ("circle_linear", "Circle, no hidden layer", "Circle with no hidden layer: reach 95 % test accuracy.",
             "The features x1² and x2².")]
    ],
    "optimizers": [
        Challenge("op_osc", "The edge of oscillation", "On the bowl, find the largest SGD learning rate whose path "
                  "does not zig-zag yet: one notch higher and it oscillates across the valley.",
                  "Along θ₂ each step multiplies the distance by (1 − ηκ): it flips sign once ηκ > 1.",
                  optimizers_edge_of_oscillation),
        Challenge("op_mse", "Stuck with MSE", "In Loss functions, make the prediction badly wrong (off by more "
                  "than 0.9) while MSE's gradient ∂L/∂z is below 0.01.",
                  "Target 1 and a very negative z.", optimizers_mse_stuck),
    ],
    "cnn": [
        Challenge("cnn_hedge", "A horizontal-edge finder", "Design your own 3×3 or 5×5 kernel that answers "
                  "strongly on horizontal edges, and hardly at all on vertical edges or flat regions.",
                  "Positive weights in the top row, negative ones in the bottom row, all of them summing to 0.",
                  cnn_horizontal_edges),
        Challenge("cnn_small", "Small and good", f"Reach 95 % test accuracy on the digits with at most "
                  f"{PARAM_BUDGET} parameters.", "One conv layer with 4 filters, Adam, 15 epochs.",
                  cnn_small_and_good),
        Challenge("cnn_mlp", "Shared weights win", "On the shapes, train a CNN that beats an MLP of the same size.",
                  "Two conv layers, 8 filters, 15 epochs; then press the MLP button.", cnn_beats_mlp),
    ],
    "rnn": [
        Challenge("rnn_echo8", "Echo at k = 8", "Make the echo task work at k = 8: 90 % validation accuracy.",
                  "T must be larger than k; Adam with η = 0.01, and let it train.", rnn_echo8),
        Challenge("rnn_vanish", "Make it vanish", "Make less than 0.1 % of the last step's gradient reach step 1.",
                  "Rescale W_h to ρ = 0.5 and press New weights.", rnn_vanish),
        Challenge("rnn_clip", "Tame an explosion", "With W_h rescaled to ρ ≥ 2, train 100 updates with clipping "
                  "on and halve the validation loss.", "Forecast, SGD, η = 0.3, clipping at c = 1.", rnn_clip),
    ],
}
