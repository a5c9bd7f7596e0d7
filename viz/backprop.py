"""Figures and formulas for the step-by-step backpropagation lesson (nn_core.stepper).

Pure builders from a spec and a ``stepper.run`` record to Plotly figures, LaTeX strings with the numbers,
and table rows. Every number comes from the engine's record; these functions only format and place them.
"""
import plotly.graph_objects as go

from .palette import BLUE, GREY, ORANGE, diverging_rgb

FONT = 16           # projector-sized text
NODE_SIZE = 58
LADDER = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


# --- names and numbers --------------------------------------------------------------------------
def fmt(v, digits=6):
    """A number with ``digits`` significant digits, no exponent for ordinary sizes."""
    v = float(v)
    if v == 0:
        return "0"
    s = f"{v:.{digits}g}"
    return s.replace("e-0", "e-").replace("e+0", "e+")


def _p(v, digits):
    """A number inside a product: negative ones in parentheses."""
    s = fmt(v, digits)
    return f"({s})" if float(v) < 0 else s


def _sum(terms, per_line=2):
    """Terms joined by +, broken onto aligned lines of ``per_line`` terms so that long sums fit a column."""
    rows = [" + ".join(terms[k:k + per_line]) for k in range(0, len(terms), per_line)]
    return r" \\ &\quad + ".join(rows)


def _aligned(lhs, symbolic, numeric):
    """lhs = symbolic, then = numeric on the next line, the equals signs aligned."""
    return rf"\begin{{aligned}} {lhs} &= {symbolic} \\ &= {numeric} \end{{aligned}}"


def node_name(sizes, n, j, html=False):
    """Name of neuron j of node layer n (0 = the inputs x, last = the outputs o, between = hidden h)."""
    last, hidden = len(sizes) - 1, len(sizes) - 2
    letter = "x" if n == 0 else "o" if n == last else "h"
    sup = f"({n})" if letter == "h" and hidden > 1 else ""
    if html:
        return f"{letter}{f'<sup>{sup}</sup>' if sup else ''}<sub>{j + 1}</sub>"
    return f"{letter}^{{{sup}}}_{{{j + 1}}}" if sup else f"{letter}_{{{j + 1}}}"


def weight_name(spec, l, i, j, html=False):
    """Name of the weight from neuron i of node layer l to neuron j of node layer l + 1 (the textbook's
    w1..w8 for its preset)."""
    alias = spec.get("aliases", {}).get(f"W{l}")
    if alias:
        return f"w<sub>{alias[i][j][1:]}</sub>" if html else f"w_{{{alias[i][j][1:]}}}"
    src, dst = node_name(spec["sizes"], l, i, html), node_name(spec["sizes"], l + 1, j, html)
    return f"w({src}→{dst})" if html else rf"w_{{{src}\to {dst}}}"


def bias_name(spec, l, j, html=False):
    alias = spec.get("aliases", {}).get(f"b{l}")
    if alias:   # the textbook's one bias per layer is one engine bias per neuron: say which
        return f"b<sub>{alias[j][1:]}</sub> ({_plain(node_name(spec['sizes'], l + 1, j, True))})" if html \
            else rf"b_{{{alias[j][1:]}\,({node_name(spec['sizes'], l + 1, j)})}}"
    dst = node_name(spec["sizes"], l + 1, j, html)
    return f"b({dst})" if html else f"b_{{{dst}}}"


def act_name(sizes, n, j):
    """LaTeX name of a neuron's activation (the inputs are their own activations)."""
    return node_name(sizes, 0, j) if n == 0 else f"a_{{{node_name(sizes, n, j)}}}"


def colour_range(spec):
    """Fixed symmetric colour range for the diagram: the smallest of 1, 2, 5, 10, ... covering every weight/bias."""
    big = max(abs(v) for arr in spec["W"] + spec["b"] for v in _flat(arr))
    return next((v for v in LADDER if big <= v), LADDER[-1])


def _flat(arr):
    return [v for row in arr for v in (row if isinstance(row, list) else [row])]


