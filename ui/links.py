"""Share links, on every lesson: a lesson's settings live in the URL through Streamlit's own widget binding.

Every setting widget is created with ``**links.kw(key, group)``: ``bind="query-params"`` (the key is the URL
parameter's name), ``persist_state="session"`` (the setting is still there after a visit to another lesson) and,
when a teacher's link hides the widget's group, ``disabled=True``. Streamlit drops an invalid bound value
silently (and clamps an out-of-range number); ``finish()`` tells the learner, as plain text, which of the link's
parameters were ignored or changed. What the binding cannot express lives here too: the classroom parameter
``classroom`` (the groups of controls a teacher's link hides, named as the playground has always named it)
and the copy-link button.

A page calls ``start(page, groups)`` first, creates its widgets with ``kw``/``place``, and calls ``finish()`` last.
"""
import math

import streamlit as st

HIDE = "classroom"                 # the classroom parameter: comma-separated groups of controls to hide
NOT_SETTINGS = {"embed", "embed_options",   # Streamlit's own parameters
                "present"}                  # the whole app's presenter mode (ui/layout.py), not a lesson's


def _this_page():
    return st.session_state.setdefault("_links_page", {})


def start(page, groups):
    """Open a lesson's link handling. ``groups``: {group name: what the learner calls those controls}.

    On the first run of this lesson in a browser session the link's raw parameters are kept, to compare with
    what the widgets made of them in ``finish()``. Returns the set of hidden groups."""
    seen = st.session_state.setdefault("_links_seen", set())
    pending = st.session_state.setdefault("_links_raw", {})     # kept until finish() has reported on it
    if page not in seen:
        seen.add(page)
        pending[page] = {name: st.query_params.get_all(name) for name in st.query_params}
    raw = pending.get(page, {})
    names = [part.strip() for value in st.query_params.get_all(HIDE) for part in value.split(",") if part.strip()]
    hidden = {n for n in names if n in groups}
    ctx = {"page": page, "groups": dict(groups), "raw": raw, "hidden": hidden,
           "bad_hide": [n[:40] for n in names if n not in groups] if raw else [], "bound": {}, "owned": set(),
           "top": st.container()}
    st.session_state["_links_page"] = ctx
    if hidden:
        with ctx["top"]:
            st.caption("Classroom link: your teacher has fixed some settings (" +
                       ", ".join(groups[g] for g in sorted(hidden)) + ").")
            ctx["sink"] = st.expander("Settings fixed by your teacher", icon=":material/lock:")
    return hidden


def hidden(group):
    return group in _this_page().get("hidden", ())


def kw(key, group=None, fmt=None):
    """Keyword arguments for a setting widget: bound to the URL parameter ``key``, kept for the session,
    disabled when a classroom link hides its group; ``fmt`` is passed as its format_func (the URL holds the
    formatted option, so the link check needs it too)."""
    ctx = _this_page()
    ctx.setdefault("bound", {})[key] = fmt
    out = {"key": key, "bind": "query-params", "persist_state": "session", "disabled": hidden(group)}
    return dict(out, format_func=fmt) if fmt else out


def int_input(where, label, lo, hi, value, key, group=None, **more):
    """``where.number_input`` of whole numbers, bound like ``kw``. Streamlit 1.67 raises OverflowError while
    seeding a bound integer input from an infinite link value (``1e999``): then this learner's input is
    drawn unbound for the session (its default) in a fresh run, and the parameter is reported as ignored."""
    unbindable = st.session_state.setdefault("_links_unbindable", set())
    args = dict(kw(key, group), **more)
    if key not in unbindable:
        try:
            return where.number_input(label, lo, hi, value, **args)
        except OverflowError:
            unbindable.add(key)
            st.rerun()                     # the failed call has taken the key: draw it again in a fresh run
    _this_page()["bound"].pop(key, None)
    _this_page().setdefault("broken", set()).add(key)
    return where.number_input(label, lo, hi, value, **dict(args, bind=None))


def tabs(labels, key):
    """``st.tabs`` whose open tab is in the URL (tabs take no persist_state: their choice is kept by the URL)."""
    _this_page().setdefault("bound", {})[key] = None
    _this_page().setdefault("tab_labels", {})[key] = list(labels)     # their labels are the URL's values
    return st.tabs(labels, key=key, bind="query-params")


def place(group, container):
    """Where a group's widgets go: ``container``, or, when the classroom link hides the group, a collapsed
    box of locked settings at the top of the page (the widget still exists, so its URL parameter stays)."""
    ctx = _this_page()
    return ctx["sink"] if group in ctx.get("hidden", ()) else container


def own(*names):
    """Parameters the page reads itself (not bound to a widget): not reported as unknown."""
    _this_page().setdefault("owned", set()).update(names)


def raw(name):
    """The link's text for a parameter the page reads itself, on the lesson's first run in this browser session
    (later runs: None — the page's own state has taken over)."""
    values = _this_page().get("raw", {}).get(name)
    return values[-1] if values else None


def alias(names):
    """{parameter: the older name a link gave it}: the notice names a refused parameter as the link wrote it."""
    _this_page().setdefault("aliases", {}).update(names)


def note(text):
    """A sentence for the share box: what the link does not carry."""
    _this_page().setdefault("notes", []).append(text)


def reject(name, why):
    """Report a parameter the page read itself and could not use: ``why`` ends the notice's sentence."""
    _this_page().setdefault("rejected", []).append((name[:40], why))


