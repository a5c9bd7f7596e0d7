"""Hostile inputs, as a learner who wants to hurt the class would craft them (issue 16): every upload, text box
and link parameter of every lesson gets files and strings that are small on the wire and huge in what they
declare, or that carry Markdown and HTML. Each must be refused (or accepted) with a clear message, keep the
learner's state, and stay within the cost budget: about 300 MB and 2 s of CPU for one request.

The heavy cases run in one child process with a memory cap per case (tests/hostile_cases.py), so that a
regression fails here with a MemoryError instead of taking the shared machine down. The page cases run the
lesson scripts with AppTest and look at every element they draw: text from the learner may appear in text
and code elements and in the widgets that hold it, never in an element that renders Markdown.
"""
import io
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import hostile_cases  # noqa: E402
import hostile_files as H  # noqa: E402
from conftest import PAGES  # noqa: E402

BUDGET_MB, BUDGET_CPU_S = 300, 2.0
PAGE = {p.rsplit("/", 1)[-1].split("_", 1)[1][:-3]: p for p in PAGES}

# what each heavy case must do, and words its message must hold (a clear message names the limit)
EXPECTED = {
    "png 1x25M": ("refused", "limit is 4 million"),
    "png 1x100k line": ("refused", "times as long as it is wide"),
    "png 5000x5000 rgba": ("refused", "5,000×5,000 pixels"),
    "png 100000x100000 header": ("refused", "not an image that can be read"),
    "png 2000x2000 header, no data": ("refused", "not an image that can be read"),
    "png 2000x2000 rgba (largest accepted)": ("accepted", "grey (256, 256)"),
    "png 1100x1100 noise (heaviest accepted under 5 MB)": ("accepted", "grey (256, 256)"),
    "jpeg 8000x6000 (largest accepted)": ("accepted", "image (8, 8)"),
    "jpeg 1000x1000 noise (heaviest accepted under 5 MB)": ("accepted", "grey (256, 256)"),
    "csv labels 0 and 1e9": ("refused", "between −1000 and 1000"),
    "csv labels 0 and 1e7": ("refused", "between −1000 and 1000"),
    "csv labels 0 and 1e6": ("refused", "between −1000 and 1000"),
    "csv labels 0 and 999": ("refused", "whole numbers from 0 to 9"),
    "csv label 1e300": ("refused", "between −1000 and 1000"),
    "csv label -1": ("refused", "whole numbers from 0 to 9"),
    "csv 4.9 MB of rows": ("refused", "at most 200 KB"),
    "csv one line of 1M cells": ("refused", "at most 200 KB"),
    "csv 2000 long rows (largest accepted)": ("accepted", "2000 points"),
    "text 60000 distinct characters": ("refused", "the limit is 20,000"),
    "text 3000 distinct characters": ("refused", "3,000 different characters; the limit is 100"),
    "text beyond the length limit": ("refused", "the limit is 20,000"),
    "text at both limits (largest accepted)": ("accepted", "vocabulary of 100"),
    "npz deflate bomb 200 MB": ("refused", "the limit is 1,000,000"),
    "npz deflate bomb within the size limit": ("refused", "zip bomb"),
    "npz bzip2 member": ("refused", "np.savez never uses"),
    "npz array header declaring 80 GB": ("refused", "declares shape (100000, 100000)"),
    "npz Dense(8192, 8192)": ("refused", "needs W of shape (8192, 8192)"),
    "npz RNN(1, 1000000)": ("refused", "needs Wx of shape (1, 1000000)"),
    "npz 6x8 playground network (largest accepted)": ("accepted", "model with"),
    "npz 1 MB of weights (read, then refused by the playground)": ("refused", "41000 output(s)"),
    "npz only Tanh": ("refused", "not a playground network"),
    "npz only Flatten": ("refused", "not a playground network"),
    "npz no layers": ("refused", "not a playground network"),
}


@pytest.fixture(scope="module")
def reports():
    return hostile_cases.run_capped(list(EXPECTED) + ["control: allocates 2 GB"])