def _hex(rgb):
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb)


def sign_colour(v, vmax):
    return _hex(diverging_rgb(v, vmax))


# --- the network diagram ---------------------------------------------------------------------------
def _positions(sizes):
    tallest = max(sizes)
    pos = {(n, j): (float(n), (k - 1) / 2 - j) for n, k in enumerate(sizes) for j in range(k)}
    bias = {l: (l + 0.18, -tallest / 2 - 0.35) for l in range(len(sizes) - 1)}
    return pos, bias


def network_figure(spec, rec, step, digits=4, label_all=None):
    """The network at ``step`` (a dict from stepper.build_steps): links coloured and sized by weight,
    a bias node per layer, the value known at this step on every node and link, the current neuron outlined.
    ``label_all``: numbers on every link (default: when no layer has more than 2 neurons — with 3 the labels
    overlap); otherwise only the links the current step reads carry numbers, and hovering shows the rest.
    A link's label says what its number is: the weight (with its name where the spec names it, "w5 0.4"),
    "∂" before a gradient ∂L/∂w, "new" before an updated weight (a prime on a named one, "w5′ 0.3589"). In the backward pass the links a step reads to
    sum ∂L/∂a (those leaving the current neuron) show their weights, as the step's formula uses them."""
    sizes, tr, L = spec["sizes"], rec["trace"], len(spec["sizes"]) - 1
    label_all = max(sizes) <= 2 if label_all is None else label_all
    named = bool(spec.get("aliases"))
    phase, cur_l, cur_j = step["phase"], step["layer"], step["neuron"]
    vmax = colour_range(spec)
    pos, bias_pos = _positions(sizes)
    rows = tr["layers"]

    def known_a(l, j):     # is the activation of neuron j in dense layer l computed at this step?
        return phase != "forward" or l < cur_l or (l == cur_l and j <= cur_j)

    def known_delta(l, j):
        if phase in ("update",):
            return True
        return phase == "backward" and (l > cur_l or (l == cur_l and j <= cur_j))

    def updated(l):
        return phase == "update" and (cur_l is None or l >= cur_l)

    def active_link(l, i, j):   # links the current step reads
        if phase == "forward":
            return l == cur_l and j == cur_j
        if phase == "backward":
            return (l == cur_l and j == cur_j) or (l == cur_l + 1 and i == cur_j)
        if phase == "update":
            return cur_l is None or l == cur_l
        return l == L - 1

    fig = go.Figure()
    labels = {"x": [], "y": [], "text": [], "hover": [], "size": []}

    def link(p0, p1, value, text, hover, active, t):
        fade = 1.0 if active else 0.3
        fig.add_trace(go.Scatter(x=[p0[0], p1[0]], y=[p0[1], p1[1]], mode="lines", hoverinfo="skip",
                                 opacity=fade, showlegend=False,
                                 line={"color": sign_colour(value, vmax), "width": 1.5 + 8 * min(abs(value) / vmax, 1)}))
        labels["x"].append(p0[0] + t * (p1[0] - p0[0]))
        labels["y"].append(p0[1] + t * (p1[1] - p0[1]))
        labels["text"].append(f"<b>{text}</b>" if active else text if label_all else "")
        labels["hover"].append(hover)
        labels["size"].append(FONT if active else FONT - 3)

    for l in range(L):
        W, b, new = rows[l]["W"], rows[l]["b"], rec["after"]
        for j in range(sizes[l + 1]):
            for i in range(sizes[l]):
                w, g = W[i][j], rows[l]["dL_dW"][i][j]
                name = weight_name(spec, l, i, j, html=True)
                prefix = f"{name} " if named else ""
                hover = f"{name} = {fmt(w, 6)}"
                text = prefix + fmt(w, digits)
                read_for_da = phase == "backward" and l == cur_l + 1 and i == cur_j
                if known_delta(l, j):
                    hover += f"<br>∂L/∂{name} = {fmt(g, 6)}"
                    if not read_for_da:
                        text = f"∂{prefix.strip()} {fmt(g, digits - 1)}"
                if updated(l):
                    hover += f"<br>new {name} = {fmt(new['W'][l][i][j], 6)}"
                    text = (f"{prefix.strip()}′ " if named else "new ") + fmt(new["W"][l][i][j], digits)
                p0, p1 = pos[(l, i)], pos[(l + 1, j)]
                # level links: label mid-way; slanted ones near their source, where links from one node fan
                # apart — a little further out going down, to clear the z/δ text under the source
                t = 0.5 if abs(p1[1] - p0[1]) < 0.5 else 0.45 if p1[1] < p0[1] else 0.33
                link(pos[(l, i)], pos[(l + 1, j)], w, text, hover, active_link(l, i, j), t)
            name = bias_name(spec, l, j, html=True)
            hover = f"{name} = {fmt(b[j], 6)}"
            text = fmt(b[j], digits)
            if known_delta(l, j):
                hover += f"<br>∂L/∂{name} = {fmt(rows[l]['dL_db'][j], 6)}"
                text = f"∂ {fmt(rows[l]['dL_db'][j], digits - 1)}"
            if updated(l):
                hover += f"<br>new {name} = {fmt(new['b'][l][j], 6)}"
                text = fmt(new["b"][l][j], digits)
            active = phase == "forward" and l == cur_l and j == cur_j or phase == "update" and active_link(l, 0, j)
            # to the lowest neuron the link is short and steep: mid-way, its label met that neuron's ∂L/∂a and δ
            link(bias_pos[l], pos[(l + 1, j)], b[j], text, hover, active, 0.35 if j == sizes[l + 1] - 1 else 0.55)

    fig.add_trace(go.Scatter(x=labels["x"], y=labels["y"], text=labels["text"], mode="text", hovertext=labels["hover"],
                             hoverinfo="text", showlegend=False, name="links",
                             textfont={"size": labels["size"], "color": "#222"},
                             texttemplate="%{text}"))
    # bias nodes: the constant 1 that each bias multiplies
    bx = [bias_pos[l][0] for l in range(L)]
    by = [bias_pos[l][1] for l in range(L)]
    fig.add_trace(go.Scatter(x=bx, y=by, mode="markers+text", text=["bias"] * L, textposition="bottom center",
                             marker={"symbol": "square", "size": 30, "color": GREY, "line": {"color": "#555", "width": 1.5}},
                             textfont={"size": FONT - 2, "color": "#444"}, hoverinfo="skip", showlegend=False, name="bias"))
    # neurons
    xs, ys, inside, below, above, fills, outline, width, hover = [], [], [], [], [], [], [], [], []
    for n, k in enumerate(sizes):
        for j in range(k):
            x, y = pos[(n, j)]
            xs.append(x)
            ys.append(y)
            name = node_name(sizes, n, j, html=True)
            above.append(f"<b>{name}</b>" + _target_text(spec, tr, j, phase) if n == L else f"<b>{name}</b>")
            if n == 0:
                value, sub, hov = tr["x"][j], "input", f"{name} = {fmt(tr['x'][j], 6)}"
                current = False
            else:
                l = n - 1
                row = rows[l]
                seen = known_a(l, j)
                value = row["a"][j] if seen else None
                sub = f"z = {fmt(row['z'][j], digits)}" if seen else ""
                hov = f"{name}<br>z = {fmt(row['z'][j], 6)}<br>a = {fmt(row['a'][j], 6)}" if seen else f"{name}: not yet computed"
                if known_delta(l, j):
                    sub = f"∂L/∂a = {fmt(row['dL_da'][j], digits)}<br>δ = {fmt(row['dL_dz'][j], digits)}"
                    hov += f"<br>∂L/∂a = {fmt(row['dL_da'][j], 6)}<br>δ = ∂L/∂z = {fmt(row['dL_dz'][j], 6)}"
                current = cur_j == j and cur_l == l and phase in ("forward", "backward")
            inside.append(fmt(value, digits) if value is not None else "?")
            below.append(sub)
            hover.append(hov)
            fills.append(_hex(diverging_rgb(0.45 * (value or 0.0), vmax)) if value is not None else "white")
            outline.append("#111" if current else "#666")
            width.append(6 if current else 1.5)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=inside, hovertext=hover, hoverinfo="text",
                             name="neurons", showlegend=False, textfont={"size": FONT, "color": "#111"},
                             marker={"size": NODE_SIZE, "color": fills, "line": {"color": outline, "width": width}}))
    fig.add_trace(go.Scatter(x=xs, y=[y + 0.3 for y in ys], mode="text", text=above,
                             hoverinfo="skip", showlegend=False, textfont={"size": FONT + 2, "color": "#111"}))
    fig.add_trace(go.Scatter(x=xs, y=[y - 0.25 for y in ys], mode="text", text=below, hoverinfo="skip",
                             textposition="bottom center", showlegend=False,
                             textfont={"size": FONT - 2, "color": "#333"}))
    tallest = max(sizes)
    fig.update_layout(height=int(150 + 125 * tallest), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="white", paper_bgcolor="white", dragmode=False,
                      xaxis={"visible": False, "range": [-0.3, L + 0.45], "fixedrange": True},
                      yaxis={"visible": False, "range": [-tallest / 2 - 0.75, tallest / 2 + 0.2], "fixedrange": True})
    return fig


