r"""The recurrent-network lesson's run as code (see ``lessons.export``): an RNN and a Dense read-out
trained with truncated backpropagation through time, exactly as ``lessons.rnn.SeqTrainer`` trains them —
the same sequences, the same initial weights, the same random batches, one update per chunk of T steps,
the hidden state carried from chunk to chunk with the gradient stopped at each chunk's start.
"""
from nn_core import sequences

from .codegen import (NN_CORE_OPTIMIZERS, TORCH_HEAD, TORCH_OPTIMIZERS, UNPACK, Code, data_intro, intro_of,
                      kind_label, needs_unpack, optimizer_settings, source_of, title_of, weights_literal)

UPDATE_PLOT = '''%matplotlib inline
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(history["update"], history["loss"], label="training loss (one chunk per update)")
ax.set_xlabel("update")
ax.set_ylabel("loss")
ax.legend()
plt.show()
'''

BATCH_FN = '''

def get_batch(rng, size):
    """A batch of training sequences drawn as the lab draws them."""
    idx = rng.integers(0, len(X), size=size)
    return X[idx], Y[idx]
'''


def _data(task, flavor):
    """(markdown, code) of a task's data: X_val, Y_val and get_batch(rng, size)."""
    torch = flavor == "torch"
    if task.name == "forecast":
        md = (f"{task.n} windows of {'a sine' if task.kind == 'sine' else 'a sum of two sines'} ({task.length} steps "
              "each, every window its own frequency and phase); the target at each step is the next value.")
        src = source_of(sequences.sine_windows) + "\n\n" if torch else ""
        code = (src + f"X, Y = sine_windows({task.n}, {task.length}, kind={task.kind!r}, seed={task.seed})\n"
                f"X_val, Y_val = sine_windows(64, {task.length}, kind={task.kind!r}, seed={task.seed + 1})\n" + BATCH_FN)
        return md, code
    if task.name == "echo":
        md = (f"{task.n} sequences of {task.length} random symbols (one-hot, {task.n_symbols} symbols); the target at "
              f"step t is the symbol seen at t − {task.k} (0 before that).")
        src = source_of(sequences.echo_task) + "\n\n" if torch else ""
        code = (src + f"K_DELAY = {task.k}\n"
                f"X, Y = echo_task({task.n}, {task.length}, K_DELAY, {task.n_symbols}, seed={task.seed})\n"
                f"X_val, Y_val = echo_task(128, {task.length}, K_DELAY, {task.n_symbols}, seed={task.seed + 1})\n"
                + BATCH_FN)
        return md, code
    md = (f"{'Five of Shakespeare' + chr(39) + 's sonnets' if task.bundled else 'Your own text'} ({len(task.text):,} "
          f"characters, {task.vocab.size} different ones); the target at each step is the next character, in "
          f"windows of {task.length} characters; the last {task.n_val:,} characters are held out for validation.")
    text = f"TEXT = {task.text!r}\n" if (torch or not task.bundled) else "TEXT = load_text()   # the bundled sonnets\n"
    src = source_of(sequences.CharVocab, sequences.char_batches) + "\n\n" if torch else ""
    code = (src + text + f"""vocab = CharVocab(TEXT)
ids = vocab.encode(TEXT)
N_VAL = {task.n_val}   # the text's last characters: validation only, never trained on
train_ids, val_ids = ids[:-N_VAL], ids[-N_VAL:]
LENGTH, VAL_LENGTH = {task.length}, {task.val_length}
val_x, Y_val = char_batches(val_ids, 32, VAL_LENGTH, np.random.default_rng({task.seed + 1}))
X_val = vocab.one_hot(val_x)


def get_batch(rng, size):
    \"\"\"A batch of windows of the training text, drawn as the lab draws them: one-hot inputs, next-character ids.\"\"\"
    x, y = char_batches(train_ids, size, LENGTH, rng)
    return vocab.one_hot(x), y
""")
    return md, code