def test_every_heavy_case_is_listed():
    assert set(hostile_cases.cases()) == set(EXPECTED) | {"control: allocates 2 GB"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_heavy_input_is_handled_within_budget(reports, name):
    r, (outcome, words) = reports[name], EXPECTED[name]
    assert r["outcome"] == outcome, r
    assert words in r["message"] and len(r["message"]) < 300, r["message"]
    assert r["peak_mb"] <= BUDGET_MB and r["cpu_s"] <= BUDGET_CPU_S, r


def test_the_memory_cap_turns_a_regression_into_a_failure(reports):
    """The cap works: a case that allocates 2 GB gets a MemoryError in the child, not the machine's memory."""
    assert reports["control: allocates 2 GB"]["outcome"] == "MemoryError", reports["control: allocates 2 GB"]


# --- pages: nothing from the learner rendered as Markdown ---------------------------------------------
SAFE = {"text", "code"}                     # elements that show a string as it is
HOLDERS = {"text_input", "text_area", "file_uploader", "chat_input"}   # widgets whose value is the learner's


def leaks(at, marker=H.MARKER):
    """Types of the elements that would render ``marker`` as Markdown or HTML (labels, help, alerts, captions,
    markdown, chart specs …). A widget holding the learner's own text as its value is not a leak."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None or node.type in SAFE:
            return
        if node.type in HOLDERS:
            text = f"{getattr(proto, 'label', '')} {getattr(proto, 'help', '')} {getattr(proto, 'placeholder', '')}"
        else:
            text = str(proto)
        if marker in text:
            found.append(node.type)

    walk(at._tree)
    return found


def shown_text(at):
    return " ".join(t.value for t in at.text)


def run(at):
    at.run()
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    return at


def test_leak_check_can_fail(tmp_path):
    """A page that puts a learner's text into Markdown is caught; the same text in st.text is not."""
    page = tmp_path / "echo.py"
    page.write_text("import streamlit as st\nv = st.text_input('v', '')\nst.text(v)\nst.info(f'You typed {v}')\n")
    at = AppTest.from_file(str(page)).run()
    at.text_input[0].set_value(H.PAYLOAD).run()
    assert leaks(at) == ["info"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_markdown_in_every_link_parameter_is_never_rendered(path):
    """Every lesson, opened with a crafted link whose every known and unknown parameter carries Markdown,
    a link and an image: no exception, and none of it in an element that renders Markdown."""
    at = AppTest.from_file(path, default_timeout=60)
    run(at)
    names = set(at.query_params) | {"data", "lr", "layers", "acts", "features", "classroom", "task", "seed",
                                    "zz_unknown", H.PAYLOAD[:30]}
    at = AppTest.from_file(path, default_timeout=60)
    at.query_params.update({n: H.PAYLOAD for n in names})
    run(at)
    assert not leaks(at), leaks(at)


def rnn_own_text(text):
    at = AppTest.from_file(PAGE["rnn"], default_timeout=60)
    run(at)
    at.radio(key="rnn_task").set_value("chars")
    run(at)
    trainer = at.session_state["rnn_trainer"]
    at.button(key="rnn_step").click()
    run(at)
    steps = trainer.steps
    at.radio(key="rnn_source").set_value("own")
    run(at)
    at.text_area(key="rnn_text").set_value(text)
    run(at)
    return at, trainer, steps


@pytest.mark.parametrize("name,words", [
    ("60,000 distinct characters, 416 KB", "different characters; the limit is 100"),
    ("3,000 distinct characters", "3,000 different characters"),
])
def test_rnn_text_beyond_the_limits_keeps_the_network(name, words):
    text = H.many_distinct_characters(60_000, 416_000) if name.startswith("60") else H.many_distinct_characters(3_000, 19_000)
    at, trainer, steps = rnn_own_text(text)
    assert at.warning and words in shown_text(at), shown_text(at)
    assert at.session_state["rnn_trainer"] is trainer and trainer.steps == steps     # network and training kept
    assert len(at.text_area(key="rnn_text").value) <= 20_000                        # max_chars, on the server too
    assert "20,000" in at.text_area(key="rnn_text").help


def test_rnn_text_with_markdown_is_learned_and_never_rendered():
    text = H.PAYLOAD * 2
    at, trainer, _ = rnn_own_text(text)
    assert not at.warning and at.session_state["rnn_trainer"] is not trainer      # a fair text: accepted
    assert set(at.session_state["rnn_trainer"].task.vocab.chars) == set(text)
    at.text_input(key="rnn_prime").set_value("[x](http://evil.example)")
    at.text_input(key="rnn_seq_text").set_value("zz ![a](http://evil.example/t.png)")
    run(at)
    assert not leaks(at), leaks(at)
    at.text_input(key="rnn_prime").set_value("@#%\u00e9<b>")                         # characters it does not know
    run(at)
    assert any("does not know" in i.value for i in at.info) and "@" in shown_text(at)
    assert not leaks(at, "<b>"), leaks(at, "<b>")


def cnn_with_good_upload():
    from test_cnn_page import png, seven_picture
    at = AppTest.from_file(PAGE["cnn"], default_timeout=60)
    run(at)
    at.radio(key="cnn_src").set_value("your upload")
    run(at)
    at.file_uploader(key="cnn_upload_x").set_value(("seven.png", png(seven_picture()), "image/png"))
    run(at)
    assert not at.error
    return at


CNN_CASES = {"1x25M": (lambda: H.png_declaring(1, 25_000_000), "limit is 4 million"),
             "1x100k line": (lambda: H.png_declaring(1, 100_000, ink_row=50_000), "times as long"),
             "5000x5000 rgba": (lambda: H.png_declaring(5000, 5000, colour_type=6), "limit is 4 million")}


def test_cnn_upload_beyond_the_limits_keeps_the_picture():
    at = cnn_with_good_upload()
    kept = at.session_state["cnn_upload_x_img_good"]
    for name, (build, words) in CNN_CASES.items():
        at.file_uploader(key="cnn_upload_x").set_value((f"{H.PAYLOAD}.png", build(), "image/png"))
        run(at)
        assert len(at.error) == 1 and words in shown_text(at), name
        assert at.session_state["cnn_upload_x_img_good"] is kept, name
        assert not leaks(at), (name, leaks(at))
    assert "4 million" in at.file_uploader(key="cnn_upload_x").help


# --- properties -------------------------------------------------------------------------------------
CSV_ALPHABET = st.sampled_from(list("0123456789-.,;\t e+\n") + ["nan", "inf", "1e309", "x", "999", "-1", "\r\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CSV_ALPHABET, max_size=200).map("".join))
def test_any_csv_is_points_within_the_limits_or_a_short_message(text):
    from lessons.playground import read_points_csv
    try:
        X, y, task = read_points_csv(text.encode())
    except ValueError as e:
        assert 0 < len(str(e)) < 300
        return
    assert X.shape == (len(y), 2) and 1 <= len(y) <= 2000 and np.isfinite(X).all() and np.abs(X).max() <= 1000
    if task != "regression":
        assert set(np.unique(y)) == set(range(int(y.max()) + 1)) and y.max() <= 9


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_damaged_model_file_is_refused_in_words(data):
    """A good model file with bytes overwritten anywhere (zip headers, array headers, the architecture)."""
    import lessons.playground as pg
    from nn_core.models import ModelFileError, Sequential
    good = bytearray(pg.make_model(pg.default_setup(), "binary", 2).to_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(good) - 1))
        good[i] = data.draw(st.integers(0, 255))
    try:
        model = Sequential.load(bytes(good))
    except ModelFileError as e:
        assert len(str(e)) < 400
        return
    assert model.num_params() * 8 <= 16_000_000


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=60)))
def test_any_hidden_layers_link_gives_buildable_layers_or_a_short_reason(layers, acts):
    import lessons.playground as pg
    try:
        sizes, names = pg.parse_layers(layers, acts)
    except ValueError as e:
        assert len(str(e)) < 200
        return
    pg.check_setup({**pg.default_setup(), "layers": sizes, "acts": names})


