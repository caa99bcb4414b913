"""Programme builder (physiotherapists): a routine from the catalogue's exercises and saved threshold
profiles, with sets, reps or holds, per side, rest and a progression over the weeks. Checked with
the programme reader (the same messages as ``formcheck validate``), then downloaded as one file
for the patient (who imports it on the Coach page) or saved to this computer's programmes."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from formcheck.errors import FormcheckError
from formcheck.programmes import PROGRAMMES_DIR, dump_programme, parse_programme, save_programme, unique_id
from formcheck.programmes.schema import Programme
from formcheck.rules.profiles import list_profiles
from formcheck.rules.schema import Rule
from formcheck.ui import common
from formcheck.ui.common import guarded

ITEMS_KEY = "builder_items"
OTHER = "__other__"
#: One progression line: ``3-4: 10 reps``, ``5+: 12 reps, hold 10 s``, ``2: hold 20 s``.
STEP_LINE = re.compile(r"\s*(?:weeks?\s*)?(?P<weeks>\d+\s*(?:-\s*\d+|\+)?)\s*:\s*(?P<dose>.+?)\s*")
REPS = re.compile(r"(\d+)\s*reps?")
HOLD = re.compile(r"(?:hold\s*)?(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b")
STEP_HELP = "one line per step, e.g. “1-2: 5 reps”, “3-4: 10 reps”, “5+: 12 reps, hold 10 s” or “3+: hold 30 s”"


def parse_steps(text: str) -> list[dict[str, Any]]:
    """Progression lines → the file's steps (``{weeks: "1-2", reps: 5}``).

    Raises:
        FormcheckError: a line that does not read as weeks and a dose (which line, and how to write it).
    """
    steps = []
    for n, line in enumerate((x for x in text.splitlines() if x.strip()), 1):
        match = STEP_LINE.fullmatch(line.lower())
        reps = REPS.search(match["dose"]) if match else None
        hold = HOLD.search(REPS.sub("", match["dose"])) if match else None
        if match is None or (reps is None and hold is None):
            raise FormcheckError(f"progression line {n} ({line.strip()!r}): write {STEP_HELP}")
        step: dict[str, Any] = {"weeks": re.sub(r"\s+", "", match["weeks"])}
        if reps:
            step["reps"] = int(reps[1])
        if hold:
            step["hold_s"] = _number(hold[1])
        steps.append(step)
    return steps


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _step_text(step: dict[str, Any]) -> str:
    dose = [f"{step['reps']} reps"] if "reps" in step else []
    dose += [f"hold {step['hold_s']:g} s"] if "hold_s" in step else []
    return f"weeks {step['weeks']}: {', '.join(dose)}"


def _dose_text(item: dict[str, Any]) -> str:
    parts = [f"{item['sets']} set{'s' if item['sets'] != 1 else ''}" + (" per side" if item.get("per_side") else "")]
    parts += [f"{item['reps']} reps"] if "reps" in item else []
    parts += [f"hold {item['hold_s']:g} s"] if "hold_s" in item else []
    parts += [f"{item['duration_s']:g} s"] if "duration_s" in item else []
    parts.append(f"rest {item.get('rest_s', 30):g} s")
    steps = "; ".join(_step_text(s) for s in item.get("progression", []))
    return ", ".join(parts) + (f" — {steps}" if steps else "")


def _prefill(rules: dict[str, Rule]) -> None:
    """Fill the dose fields with the chosen exercise's prescription (from its rule file)."""
    rule = rules.get(st.session_state.get("builder_exercise"))
    rx = rule.prescription if rule is not None else {"sets": 1, "reps": 10}
    st.session_state.update({
        "builder_sets": int(rx.get("sets", 1)), "builder_reps": int(rx.get("reps", 0)),
        "builder_hold": float(rx.get("hold_s", 0)), "builder_per_side": bool(rx.get("per_side", False)),
        "builder_duration": float(rx.get("duration_s", 0)), "builder_profile": "", "builder_progression": ""})