def _target_text(spec, tr, j, phase):
    """What the output neuron is compared with: its target y, or (cross-entropy) its softmax probability."""
    if phase == "forward":
        return ""
    if spec["loss"] == "cross_entropy":
        return f"  p={fmt(tr['probs'][j], 3)}" + (" ★" if j == int(tr["target"][0]) else "")
    return f"  y={fmt(tr['target'][j], 4)}"


# --- formulas with the numbers ------------------------------------------------------------------
def _act_formula(name, z, a, digits, me):
    zs, zp = fmt(z, digits), _p(z, digits)
    return {"sigmoid": rf"\sigma({zs}) = \frac{{1}}{{1 + e^{{-{zp}}}}}",
            "tanh": rf"\tanh({zs})",
            "relu": rf"\max(0,\ {zs})",
            "leaky_relu": rf"\mathrm{{LeakyReLU}}({zs}) = " + (zs if z > 0 else rf"0.01 \cdot {zp}"),
            "identity": rf"z_{{{me}}}\ \text{{(identity)}}"}[name] + f" = {fmt(a, digits)}"


def _deriv_formula(name, z, a, fprime, digits, me):
    """f'(z) of this neuron: the rule, then the numbers."""
    fa = fmt(a, digits)
    zs = fmt(z, digits)
    sym, num = {"sigmoid": (r"a(1 - a)", rf"{fa}\,(1 - {fa})"),
                "tanh": (r"1 - a^2", rf"1 - {_p(a, digits)}^2"),
                "relu": (r"[\,z > 0\,]", rf"[\,{zs} > 0\,]"),
                "leaky_relu": (r"1 \text{ if } z > 0 \text{ else } 0.01", rf"z = {zs}:\ "),
                "identity": ("1", None)}[name]
    lhs = f"f'(z_{{{me}}})"
    if num is None:
        return f"{lhs} = 1"
    if name == "leaky_relu":
        return rf"{lhs} = {sym};\ \ {num} f'(z_{{{me}}}) = {fmt(fprime, digits)}"
    return _aligned(lhs, sym, f"{num} = {fmt(fprime, digits)}")