def test_decoded_images_are_small_whatever_their_size():
    from ui.uploads import decode_image
    for data in (H.noisy_png(300, 200, "RGBA"), H.flat_jpeg(3000, 2000), H.noisy_png(40, 30, "L")):
        a = decode_image(data)
        assert max(a.shape[:2]) <= 256 and a.dtype == np.uint8
    from PIL import Image
    buf = io.BytesIO()
    Image.new("P", (600, 300), 3).save(buf, format="PNG")
    assert decode_image(buf.getvalue()).shape == (128, 256, 4)


# --- the playground's uploads and link --------------------------------------------------------------
def playground_trained():
    at = AppTest.from_file(PAGE["playground"], default_timeout=60)
    run(at)
    at.button(key="pg_step").click()
    run(at)
    tr = at.session_state["pg_trainer"]
    return at, tr, tr.epoch, tr.model.get_weights(), at.session_state["pg_data"]


def same_state(at, tr, epoch, weights, data):
    now = at.session_state["pg_trainer"]
    return (now is tr and now.epoch == epoch and at.session_state["pg_data"] is data
            and all(np.array_equal(a[k], b[k]) for a, b in zip(now.model.get_weights(), weights) for k in a))


PG_CSV = {"labels 0 and 1e9": (H.csv_labels(0, 1e9), "between −1000 and 1000"),   # (content, words)
          "label -1": (H.csv_labels(0, 1, -1), "whole numbers from 0 to 9"),
          "label 999": (H.csv_labels(0, 1, 999), "whole numbers from 0 to 9"),
          "label 1e300": (H.csv_labels(0, 1, "1e300"), "between −1000 and 1000"),
          "NaN label": (H.csv_labels(0, 1, "nan"), "NaN"),
          "Markdown in a cell": (f"1,2,0\n3,4,{H.PAYLOAD}\n".encode(), "is not a number"),
          "5 MB of rows": (b"1,2,0\n3,4,1\n" * 400_000, "at most 200 KB")}