def _profile_choice(rule: Rule) -> str | None:
    saved = [p.name for p in list_profiles(rule.id)]
    if not saved:
        return None
    choice = st.selectbox("Threshold profile", ["", *saved], key="builder_profile",
                          format_func=lambda n: n or "Default thresholds",
                          help="Saved on the Tune page. The patient needs the same profile saved on their computer.")
    return choice or None


def _what(rules: dict[str, Rule]) -> tuple[Rule | None, dict[str, Any]]:
    """The exercise (and profile) of the new item; without a rule: its name and instructions."""
    exercise = st.selectbox("Exercise", [*rules, OTHER], key="builder_exercise", on_change=_prefill, args=(rules,),
                            format_func=lambda i: rules[i].name if i in rules else "Another exercise (no camera)")
    if "builder_sets" not in st.session_state:
        _prefill(rules)
    rule = rules.get(exercise)
    if rule is None:
        name = st.text_input("Name", key="builder_other_name", placeholder="e.g. Walking")
        instructions = st.text_area("What to do (said aloud)", key="builder_other_instructions")
        slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        item = {"exercise": slug, "name": name.strip(), "camera": False}
        return None, {**item, "instructions": instructions.strip()} if instructions.strip() else item
    profile = _profile_choice(rule)
    return rule, {"exercise": exercise, **({"profile": profile} if profile else {})}


def _dose(rule: Rule | None, item: dict[str, Any]) -> None:
    """The sets, reps, hold, rest, duration (no camera) and per-side fields, into ``item``."""
    cols = st.columns(4)
    item["sets"] = int(cols[0].number_input("Sets", 1, 10, key="builder_sets"))
    reps = int(cols[1].number_input("Reps (0: none)", 0, 100, key="builder_reps"))
    hold = cols[2].number_input("Hold s (0: none)", 0.0, 300.0, step=1.0, key="builder_hold")
    item["rest_s"] = _number(str(cols[3].number_input("Rest s", 0.0, 600.0, 30.0, step=5.0, key="builder_rest")))
    duration = st.number_input("Or a duration in seconds (0: none)", 0.0, 3600.0, step=10.0,
                               key="builder_duration") if rule is None else 0
    for key, value in (("reps", reps), ("hold_s", hold), ("duration_s", duration)):
        if value:
            item[key] = _number(str(value))
    item["per_side"] = st.checkbox("Each side (left, then right)", key="builder_per_side")


def _new_item(rules: dict[str, Rule]) -> dict[str, Any] | None:
    """The "add an exercise" fields; the new item when "Add" was pressed with a readable progression."""
    rule, item = _what(rules)
    _dose(rule, item)
    steps = st.text_area("Progression (optional)", key="builder_progression", placeholder=STEP_HELP,
                         help=f"How the dose grows over the weeks: {STEP_HELP}.")
    if not st.button("Add to the programme", key="builder_add", icon=":material/add:"):
        return None
    if not item["exercise"]:
        st.error("New exercise: give it a name with at least one letter or digit (e.g. Walking).")
        return None
    parsed = guarded(lambda: parse_steps(steps))
    if parsed is None:
        return None
    item = {**item, "progression": parsed} if parsed else item
    return item if _problems({"title": "new", "source": "new", "items": [item]}, "new.yaml", True) else None


def _problems(data: dict[str, Any], name: str, one_item: bool = False) -> Programme | None:
    """The programme read from ``data``, or None with each problem shown as one line (``items[i]`` named as
    the exercise's place in the list, or as "New exercise")."""
    try:
        return parse_programme(data, name)
    except FormcheckError as exc:
        for line in getattr(exc, "problems", None) or str(exc).splitlines():
            st.error(re.sub(r"^.*?: items\[0\][.:]?\s*", "New exercise: ", line) if one_item else
                     re.sub(r"items\[(\d+)\]", lambda m: f"exercise {int(m[1]) + 1}", line))
        return None


def _move(index: int, by: int) -> None:
    items: list = st.session_state[ITEMS_KEY]
    other = index + by
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]


