"""The recurrent-network lesson's engine part: tasks, the truncated-BPTT trainer, clipping and divergence,
spectral radius, step numbers, gradient norms through time, free-running forecasts and sampling."""
import math

import numpy as np
import pytest

try:   # tiny matrix products run far faster on one BLAS thread, above all on a busy machine
    from threadpoolctl import threadpool_limits
except ImportError:                                     # optional: the tests are only slower without it
    threadpool_limits = None

from lessons.rnn import (CharTask, EchoTask, ForecastTask, SeqTrainer, echo_sweep, free_run, hidden_states,
                                last_step_grad_norms, make_model, make_task, sample, set_spectral_radius,
                                step_numbers)


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    if threadpool_limits is None:
        yield
    else:
        with threadpool_limits(limits=1, user_api="blas"):
            yield


def test_spectral_radius_is_set_exactly():
    for radius in (0.5, 1.0, 2.5):
        model = make_model(ForecastTask(), 16, seed=3, radius=radius)
        eig = np.linalg.eigvals(model.layers[0].params["Wh"])
        assert np.max(np.abs(eig)) == pytest.approx(radius, rel=1e-10)
    rnn = make_model(ForecastTask(), 8, seed=0).layers[0]
    before = rnn.params["Wh"].copy()
    set_spectral_radius(rnn, 2.0)
    ratio = rnn.params["Wh"] / before                  # one common factor: the direction of W_h is kept
    assert np.allclose(ratio, ratio.flat[0])


def test_step_numbers_match_a_hand_loop():
    task = EchoTask(k=2)
    model = make_model(task, 6, seed=1)
    x, _ = task.probe()
    Wx, Wh, b = (model.layers[0].params[k] for k in ("Wx", "Wh", "b"))
    b[...] = np.random.default_rng(0).normal(size=6)     # a bias that is not zero, as after training
    h = np.zeros(6)
    for t in range(4):                                  # h_1 … h_4 by hand
        h_prev, h = h, np.tanh(x[t] @ Wx + h @ Wh + b)
    num = step_numbers(model, x, 3, units=4)
    assert np.allclose(num["h_prev"], h_prev[:4]) and np.allclose(num["h"], h[:4])
    assert np.allclose(num["xWx"] + num["hWh"] + num["b"], num["z"])
    assert np.allclose(num["h"], num["h_engine"])      # the shown arithmetic is the forward pass's
    first = step_numbers(model, x, 0, units=4)
    assert np.all(first["h_prev"] == 0)                # h_0 = 0


def test_last_step_grad_norms_equal_finite_differences():
    """‖∂L_T/∂h_t‖: rerun the rest of the sequence from a nudged h_t and difference the last step's loss."""
    task = ForecastTask()
    model = make_model(task, 5, seed=2, radius=1.5)
    x, y = task.probe()
    x, y = x[:8], y[:8]
    norms = last_step_grad_norms(model, task.make_loss(), x, y)
    hs = hidden_states(model, x)
    rnn, dense = model.layers

    def last_loss(h_t, t):
        rest = rnn.forward(x[None, t + 1:], h_t[None])
        return float(((dense.forward(rest[:, -1]) - y[-1]) ** 2).mean())

    eps = 1e-6
    for t in range(len(x) - 1):
        g = [(last_loss(hs[t] + eps * e, t) - last_loss(hs[t] - eps * e, t)) / (2 * eps) for e in np.eye(5)]
        assert norms[t] == pytest.approx(np.linalg.norm(g), rel=1e-5)


def test_vanishing_and_exploding_follow_the_spectral_radius():
    task = ForecastTask()
    x, y = task.probe()
    small = last_step_grad_norms(make_model(task, 32, radius=0.5), task.make_loss(), x[:30], y[:30])
    large = last_step_grad_norms(make_model(task, 32, radius=3.0), task.make_loss(), x[:30], y[:30])
    assert small[0] < 1e-6 * small[-1]                  # vanishes towards the start
    assert large[0] > 10 * large[-1]                    # explodes towards the start