def forward_latex(spec, rec, l, j, digits=6):
    """z = Σ w·a + b and a = f(z) for neuron j of dense layer l, with the numbers."""
    row, sizes = rec["trace"]["layers"][l], spec["sizes"]
    me = node_name(sizes, l + 1, j)
    terms = [f"{weight_name(spec, l, i, j)}\\,{act_name(sizes, l, i)}" for i in range(sizes[l])]
    nums = [f"{_p(row['W'][i][j], digits)} \\cdot {_p(row['a_prev'][i], digits)}" for i in range(sizes[l])]
    per = 3 if len(sizes) <= 3 else 2    # names with layer numbers are longer
    z_line = _aligned(f"z_{{{me}}}", _sum(terms + [bias_name(spec, l, j)], per),
                      _sum(nums + [_p(row["b"][j], digits)], 2) + f" = {fmt(row['z'][j], digits)}")
    a_line = f"a_{{{me}}} = " + _act_formula(row["activation"], row["z"][j], row["a"][j], digits, me)
    return [z_line, a_line]


def loss_latex(spec, rec, digits=6):
    """The loss with the numbers (and, for cross-entropy, the softmax first)."""
    tr, sizes = rec["trace"], spec["sizes"]
    out, y, L = tr["output"], tr["target"], len(sizes) - 1
    M = len(out)
    if spec["loss"] == "mse":
        terms = " + ".join(f"({fmt(a, digits)} - {_p(t, digits)})^2" for a, t in zip(out, y))
        lines = [rf"L = \frac{{1}}{{M}} \sum_{{k=1}}^{{{M}}} (a_{{o_k}} - y_k)^2",
                 rf"L = \frac{{1}}{{{M}}}\bigl[{terms}\bigr] = {fmt(tr['loss'], digits)}"]
    elif spec["loss"] == "bce":
        terms = " + ".join(rf"{_p(t, digits)} \log {fmt(a, digits)} + (1 - {_p(t, digits)}) \log(1 - {fmt(a, digits)})"
                           for a, t in zip(out, y))
        lines = [rf"L = -\frac{{1}}{{M}} \sum_{{k=1}}^{{{M}}} \bigl[y_k \log a_{{o_k}} + (1 - y_k) \log(1 - a_{{o_k}})\bigr]",
                 rf"L = -\frac{{1}}{{{M}}}\bigl[{terms}\bigr] = {fmt(tr['loss'], digits)}"]
    else:
        c = int(y[0])
        exps = " + ".join(f"e^{{{fmt(z, digits)}}}" for z in out)
        probs = ",\\ ".join(f"p_{{{k + 1}}} = {fmt(p, digits)}" for k, p in enumerate(tr["probs"]))
        lines = [rf"p_k = \mathrm{{softmax}}(z)_k = \frac{{e^{{z_{{o_k}}}}}}{{{exps}}}: \quad {probs}",
                 rf"L = -\log p_{{y}} = -\log p_{{{c + 1}}} = -\log {fmt(tr['probs'][c], digits)} = {fmt(tr['loss'], digits)}"]
    return lines