def refusals(at, key, cases, before, mime):
    """Feed every case to the uploader ``key`` in turn (one session, as a learner would): what went wrong."""
    failures = []
    for name, (build, words) in cases.items():
        at.file_uploader(key=key).set_value((f"{H.PAYLOAD}.{key[3:]}", build() if callable(build) else build, mime))
        run(at)
        if not (at.error and words in shown_text(at)):
            failures.append(f"{name}: no clear message ({shown_text(at)[:200]!r})")
        if not same_state(at, *before):
            failures.append(f"{name}: the learner's data, network or epoch changed")
        if leaks(at):
            failures.append(f"{name}: rendered as Markdown in {leaks(at)}")
    return failures


def test_playground_csv_refused_keeps_data_model_and_epoch():
    at, *before = playground_trained()
    failures = refusals(at, "pg_csv", PG_CSV, before, "text/csv")
    assert not failures, "\n".join(failures)


PG_NPZ = {"zip bomb": (lambda: H.zip_bomb(200), "the limit is"), "Dense(8192, 8192)": (H.huge_architecture, "8192"),
          "only Tanh": (lambda: H.layerless("tanh"), "not a playground network"),
          "only Flatten": (lambda: H.layerless("flatten"), "not a playground network"),
          "no layers": (lambda: H.layerless("empty"), "not a playground network"),
          "Markdown as an array name": (lambda: H.npz({"__architecture__.npy": H.arch([]),
                                                       f"{H.PAYLOAD[:60]}.npy": np.zeros(2)}), "do not match")}


def test_playground_model_file_refused_keeps_the_network():
    at, *before = playground_trained()
    failures = refusals(at, "pg_npz", PG_NPZ, before, "application/octet-stream")
    assert not failures, "\n".join(failures)
    assert "6 hidden layers" in at.file_uploader(key="pg_npz").help and "2000 rows" in at.file_uploader(key="pg_csv").help


def test_playground_good_model_file_named_with_markdown_is_loaded_without_echo():
    at, tr, *_ = playground_trained()
    good = tr.model.to_bytes()
    at.file_uploader(key="pg_npz").set_value((f"{H.PAYLOAD}.npz", good, "application/octet-stream"))
    run(at)
    assert not at.error and at.session_state["pg_trainer"] is not tr
    assert not leaks(at), leaks(at)


def test_playground_link_notice_names_every_ignored_parameter_as_text():
    at = AppTest.from_file(PAGE["playground"], default_timeout=60)
    at.query_params.update({"pg_lr": H.PAYLOAD, "zz_unknown": "1", "pg_ds": "nothing", "pg_layers": H.PAYLOAD})
    run(at)
    shown = " ".join(t.value for t in at.text)                  # the notice: text elements, never Markdown
    for name in ("pg_lr", "zz_unknown", "pg_ds", "pg_layers"):
        assert f"• {name} " in shown, (name, shown)
    assert "evil.example/login" not in shown_text(at)           # the hostile value is never echoed in full
    assert at.warning and not leaks(at), leaks(at)