def _evaluate(task, flavor):
    """Code that sets val_loss and val_acc (None for the wave) from the trained model."""
    if flavor == "torch":
        out = "    out = readout(rnn(torch.tensor(X_val))[0])\n"
        if task.name == "forecast":
            return "with torch.no_grad():\n" + out + "    val_loss, val_acc = loss_fn(out, torch.tensor(Y_val)).item(), None\n"
        cut = "[:, K_DELAY:]" if task.name == "echo" else ""
        return ("with torch.no_grad():\n" + out + f"    logits, target = out{cut}, torch.tensor(Y_val{cut})\n"
                "    val_loss = chunk_loss(logits, target).item()\n"
                "    val_acc = float((logits.argmax(dim=-1) == target).double().mean())\n")
    if task.name == "forecast":
        return "val_loss, val_acc = MSE().forward(model.forward(X_val), Y_val), None\n"
    cut = "[:, K_DELAY:]" if task.name == "echo" else ""
    return (f"logits, target = model.forward(X_val){cut}, Y_val{cut}\n"
            "val_loss = CrossEntropy().forward(logits, target)\n"
            "val_acc = float(np.mean(logits.argmax(-1) == target))\n")


def rnn_code(trainer, flavor, batches=None):
    """A ``lessons.rnn.SeqTrainer``'s run from its initial weights for ``batches`` batches (default: the
    batches it has trained) as a ``Code``."""
    task = trainer.task
    batches = len(trainer.history["batch_step"]) if batches is None else int(batches)
    kind, opt = optimizer_settings(trainer.optimizer)
    rnn_layer = trainer.model.layers[0]
    D, H, K = rnn_layer.input_size, rnn_layer.hidden_size, trainer.model.layers[1].out_features
    mse = task.name == "forecast"
    data_md, data = _data(task, flavor)
    initial = weights_literal(trainer.initial_weights)
    clip = trainer.clip or None
    torch = flavor == "torch"
    if torch:
        model = f'''rnn = nn.RNN({D}, {H}, batch_first=True)   # h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh)
readout = nn.Linear({H}, {K})

{initial}
with torch.no_grad():                       # the lab's W_x (D, H) and W_h (H, H) are PyTorch's W_ih, W_hh transposed
    rnn.weight_ih_l0.copy_(torch.tensor(INITIAL[0]["Wx"]).T)
    rnn.weight_hh_l0.copy_(torch.tensor(INITIAL[0]["Wh"]).T)
    rnn.bias_ih_l0.copy_(torch.tensor(INITIAL[0]["b"]))
    rnn.bias_hh_l0.zero_()                  # the lab's cell has one bias b: PyTorch's second one stays 0
    readout.weight.copy_(torch.tensor(INITIAL[1]["W"]).T)
    readout.bias.copy_(torch.tensor(INITIAL[1]["b"]))
rnn.bias_hh_l0.requires_grad_(False)
parameters = [p for p in (*rnn.parameters(), *readout.parameters()) if p.requires_grad]
'''
        loss = ("loss_fn = nn.MSELoss()\n\n\ndef chunk_loss(out, target):\n    return loss_fn(out, target)\n" if mse else
                f"loss_fn = nn.CrossEntropyLoss()\n\n\ndef chunk_loss(logits, target):\n"
                f"    \"\"\"Cross-entropy averaged over every sequence and step.\"\"\"\n"
                f"    return loss_fn(logits.reshape(-1, {K}), target.reshape(-1))\n")
        loss += f"\n\noptimizer = {TORCH_OPTIMIZERS[kind].format(params='parameters', **opt)}\n"
        step = f'''        hs, h = rnn(x[:, start:start + T], h)
        h = h.detach()                      # carry the state on, stop the gradient (truncated BPTT)
        loss = chunk_loss(readout(hs), y[:, start:start + T])
        optimizer.zero_grad()
        loss.backward()
{"        torch.nn.utils.clip_grad_norm_(parameters, CLIP)" + chr(10) if clip else ""}        optimizer.step()
        history["update"].append(len(history["update"]) + 1)
        history["loss"].append(loss.item())
'''
        to_tensor = "    x, y = torch.tensor(x), torch.tensor(y)\n"
        head = TORCH_HEAD
    else:
        model = f'''model = Sequential([RNN({D}, {H}), Dense({H}, {K})])
rnn, readout = model.layers

{initial}
for layer, w in zip(model.layers, INITIAL, strict=True):
    for name, value in w.items():
        layer.params[name][...] = value         # start from the lab's weights
'''
        loss = (f"loss_fn = {'MSE' if mse else 'CrossEntropy'}()\n"
                f"optimizer = {NN_CORE_OPTIMIZERS[kind].format(**opt)}\n")
        step = f'''        hs = rnn.forward(x[:, start:start + T], h)
        loss = loss_fn.forward(readout.forward(hs), y[:, start:start + T])
        h = hs[:, -1].copy()                # carry the state on; backward stops at the chunk's start
        rnn.backward(readout.backward(loss_fn.backward()))
{"        clip_grad_norm(model, CLIP)" + chr(10) if clip else ""}        optimizer.step(model)
        history["update"].append(len(history["update"]) + 1)
        history["loss"].append(loss)
'''
        to_tensor = ""
        imports = {"sine_windows"} if task.name == "forecast" else {"echo_task"} if task.name == "echo" else \
            {"CharVocab", "char_batches"} | ({"load_text"} if task.bundled else set())
        head = (f"import numpy as np\n\nfrom nn_core import {', '.join(sorted({'Dense', 'RNN', 'Sequential', 'MSE', 'CrossEntropy', type(getattr(trainer.optimizer, 'inner', trainer.optimizer)).__name__}))}\n"
                f"{'from nn_core.optimizers import clip_grad_norm' + chr(10) if clip else ''}"
                f"from nn_core.sequences import {', '.join(sorted(imports))}\n")
    train = f'''BATCHES = {batches}         # the batches you trained in the lab
BATCH_SIZE = {trainer.batch_size}
T = {trainer.seq_len}                  # chunk length: the gradient flows back at most T steps
CLIP = {clip!r}
PRINT_EVERY = max(1, BATCHES // 50)
rng = np.random.default_rng({trainer.seed})     # the lab draws the batches with this generator

history = {{"update": [], "loss": []}}
for batch in range(1, BATCHES + 1):
    x, y = get_batch(rng, BATCH_SIZE)
{to_tensor}    h = None
    for start in range(0, x.shape[1], T):   # one update per chunk of T steps
{step}    if batch % PRINT_EVERY == 0 or batch == BATCHES:
        print(f"batch {{batch:5d}}  update {{len(history['loss']):6d}}  training loss {{history['loss'][-1]:.8f}}")

{_evaluate(task, flavor)}print(f"validation loss: {{val_loss:.8f}}")
if val_acc is not None:
    print(f"final validation accuracy: {{val_acc:.1%}}")
'''
    body = data + model + loss + train
    head = head + ("\n" + UNPACK if needs_unpack(body) else "")
    what = {"forecast": "continue a wave", "echo": f"echo the symbol from {getattr(task, 'k', 0)} steps back",
            "chars": "write text one character at a time"}[task.name]
    sections = (("The data", f"{data_md} Made {data_intro(flavor)}.", head + "\n\n" + data),
                ("The model", f"An RNN with {H} hidden units (tanh) and a Dense read-out at every step, starting "
                 "from the very weights the lab drew, embedded below.", model),
                ("Loss and optimizer", f"{'Mean squared error' if mse else 'Cross-entropy over every step'}; "
                 f"{kind_label(kind)}" + (f"; gradients clipped to a global norm of {clip:g}." if clip else "."), loss),
                ("Training", f"{batches} batches of {trainer.batch_size} sequences, each cut into chunks of "
                 f"{trainer.seq_len} steps: one update per chunk, the hidden state carried on, the gradient stopped at "
                 "each chunk's start (truncated backpropagation through time).", train))
    intro = intro_of(f"the RNN you trained to {what}", "sequences", "as it trains and the final validation result",
                     flavor, f"rnn_{flavor}")
    return Code(title_of("Recurrent network", flavor), intro, sections, UPDATE_PLOT, flavor, f"rnn_{flavor}")