def backward_latex(spec, rec, l, j, digits=6):
    """δ = ∂L/∂z of neuron j of dense layer l as a chain-rule product, then the gradients of its incoming
    weights and bias."""
    tr, sizes = rec["trace"], spec["sizes"]
    rows, L = tr["layers"], len(sizes) - 1
    row = rows[l]
    me = node_name(sizes, l + 1, j)
    a, z, fp, da, delta = row["a"][j], row["z"][j], row["fprime"][j], row["dL_da"][j], row["dL_dz"][j]
    lines = []
    if l == L - 1 and spec["loss"] == "cross_entropy":
        is_y = int(j == int(tr["target"][0]))
        lines.append(rf"\delta_{{{me}}} = \frac{{\partial L}}{{\partial z_{{{me}}}}} = p_{{{j + 1}}} - [\,{j + 1} = y\,]"
                     rf" = {fmt(tr['probs'][j], digits)} - {is_y} = {fmt(delta, digits)}"
                     r"\quad\text{(softmax and cross-entropy together)}")
    else:
        if l == L - 1:
            M, y = len(tr["output"]), tr["target"][j]
            if spec["loss"] == "mse":
                sym, num = r"\frac{2}{M}(a - y)", rf"\frac{{2}}{{{M}}}({fmt(a, digits)} - {_p(y, digits)})"
            else:
                sym = r"\frac{1}{M}\frac{a - y}{a(1 - a)}"
                num = (rf"\frac{{1}}{{{M}}}\frac{{{fmt(a, digits)} - {_p(y, digits)}}}"
                       rf"{{{fmt(a, digits)}\,(1 - {fmt(a, digits)})}}")
        else:
            nxt = rows[l + 1]
            sym = _sum([rf"{weight_name(spec, l + 1, j, k)}\,\delta_{{{node_name(sizes, l + 2, k)}}}"
                        for k in range(sizes[l + 2])], 3 if len(sizes) <= 3 else 2)
            num = _sum([rf"{_p(nxt['W'][j][k], digits)} \cdot {_p(nxt['dL_dz'][k], digits)}"
                        for k in range(sizes[l + 2])])
        lhs = rf"\frac{{\partial L}}{{\partial a_{{{me}}}}}"
        lines.append(_aligned(lhs, sym, f"{num} = {fmt(da, digits)}"))
        lines.append(_deriv_formula(row["activation"], z, a, fp, digits, me))
        lines.append(_aligned(rf"\delta_{{{me}}} = \frac{{\partial L}}{{\partial z_{{{me}}}}}",
                              rf"\frac{{\partial L}}{{\partial a_{{{me}}}}} \cdot f'(z_{{{me}}})",
                              rf"{_p(da, digits)} \cdot {_p(fp, digits)} = {fmt(delta, digits)}"))
    for i in range(sizes[l]):
        w = weight_name(spec, l, i, j)
        lines.append(_aligned(rf"\frac{{\partial L}}{{\partial {w}}}", rf"\delta_{{{me}}} \cdot {act_name(sizes, l, i)}",
                              rf"{_p(delta, digits)} \cdot {_p(row['a_prev'][i], digits)} = {fmt(row['dL_dW'][i][j], digits)}"))
    lines.append(rf"\frac{{\partial L}}{{\partial {bias_name(spec, l, j)}}} = \delta_{{{me}}} = {fmt(row['dL_db'][j], digits)}")
    return lines