def _item_list(rules: dict[str, Rule]) -> None:
    items: list[dict[str, Any]] = st.session_state.setdefault(ITEMS_KEY, [])
    if not items:
        st.info("No exercises yet: add the first one above.")
    for i, item in enumerate(items):
        text, up, down, remove = st.columns([8, 1, 1, 1], vertical_alignment="center")
        name = item.get("name") or (rules[item["exercise"]].name if item["exercise"] in rules else item["exercise"])
        profile = f" (profile “{item['profile']}”)" if item.get("profile") else ""
        camera = " · no camera checks" if item.get("camera") is False else ""
        text.markdown(f"**{i + 1}. {name}**{profile} — {_dose_text(item)}{camera}")
        up.button("↑", key=f"builder_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help="Move up")
        down.button("↓", key=f"builder_down_{i}", on_click=_move, args=(i, 1), disabled=i == len(items) - 1,
                    help="Move down")
        remove.button("✕", key=f"builder_remove_{i}", on_click=items.pop, args=(i,), help="Remove")


def programme_data() -> dict[str, Any]:
    """The programme file's data from the builder's fields (what the reader validates)."""
    data: dict[str, Any] = {"title": st.session_state.get("builder_title", "").strip(),
                            "source": st.session_state.get("builder_source", "").strip()}
    for key in ("author", "description"):
        value = st.session_state.get(f"builder_{key}", "").strip()
        if value:
            data[key] = value
    data["items"] = [dict(item) for item in st.session_state.get(ITEMS_KEY, [])]
    return data


def file_stem(title: str) -> str:
    """The programme file's name (without ``.yaml``) from its title: its id (never a shipped programme's)."""
    stem = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "programme"
    return unique_id(stem) if (PROGRAMMES_DIR / f"{stem}.yaml").is_file() else stem


def checked_programme() -> tuple[Programme, str] | None:
    """The built programme and its file text, or None with every problem shown (one line each)."""
    data = programme_data()
    programme = _problems(data, f"{file_stem(data['title'])}.yaml")
    return (programme, dump_programme(programme)) if programme is not None else None


def _save(programme: Programme) -> None:
    path = guarded(lambda: save_programme(programme))
    if path is not None:
        st.session_state["builder_message"] = f"Saved “{programme.title}” to {path}: it is on the Coach page now."


def _export() -> None:
    st.subheader("Check and export")
    built = checked_programme() if st.session_state.get(ITEMS_KEY) else None
    if built is None:
        if not st.session_state.get(ITEMS_KEY):
            st.caption("Add exercises to check and export the programme.")
        return
    programme, text = built
    st.success(f"“{programme.title}” is valid: {len(programme.items)} exercises.")
    cols = st.columns(2)
    cols[0].download_button("Download the programme file", text, file_name=f"{programme.id}.yaml",
                            mime="application/x-yaml", key="builder_download", on_click="ignore", type="primary",
                            icon=":material/download:")
    cols[1].button("Save to this computer's programmes", key="builder_save", on_click=_save, args=(programme,),
                   icon=":material/save:")
    with st.expander("The file"):
        st.code(text, language="yaml")


def render() -> None:
    """The programme builder page."""
    st.title("Programme builder")
    st.caption("For physiotherapists: build a routine, check it, and give the patient the file. They import it on "
               "the Coach page.")
    message = st.session_state.pop("builder_message", None)
    if message:
        st.success(message)
    rules = {r.id: r for r in common.load_catalogue()}
    cols = st.columns(2)
    cols[0].text_input("Title", key="builder_title", placeholder="e.g. Mrs Smith: back routine")
    cols[1].text_input("Source", key="builder_source", value="Physiotherapist's programme",
                       help="The guide or clinic the routine comes from.")
    cols[0].text_input("Author", key="builder_author")
    cols[1].text_input("Description", key="builder_description")
    st.subheader("Add an exercise")
    item = _new_item(rules)
    if item is not None:
        st.session_state.setdefault(ITEMS_KEY, []).append(item)
    st.subheader("Exercises")
    _item_list(rules)
    _export()


__all__ = ["checked_programme", "file_stem", "parse_steps", "programme_data", "render"]
