"""Seed-text hazards: each is either handled with exact offsets or rejected with one line."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from akhbar.dataset import text as tx
from akhbar.dataset.convert import convert, segment
from akhbar.dataset.validate import validate_paths

CLEAN = ("ضربات جوية لأهداف داعش في البوكمال\n\n"
         "توجه القوات الروسية ضربات لأهداف التنظيم. ويتزامن ذلك مع إعلان مصادر روسية.\n"
         "الأحد 2017/11/05\n"
         "محطة أولى نحو البوكمال\n\n"
         "دمشق - واصلت القوات الروسية ضرباتها الجوية على بعد 3.5 كيلومتر، وقال المتحدث “نتوقع ذلك”.\n\n"
         "وأكدت وزارة الدفاع أن الطائرات عادت إلى قاعدة حميميم.\n")
INVISIBLES = "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff\u00ad"


def _exact(a) -> None:
    """Every stored span equals the text at its offsets; no token is blank or invisible."""
    for items in (a.segments, a.sentences, a.tokens):
        for x in items:
            assert a.text[x.start:x.end] == x.text
    for t in a.tokens:
        assert not all(tx.is_blank(c) for c in t.text), repr(t.text)
        assert not tx.is_blank(t.text[0]) and not tx.is_blank(t.text[-1]), repr(t.text)
    for x in (*a.segments, *a.sentences):
        assert not tx.is_blank(x.text[0]) and not tx.is_blank(x.text[-1]), repr(x.text)


def _visible(s: str) -> str:
    return "".join(c for c in s if c not in INVISIBLES)


def _shape(a, normal=lambda s: s) -> tuple:
    return ([s.role for s in a.segments], [normal(s.text) for s in a.sentences], [normal(t.text) for t in a.tokens],
            a.published, a.dateline)


def test_clean_reference():
    a = convert(CLEAN, "x", "seeds/x.txt")
    _exact(a)
    assert [s.role for s in a.segments] == ["title", "subtitle", "date", "caption", "dateline", "paragraph", "paragraph"]
    assert a.published == "2017-11-05" and a.dateline == "دمشق"


@pytest.mark.parametrize("name, hazard", [
    ("bom", lambda s: "\ufeff" + s),
    ("crlf", lambda s: s.replace("\n", "\r\n")),
    ("lone-cr", lambda s: s.replace("\n", "\r")),
    ("trailing-spaces-and-tabs", lambda s: s.replace("\n", " \t\n")),
])
def test_line_hazards_are_handled(name, hazard):
    text = hazard(CLEAN)
    a = convert(text, "x", "seeds/x.txt")
    _exact(a)
    assert a.text == text  # stored verbatim
    assert _shape(a) == _shape(convert(CLEAN, "x", "seeds/x.txt"))


def test_bom_offsets_count_the_bom():
    a = convert("\ufeff" + CLEAN, "x", "seeds/x.txt")
    assert a.segments[0].start == 1 and a.tokens[0].start == 1


def test_nfd_text_keeps_marks_inside_words():
    text = unicodedata.normalize("NFD", CLEAN + "مقهى café résumé أُسْرة\n")
    assert text != unicodedata.normalize("NFC", text)
    a, b = convert(text, "x", "seeds/x.txt"), convert(unicodedata.normalize("NFC", text), "x", "seeds/x.txt")
    _exact(a)
    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731
    assert _shape(a, nfc) == _shape(b)
    assert "cafe\u0301" in [t.text for t in a.tokens]


def test_invisible_format_characters_are_skipped_or_kept_inside_words():
    # ZWNJ inside words, RLM at the ends of lines (also after the final full stop), LRE/PDF around a
    # number, a zero-width space between words, an isolate around a name, a BOM in the middle.
    text = (CLEAN.replace("القوات", "القو\u200cات").replace(".\n", ".\u200f\n").replace("3.5", "\u202a3.5\u202c")
            .replace("مع إعلان", "مع\u200b إعلان").replace("حميميم", "\u2067حميميم\u2069").replace("الأحد", "\u200fالأحد")
            .replace("دمشق -", "\u200eدمشق -").replace("التنظيم", "التن\ufeffظيم"))
    a = convert(text, "x", "seeds/x.txt")
    _exact(a)
    assert _shape(a, _visible) == _shape(convert(CLEAN, "x", "seeds/x.txt"))
    assert "القو\u200cات" in [t.text for t in a.tokens]  # a joiner between letters stays in the word
    assert a.published == "2017-11-05" and a.dateline == "دمشق"


@pytest.mark.parametrize("ch", list(INVISIBLES))
def test_every_invisible_character_alone_on_a_line_or_between_words(ch):
    text = f"{ch}عنوان{ch} الخبر{ch}\n{ch}\nفقرة {ch} أولى.{ch}\n"
    a = convert(text, "x", "seeds/x.txt")
    _exact(a)
    assert [s.role for s in a.segments] == ["title", "paragraph"]
    assert [_visible(t.text) for t in a.tokens] == ["عنوان", "الخبر", "فقرة", "أولى", "."]


def test_tatweel_stays_inside_the_word():
    a = convert("عنوان\n\nالـــدولة الإسلامــية أعلنت ذلك.\n", "x", "seeds/x.txt")
    _exact(a)
    assert [t.text for t in a.tokens][1:4] == ["الـــدولة", "الإسلامــية", "أعلنت"]


def test_arabic_indic_digits():
    text = "عنوان\nالأحد ٢٠١٧/١١/٠٥\n\nدمشق - بلغ النمو ٣٫٥ بالمئة و٣.٥ بالمئة و١٬٥٠٠ شخص. ثم انتهى.\n"
    a = convert(text, "x", "seeds/x.txt")
    _exact(a)
    assert a.published == "2017-11-05" and a.dateline == "دمشق"
    toks = [t.text for t in a.tokens]
    assert "٣٫٥" in toks and "و٣.٥" in toks and "و١٬٥٠٠" in toks
    assert [s.text for s in a.sentences][-2:] == ["بلغ النمو ٣٫٥ بالمئة و٣.٥ بالمئة و١٬٥٠٠ شخص.", "ثم انتهى."]


# --- a file that is not UTF-8: rejected with one line everywhere --------------------------


@pytest.fixture
def cp1256_repo(repo_copy: Path) -> Path:
    """A repository whose only seed is saved in Windows-1256 (Arabic), not UTF-8."""
    for f in (repo_copy / "seeds").glob("*.txt"):
        f.unlink()
    (repo_copy / "seeds" / "manifest.json").unlink(missing_ok=True)
    (repo_copy / "seeds" / "bad.txt").write_bytes(CLEAN.encode("cp1256"))
    return repo_copy


def _one_line(r: subprocess.CompletedProcess, code: int = 2) -> str:
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_not_utf8_convert_and_manifest_refuse_with_one_line(cp1256_repo):
    seed = cp1256_repo / "seeds" / "bad.txt"
    r = subprocess.run([sys.executable, "-m", "akhbar", "convert", str(seed)], capture_output=True, text=True)
    assert "not valid UTF-8" in _one_line(r) and str(seed) in r.stderr
    r = subprocess.run([sys.executable, "-m", "akhbar", "manifest", "--root", str(cp1256_repo)], capture_output=True, text=True)
    assert "not valid UTF-8" in _one_line(r)
    assert not (cp1256_repo / "seeds" / "manifest.json").exists()


def test_not_utf8_validate_reports_an_incident(cp1256_repo):
    # a manifest written by hand for the non-UTF-8 seed (its hash is right: the bytes are what they are)
    import hashlib

    data = (cp1256_repo / "seeds" / "bad.txt").read_bytes()
    entry = {"id": "bad", "file": "seeds/bad.txt", "sha256": hashlib.sha256(data).hexdigest(), "language": "ar",
             "published": None, "dateline": None, "publisher": None, "url": None, "rights": "r", "split": "test"}
    (cp1256_repo / "seeds" / "manifest.json").write_text(json.dumps({"schema_version": "1.0", "articles": [entry]}), encoding="utf-8")
    incidents, _, _ = validate_paths(cp1256_repo, [])
    assert {i.code for i in incidents} == {"json"}  # the manifest check and the seed's own structure check
    assert ("seeds/manifest.json", "/articles/0/file") == (incidents[0].file, incidents[0].pointer)
    assert "not UTF-8" in incidents[0].message
    r = subprocess.run([sys.executable, "-m", "akhbar", "build", "--root", str(cp1256_repo)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "[json]" in r.stderr


def test_hazardous_seed_goes_through_manifest_validate_and_build(repo_copy):
    """BOM + CRLF + RLM before the dateline: `akhbar manifest`, validate and build all accept it."""
    text = ("\ufeff" + CLEAN).replace("\n", "\r\n").replace("دمشق -", "\u200fدمشق -")
    _, published, dateline = segment(text)
    assert (published, dateline) == ("2017-11-05", "دمشق")
    for f in (repo_copy / "seeds").glob("*"):
        f.unlink()
    (repo_copy / "seeds" / "hazard.txt").write_bytes(text.encode("utf-8"))
    for cmd in ("manifest", "validate", "build"):
        r = subprocess.run([sys.executable, "-m", "akhbar", cmd, "--root", str(repo_copy)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    entry = json.loads((repo_copy / "seeds" / "manifest.json").read_text(encoding="utf-8"))["articles"][0]
    assert (entry["published"], entry["dateline"]) == ("2017-11-05", "دمشق")