def update_latex(spec, rec, l, digits=6):
    """The update rule for the first weight and the first bias of dense layer l, with the numbers (for a bias
    that the spec keeps fixed: what it would become)."""
    row, new, eta = rec["trace"]["layers"][l], rec["after"], spec["lr"]
    w, b = weight_name(spec, l, 0, 0), bias_name(spec, l, 0)
    bias_new = rec["after" if spec["update_biases"] else "after_other_biases"]["b"][l][0]
    return [_aligned(f"{w}^{{\\text{{new}}}}", rf"{w} - \eta\,\frac{{\partial L}}{{\partial {w}}}",
                     rf"{fmt(row['W'][0][0], digits)} - {fmt(eta, digits)} \cdot {_p(row['dL_dW'][0][0], digits)}"
                     rf" = {fmt(new['W'][l][0][0], digits)}"),
            _aligned(f"{b}^{{\\text{{new}}}}", rf"{b} - \eta\,\frac{{\partial L}}{{\partial {b}}}",
                     rf"{fmt(row['b'][0], digits)} - {fmt(eta, digits)} \cdot {_p(row['dL_db'][0], digits)}"
                     rf" = {fmt(bias_new, digits)}" + ("" if spec["update_biases"] else r"\ \text{(not applied)}"))]


def update_rows(spec, rec, l):
    """Rows {"parameter", "old", "gradient", "new"} for every weight and bias of dense layer l."""
    row, new = rec["trace"]["layers"][l], rec["after"]
    sizes, out = spec["sizes"], []
    for j in range(sizes[l + 1]):
        for i in range(sizes[l]):
            out.append({"parameter": _plain(weight_name(spec, l, i, j, html=True)), "old": row["W"][i][j],
                        "gradient": row["dL_dW"][i][j], "new": new["W"][l][i][j]})
        out.append({"parameter": _plain(bias_name(spec, l, j, html=True)), "old": row["b"][j],
                    "gradient": row["dL_db"][j], "new": new["b"][l][j]})
    return out


def _plain(html):
    """HTML sub/superscripts as plain text, for tables."""
    for tag in ("<sub>", "</sub>", "<sup>", "</sup>"):
        html = html.replace(tag, "")
    return html