def test_trainer_cuts_the_stream_into_chunks_of_T():
    task = ForecastTask(length=64)
    trainer = SeqTrainer(task, make_model(task, 8), seq_len=10)
    assert trainer.train_batch() == 7                   # ceil(64 / 10) updates
    assert len(trainer.grad_norms) == 10                # ‖∂L/∂h_t‖ over one chunk of T steps
    assert trainer.history["step"] == list(range(1, 8)) and len(trainer.history["grad_norm"]) == 7
    assert trainer.history["batch_loss"] == [pytest.approx(np.mean(trainer.history["loss"]))]


def test_echo_learns_k2_and_fails_at_large_k():
    accs = {}
    for k in (2, 20):
        task = EchoTask(k=k, seed=0)
        trainer = SeqTrainer(task, make_model(task, 32, seed=0), seq_len=24, lr=0.01, seed=0)
        trainer.run_for(math.inf, max_updates=400)
        accs[k] = trainer.history["val_acc"][-1]
    assert accs[2] > 0.95, accs
    assert accs[20] < 0.4, accs                         # near chance, 1/4


def test_echo_sweep_returns_one_accuracy_per_k():
    res = echo_sweep([1, 3], hidden_size=8, seq_len=8, updates=20)
    assert set(res) == {1, 3} and all(0 <= a <= 1 for a in res.values())


def test_character_model_beats_the_uniform_guess_on_the_bundled_text():
    task = CharTask()
    trainer = SeqTrainer(task, make_model(task, 64, seed=0), seq_len=25, lr=0.01, seed=0)
    assert trainer.history["val_loss"][0] == pytest.approx(task.uniform_loss, rel=0.05)
    trainer.run_for(math.inf, max_updates=300)
    # On held-out text (the last tenth of the sonnets, never trained on): clearly better than guessing. The
    # 0.55 this test once asked for was measured on windows of the training text itself, i.e. recitation.
    assert trainer.history["val_loss"][-1] < 0.85 * math.log(task.vocab.size)


def test_too_short_or_single_character_text_is_refused_in_words():
    with pytest.raises(ValueError, match="at least"):
        CharTask("")
    with pytest.raises(ValueError, match="at least"):
        CharTask("too short")
    with pytest.raises(ValueError, match="single character"):
        CharTask("a" * 50)
    with pytest.raises(ValueError, match="between 1"):
        EchoTask(k=48)


def test_huge_learning_rate_is_caught_explained_and_recoverable():
    task = ForecastTask()
    trainer = SeqTrainer(task, make_model(task, 16), optimizer="sgd", lr=10.0)
    before = trainer.model.get_weights()
    trainer.run_for(math.inf, max_updates=50)
    assert trainer.stopped and "learning rate 10" in trainer.stopped and "clipping" in trainer.stopped
    for w0, w1 in zip(before, trainer.model.get_weights()):    # put back: the weights from before the burst
        for k in w0:
            assert np.array_equal(w0[k], w1[k])
    assert trainer.run_for(1.0) == 0                    # refuses to go on until resumed
    trainer.set_hyper(lr=0.01)
    trainer.resume()
    assert trainer.run_for(math.inf, max_updates=20) >= 20 and trainer.stopped is None
    assert all(np.isfinite(trainer.history["loss"]))


def test_clipping_tames_exploding_gradients():
    stopped = {}
    for clip in (None, 1.0):
        task = ForecastTask()
        trainer = SeqTrainer(task, make_model(task, 32, seed=0, radius=2.0), optimizer="sgd", lr=0.3, clip=clip)
        trainer.run_for(math.inf, max_updates=150)
        stopped[clip] = trainer.stopped
    assert stopped[None] is not None and stopped[1.0] is None


