from __future__ import annotations

from akhbar.dataset.convert import convert
from akhbar.dataset import text as tx

from conftest import SEED_ID


def _article(seed_text):
    return convert(seed_text, SEED_ID, f"seeds/{SEED_ID}.txt")


def test_segment_roles(seed_text):
    a = _article(seed_text)
    roles = [s.role for s in a.segments]
    assert roles[:6] == ["title", "subtitle", "date", "caption", "dateline", "paragraph"]
    assert roles[-1] == "artifact" and a.segments[-1].text == "3"
    assert roles.count("caption") == 2
    caption = [s for s in a.segments if s.role == "caption"][1]
    assert caption.text.startswith("قاذفات روسية من طراز توبوليف")
    assert a.segments[0].text == "ضربات جوية روسية لأهداف داعش في البوكمال"
    assert a.segments[4].text == "دمشق -"


def test_date_and_dateline(seed_text):
    a = _article(seed_text)
    assert a.published == "2017-11-05"
    assert a.dateline == "دمشق"
    assert tx.parse_date_line("الأحد 2017/11/05") == "2017-11-05"
    assert tx.parse_date_line("الأحد ٢٠١٧/١١/٠٥") == "2017-11-05"
    assert tx.parse_date_line("الأحد 2017/13/05") is None
    assert tx.parse_date_line("محطة أولى نحو البوكمال") is None


def test_artifact_excluded_from_sentences_and_tokens(seed_text):
    a = _article(seed_text)
    artifact = a.segments[-1]
    assert all(s.end <= artifact.start for s in a.sentences)
    assert all(t.end <= artifact.start for t in a.tokens)
    assert a.text == seed_text  # verbatim


def test_token_offsets_round_trip(seed_text):
    a = _article(seed_text)
    assert a.tokens and all(seed_text[t.start:t.end] == t.text for t in a.tokens)
    for s in a.sentences:
        assert seed_text[s.start:s.end] == s.text
        toks = a.tokens[s.token_start:s.token_end]
        assert toks[0].start == s.start and toks[-1].end == s.end
    # every non-space character outside artifacts is in exactly one token
    covered = {i for t in a.tokens for i in range(t.start, t.end)}
    for seg in a.segments:
        if seg.role != "artifact":
            assert all(seed_text[i].isspace() or i in covered for i in range(seg.start, seg.end))


def test_tokenizer_policy():
    def toks(s):
        return [m.group() for m in tx.token_matches(s, 0, len(s))]

    assert toks("لتنظيم الدولة الإسلامية،") == ["لتنظيم", "الدولة", "الإسلامية", "،"]
    assert toks("“تو-22” و‘كولبينو’") == ["“", "تو-22", "”", "و", "‘", "كولبينو", "’"]
    assert toks("توبوليف 22إم3 (أبك).") == ["توبوليف", "22إم3", "(", "أبك", ")", "."]
    assert toks("بلغت 3.5 بالمئة") == ["بلغت", "3.5", "بالمئة"]
    assert toks("مُحَمَّد") == ["مُحَمَّد"]  # diacritics stay inside the word


def test_sentence_split_rules():
    def sents(s):
        return [s[a:b] for a, b in tx.sentence_spans(s, 0, len(s))]

    assert sents("قال إن النمو بلغ 3.5 بالمئة. وأضاف شيئا.") == ["قال إن النمو بلغ 3.5 بالمئة.", "وأضاف شيئا."]
    assert sents("وقال “نتوقع ذلك. وسنفعل كل شيء”. وقدر ديلون.") == ["وقال “نتوقع ذلك. وسنفعل كل شيء”.", "وقدر ديلون."]
    assert sents("هل انتهى؟ نعم!") == ["هل انتهى؟", "نعم!"]
    # unbalanced quotation marks are ignored rather than swallowing the paragraph
    assert sents("قال “نعم. ثم ذهب.") == ["قال “نعم.", "ثم ذهب."]


def test_seed_sentences(seed_text):
    a = _article(seed_text)
    quoted = [s.text for s in a.sentences if s.text.startswith("ونقلت الوكالة عن المتحدث")]
    assert len(quoted) == 1 and quoted[0].endswith("البوكمال”.")
    assert len(a.sentences) == 30


def test_deterministic_and_idempotent(seed_text):
    a, b = _article(seed_text), _article(seed_text)
    assert a == b and a.to_dict() == b.to_dict()
    from akhbar.dataset.model import Article

    assert Article.from_dict(a.to_dict()) == a