def gradcheck_rows(spec, rows):
    """The gradient-check rows with readable parameter names, in the update table's order."""
    rows = sorted(rows, key=lambda r: (r["layer"], r["j"], r["kind"] == "b", r["i"] or 0))
    return [{"parameter": _plain(weight_name(spec, r["layer"], r["i"], r["j"], html=True) if r["kind"] == "W"
                                 else bias_name(spec, r["layer"], r["j"], html=True)),
             "backprop": r["backprop"], "finite difference": r["numeric"], "relative error": r["rel_error"],
             "|difference|": r["abs_error"]}
            for r in rows]


# --- the computation graph of one neuron and the loss curve --------------------------------------
def graph_figure(spec, rec, l, j, graph, digits=4):
    """An autograd-style graph (value and gradient on every node) for neuron j of dense layer l."""
    sizes = spec["sizes"]
    n_in = sizes[l]
    me = node_name(sizes, l + 1, j, html=True)
    place, label = {}, {}
    for i in range(n_in):
        place[f"a{i}"] = (0.0, -2 * i)
        place[f"w{i}"] = (0.0, -2 * i - 1)
        place[f"m{i}"] = (1.0, -2 * i - 0.5)
        label[f"a{i}"] = node_name(sizes, l, i, html=True) if l == 0 else f"a {node_name(sizes, l, i, html=True)}"
        label[f"w{i}"] = weight_name(spec, l, i, j, html=True)
        label[f"m{i}"] = "×"
    mid = -(2 * n_in - 1) / 2
    place.update({"b": (1.0, -2 * n_in), "z": (2.0, mid), "a": (3.0, mid), "L": (4.0, mid)})
    label.update({"b": bias_name(spec, l, j, html=True), "z": f"+  z {me}", "a": f"{graph['nodes'][-2]['op']}  a {me}",
                  "L": "loss L" if graph["last_layer"] else "… → loss L"})
    fig = go.Figure()
    for src, dst in graph["edges"]:
        (x0, y0), (x1, y1) = place[src], place[dst]
        fig.add_annotation(x=x1 - 0.36, y=y1, ax=x0 + 0.36, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowwidth=1.5, arrowcolor="#777", text="")
    for node in graph["nodes"]:
        x, y = place[node["id"]]
        edge = BLUE if node["grad"] > 0 else ORANGE if node["grad"] < 0 else "#999"
        grad = f"grad {fmt(node['grad'], digits)}"
        if node.get("total") is not None:    # an activation feeding several neurons: this path's share, and all
            grad = f"grad via {me} {fmt(node['grad'], digits)}<br>total ∂L/∂a {fmt(node['total'], digits)}"
        fig.add_annotation(x=x, y=y, xref="x", yref="y", showarrow=False, align="center",
                           text=f"<b>{label[node['id']]}</b><br>value {fmt(node['value'], digits)}<br>{grad}",
                           font={"size": FONT - 1, "color": "#111"}, bgcolor="white", bordercolor=edge,
                           borderwidth=2, borderpad=5)
    rows = max(2 * n_in + 1, 3)
    fig.update_layout(height=int(60 + 88 * rows), margin={"l": 5, "r": 5, "t": 5, "b": 5}, plot_bgcolor="white",
                      xaxis={"visible": False, "range": [-0.5, 4.5], "fixedrange": True},
                      yaxis={"visible": False, "range": [-2 * n_in - 0.6, 0.6], "fixedrange": True})
    return fig


def loss_curve_figure(losses):
    """The loss on this sample after each training step (step 0 = before any)."""
    fig = go.Figure(go.Scatter(x=list(range(len(losses))), y=losses, mode="lines+markers" if len(losses) < 60 else "lines",
                               line={"color": BLUE, "width": 3}, name="loss",
                               hovertemplate="step %{x}<br>loss %{y:.6g}<extra></extra>"))
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font={"size": FONT - 2},
                      xaxis_title="training step", yaxis_title="loss L", plot_bgcolor="white")
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero")
    return fig