def test_set_hyper_keeps_weights_and_swaps_optimizer():
    task = ForecastTask()
    trainer = SeqTrainer(task, make_model(task, 8), optimizer="adam", lr=0.01)
    trainer.train_batch()
    w = trainer.model.get_weights()
    trainer.set_hyper(lr=0.1, clip=0.5, seq_len=5, optimizer="rmsprop")
    assert type(trainer.optimizer).__name__ == "RMSprop" and trainer.lr == 0.1
    assert trainer.clip == 0.5 and trainer.seq_len == 5
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(w, trainer.model.get_weights()) for k in a)


def test_free_run_feeds_its_own_predictions_after_the_warm_up():
    task = ForecastTask()
    model = make_model(task, 8, seed=0)
    x, _ = task.probe()
    teacher, free = free_run(model, x, warm=len(x))
    assert np.allclose(teacher, free)                   # never left alone: the same as fed the truth
    teacher, free = free_run(model, x, warm=5)
    assert np.allclose(teacher[:5], free[:5]) and not np.allclose(teacher[5:], free[5:])
    rnn, dense = model.layers                           # step 6 reads prediction 5, by hand
    h = np.zeros((1, 8))
    for t in range(5):
        h = rnn.step(x[t:t + 1], h)
    h = rnn.step(np.array([[free[4]]]), h)
    assert dense.forward(h)[0, 0] == pytest.approx(free[5])


def test_sample_draws_from_the_softmax_at_temperature():
    task = make_task("chars")
    model = make_model(task, 16, seed=0)
    text, probs = sample(model, task.vocab, 30, 0.5, np.random.default_rng(1), "Shall ")
    assert len(text) == 30 and probs.shape == (30, task.vocab.size)
    assert np.allclose(probs.sum(axis=1), 1)
    again, _ = sample(model, task.vocab, 30, 0.5, np.random.default_rng(1), "Shall ")
    assert again == text                                # the passed generator makes it reproducible
    rnn, dense = model.layers                           # the first distribution by hand
    h = np.zeros((1, 16))
    for c in "Shall ":
        h = rnn.step(task.vocab.one_hot(task.vocab.encode(c)), h)
    z = dense.forward(h)[0] / 0.5
    assert np.allclose(probs[0], np.exp(z - z.max()) / np.exp(z - z.max()).sum())
    cold, cold_p = sample(model, task.vocab, 20, 1e-3, np.random.default_rng(2), "Shall ")
    assert [task.vocab.chars[i] for i in cold_p.argmax(1)] == list(cold)   # τ → 0: always the likeliest
    with pytest.raises(ValueError):
        sample(model, task.vocab, 5, 0.0, np.random.default_rng(0), "S")


@pytest.mark.parametrize("text", [None, "the quick brown fox jumps over the lazy dog; " * 6])
def test_validation_text_is_held_out_from_training(text):
    from lessons.rnn import CharTask
    task = CharTask(text=text, seed=0)
    ids = task.ids
    split = len(ids) - task.n_val
    assert task.n_val >= 2 and np.array_equal(np.concatenate([task.train_ids, task.val_ids]), ids)
    train_text, val_text = task.vocab.decode(ids[:split]), task.vocab.decode(ids[split:])
    # every validation window (and its next-character targets) lies in the held-out end of the text
    for x, y in zip(task.val_x, task.val_y):
        window = task.vocab.decode(np.append(x, y[-1]))
        assert window in val_text
    if text is None:   # long windows of the held-out sonnets never occur in what is trained on
        assert all(task.vocab.decode(x) not in train_text for x in task.val_x)
    rng = np.random.default_rng(0)
    for _ in range(20):    # training batches only ever read the first part
        x, y = task.batch(rng, 8)
        for row, target in zip(x.argmax(-1), y):
            assert task.vocab.decode(np.append(row, target[-1])) in train_text


def test_step_numbers_read_out_is_the_models_output():
    task = EchoTask(k=2)
    model = make_model(task, 6, seed=1)
    x, _ = task.probe()
    assert np.allclose(step_numbers(model, x, 3)["y"], model.forward(x[None])[0, 3])
