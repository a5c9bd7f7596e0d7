"""Every file uploader in the app, fed wrong-type, corrupt, empty and oversized files after a good one:
never an exception, a clear message, and the learner's state kept (everything the good upload gave them —
every array reachable from the session state — is still there after the bad one).

Uploaders are found by running each page (AppTest renders every tab and expander); what to feed an uploader
follows from the types it accepts: images (png/jpg), points (csv/txt), models (npz). An uploader accepting
something else fails the test until a case is added here. The browser's own file dialog only offers allowed
extensions, so bad content arrives under an allowed name — as here.
"""
import hashlib
import io
import pathlib
import sys
import zipfile

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import PAGES  # noqa: E402
from test_fuzz import _forge, _install_forged_states  # noqa: E402

MB = 1024 * 1024


def png(size=(32, 24), colour=(200, 30, 30), fmt="PNG"):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()


def good_csv():
    rng = np.random.default_rng(0)
    X = rng.uniform(-5, 5, (60, 2))
    return "\n".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}" for a, b in X).encode()


def good_npz():
    """A model file as the playground saves it (its default network on its default data)."""
    import lessons.playground as pg
    setup = pg.DEFAULT_SETUP
    data = pg.make_data(setup, None, None)
    buf = io.BytesIO()
    pg.make_model(setup, data["task"], data["classes"]).save(buf)
    return buf.getvalue()