def _same(raw, value, fmt):
    """Does the URL's text ``raw`` mean the widget's ``value``?"""
    if isinstance(value, (list, tuple)):
        return isinstance(raw, list) and len(raw) == len(value) and all(
            _same(r, v, fmt) for r, v in zip(raw, value))
    if isinstance(raw, list):
        raw = raw[-1] if len(raw) == 1 else None
    if raw is None:
        return False
    texts = {str(value)} | ({str(fmt(value))} if fmt else set())
    if raw in texts or (isinstance(value, bool) and raw.lower() == str(value).lower()):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return math.isclose(float(raw), float(value), rel_tol=1e-9, abs_tol=1e-12)
        except ValueError:
            return False
    return False


def ignored():
    """[(parameter, what happened)] for this run's link: unknown names, invalid values, clamped values."""
    ctx = _this_page()
    out = [(HIDE, f"“{name}” is not a group of controls of this lesson") for name in ctx.get("bad_hide", ())]
    out += ctx.get("rejected", [])
    named = ctx.get("aliases", {})
    for name, values in ctx.get("raw", {}).items():
        if name == HIDE or name.lower() in NOT_SETTINGS or name in ctx.get("owned", ()):
            continue
        raw = values if len(values) != 1 else values[0]
        if name in ctx.get("broken", ()):
            out.append((name, "has a value this setting cannot take; the default is used instead"))
            continue
        if name not in ctx.get("bound", {}):
            out.append((name[:40], "is not a setting of this lesson (or not used with these settings)"))
            continue
        value = st.session_state.get(name)
        fmt = ctx["bound"][name]
        if _same(raw, value, fmt):
            continue
        shown = fmt(value) if fmt and not isinstance(value, (list, tuple)) else value
        if name in st.query_params:
            out.append((name, f"was out of range; {shown} is used instead"))
        else:
            out.append((name, f"has a value this setting cannot take; {shown} is used instead"))
    return [(f"{named[name]} ({name})" if name in named else name, what) for name, what in out]


def finish(box=None, note=None):
    """Report the link's ignored parameters (as text, at the top of the page), and show the share box (in
    ``box``, a container; the page's end by default): the copy-link button and the teacher's choice of
    controls to hide (unless the group "classroom" is itself hidden); ``note``: what the link does not carry."""
    ctx = _this_page()
    problems = ignored()
    st.session_state.get("_links_raw", {}).pop(ctx.get("page"), None)
    if problems:
        with ctx["top"]:
            st.warning("Some of this link's settings were ignored:", icon=":material/link_off:")
            lines = [f"• {name} {what}" for name, what in problems[:12]]
            st.text("\n".join(lines + ([f"• … and {len(problems) - 12} more"] if len(problems) > 12 else [])))
    groups = ctx.get("groups", {})
    with (box or st.container()).expander("Share this lesson (copy link, classroom)", icon=":material/share:"):
        chosen = sorted(ctx.get("hidden", ())) if HIDE in ctx.get("hidden", ()) else []
        if groups and not chosen:
            chosen = st.multiselect("For a class exercise, hide these controls", list(groups),
                                    default=sorted(ctx.get("hidden", ())), format_func=groups.get,
                                    key=f"_links_hide_{ctx.get('page')}",
                                    help="The link then opens with these settings fixed as they are now.")
        copy_link(",".join(chosen))
        st.caption("The link holds this lesson's current settings (only those that differ from the defaults); "
                   "opened on any computer, it rebuilds the same experiment.")
        for line in ([note] if note else []) + ctx.get("notes", []):
            st.caption(line)
    return problems


def stop():
    """``st.stop()`` for a page that cannot go on (a refused text, a kernel that does not fit): the link's
    report and the share box first, so an ignored parameter is still named."""
    finish()
    st.stop()


_COPY_JS = """
export default function(component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector("input");
  const button = parentElement.querySelector("button");
  const name = (data && data.param) || "classroom";
  const link = () => {       // the address bar, which Streamlit keeps in step with the bound widgets
    const url = new URL(window.location.href);
    url.searchParams.delete(name);
    if (data && data.hide) url.searchParams.set(name, data.hide);
    return url.toString();
  };
  const refresh = () => { if (document.activeElement !== box) box.value = link(); };
  refresh();
  const timer = setInterval(refresh, 500);
  button.onclick = async () => {
    box.value = link();
    let done = false;
    try { await navigator.clipboard.writeText(box.value); done = true; } catch (e) { done = false; }
    if (!done) { box.select(); try { done = document.execCommand("copy"); } catch (e) { done = false; } }
    button.textContent = done ? "Copied ✓" : "Select the link and copy it";
    setTimeout(() => { button.textContent = "Copy link"; }, 2000);
  };
  return () => clearInterval(timer);
}
"""
_COPY_HTML = ('<div class="row"><button type="button">Copy link</button>'
              '<input type="text" readonly aria-label="Link to this lesson with its settings"></div>')
_COPY_CSS = """
.row { display: flex; gap: 0.5rem; align-items: center; font-family: var(--st-font); }
button { border: 1px solid var(--st-border-color); border-radius: 0.5rem; padding: 0.3rem 0.8rem;
         background: var(--st-secondary-background-color); color: var(--st-text-color); cursor: pointer;
         white-space: nowrap; font: inherit; }
input { flex: 1; min-width: 0; padding: 0.3rem 0.5rem; border: 1px solid var(--st-border-color);
        border-radius: 0.5rem; color: var(--st-text-color); background: var(--st-background-color); font: inherit; }
"""
_copy_component = st.components.v2.component("nnlab_copy_link", html=_COPY_HTML, css=_COPY_CSS, js=_COPY_JS)


def copy_link(hide="", param=HIDE, key=None):
    """A "Copy link" button and the link itself: the browser's own address (which Streamlit keeps in step
    with the bound widgets), with the classroom parameter ``param`` set to ``hide``."""
    _copy_component(data={"hide": hide, "param": param}, key=key or f"_links_copy_{_this_page().get('page')}")