def cases(ext):
    """(good file, {name of the bad case: bytes}) for an uploader accepting extension ``ext``."""
    if ext in ("png", "jpg", "jpeg"):
        good = png(fmt="PNG" if ext == "png" else "JPEG")
        return good, {
            "text named as image": b"x1,x2,label\n1,2,0\n",
            "corrupt (truncated)": good[: len(good) // 2],
            "random bytes": np.random.default_rng(1).bytes(5000),
            "empty": b"",
            "oversized": good + b"\0" * (6 * MB),
            "GIF named as PNG": png(fmt="GIF"),
            "decompression bomb": png(size=(12000, 12000), colour=(0, 0, 0)),
        }
    if ext in ("csv", "txt"):
        return good_csv(), {
            "image named as CSV": png(),
            "random bytes": np.random.default_rng(1).bytes(5000),
            "empty": b"",
            "header only": b"x1,x2,label\n",
            "wrong columns": b"1,2\n3,4\n",
            "words": b"a,b,c\nd,e,f\n",
            "NaN and inf": b"1,2,0\nnan,1,1\ninf,2,0\n",
            "one class": b"1,2,0\n2,3,0\n3,4,0\n",
            "latin-1 text": "é,ü,1\n".encode("latin-1"),
            "oversized": b"1.0,2.0,1\n" * (6 * MB // 10),
        }
    if ext == "npz":
        good = good_npz()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("W.npy", b"not an array")
        return good, {
            "image named as model": png(),
            "corrupt (truncated)": good[: len(good) // 2],
            "zip without a model": buf.getvalue(),
            "empty": b"",
            "oversized": good + b"\0" * (6 * MB),
        }
    raise AssertionError(f"no upload cases for .{ext} files: add them to tests/test_uploads.py")


def reveal(at, steps):
    """Choose the options that show an uploader: steps = [(widget kind, label, formatted option)]."""
    for kind, label, option in steps:
        w = next(w for w in getattr(at, kind) if w.label == label)
        _forge(w, string_value=option)
        at.run()
    return at


def uploaders():
    """(page, label, accepted extensions, steps to show it) for every uploader of every page: those shown at
    defaults and those that appear when a radio or selectbox option mentioning "upload" is chosen."""
    _install_forged_states()
    found = {}
    for path in PAGES:
        at = AppTest.from_file(path, default_timeout=60).run()
        routes = [[]] + [[(kind, w.label, o)] for kind in ("radio", "selectbox") for w in getattr(at, kind)
                         for o in w.options if "upload" in o.lower()]
        for steps in routes:
            shown = reveal(AppTest.from_file(path, default_timeout=60).run(), steps) if steps else at
            for up in shown.get("file_uploader"):
                found.setdefault((path, up.label), (path, up.label, [t.lstrip(".").lower() for t in up.allowed_type],
                                                    steps))
    return list(found.values())


UPLOADERS = uploaders()


def fingerprints(at):
    """Hashes of every array reachable from the session state (through containers and object attributes)."""
    seen, out = set(), set()

    def walk(v, depth):
        if id(v) in seen or depth > 6:
            return
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            if v.dtype != object and v.size:
                out.add(hashlib.sha1(np.ascontiguousarray(v).tobytes() + str(v.shape).encode()).hexdigest())
        elif isinstance(v, dict):
            for x in v.values():
                walk(x, depth + 1)
        elif isinstance(v, (list, tuple)):
            for x in v[:2000]:
                walk(x, depth + 1)
        elif hasattr(v, "__dict__") and type(v).__module__.split(".")[0] in ("nn_core", "pages", "__main__"):
            for x in vars(v).values():
                walk(x, depth + 1)

    for key in at.session_state:
        walk(at.session_state[key], 0)
    return out


def messages(at):
    return [str(x.value) for kind in ("error", "warning") for x in getattr(at, kind)]


def uploader(at, label):
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    found = [u for u in at.get("file_uploader") if u.label == label]
    assert found, f"the uploader {label!r} is gone from the page"
    return found[0]


def test_every_uploader_is_covered():
    """The pages do offer uploads (images on the CNN page, points on the playground)."""
    exts = {e for _, _, types, _ in UPLOADERS for e in types}
    assert {"png", "csv"} <= exts, UPLOADERS


@pytest.mark.parametrize("path,label,types,steps", UPLOADERS,
                         ids=[f"{p.rsplit('/', 1)[-1]}-{'/'.join(types)}-{label[:24]}" for p, label, types, _ in UPLOADERS])
def test_bad_uploads_get_a_message_and_keep_state(path, label, types, steps):
    ext = types[0] if types else "csv"
    good, bad = cases(ext)
    at = reveal(AppTest.from_file(path, default_timeout=60).run(), steps)
    uploader(at, label).set_value((f"good.{ext}", good, "application/octet-stream"))
    at.run()
    assert not at.exception, [str(e.value)[:300] for e in at.exception]
    assert not [m for m in at.error], f"a good .{ext} file was refused: {[m.value for m in at.error]}"
    at.run()                                                   # settle (a page may rerun after an upload)
    kept = fingerprints(at)
    assert kept, "the good upload left nothing in the session state"
    failures = []
    for name, content in bad.items():
        before = set(messages(at))
        uploader(at, label).set_value((f"bad-{name.replace(' ', '_')}.{ext}", content, "application/octet-stream"))
        at.run()
        if at.exception:
            failures.append(f"{name}: exception {[str(e.value)[:200] for e in at.exception]}")
            at = reveal(AppTest.from_file(path, default_timeout=60).run(), steps)
            continue
        new = [m for m in messages(at) if m not in before] or messages(at)
        if not new:
            failures.append(f"{name}: no message on the page")
        lost = kept - fingerprints(at)
        if lost:
            failures.append(f"{name}: {len(lost)} of the learner's arrays were lost (state not kept)")
    assert not failures, f"{path} uploader {label!r}:\n" + "\n".join(failures)


def test_state_check_can_fail(tmp_path):
    """A page that throws away its data on a bad upload is caught by the state check."""
    page = tmp_path / "forgetful.py"
    page.write_text(
        "import numpy as np, streamlit as st\n"
        "up = st.file_uploader('CSV file', type=['csv'])\n"
        "if up is not None:\n"
        "    try:\n"
        "        st.session_state.data = np.loadtxt(up, delimiter=',', ndmin=2)\n"
        "    except Exception as e:\n"
        "        st.session_state.data = None\n"
        "        st.error(f'bad file: {e}')\n")
    with pytest.raises(AssertionError, match="state not kept"):
        test_bad_uploads_get_a_message_and_keep_state(str(page), "CSV file", ["csv"], [])
