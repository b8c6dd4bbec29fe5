"""Hand-computed cases for every span, event and quote metric (they must be able to fail)."""

from __future__ import annotations

import json

import pytest

from akhbar.dataset.model import Span
from akhbar.eval import events as ev
from akhbar.eval import quotes as qt
from akhbar.eval import spans as sp
from akhbar.eval.normalize import normalize
from akhbar.eval.predictions import PredArgument, PredEvent, PredQuote
from akhbar.eval.prf import PRF, Accuracy, merge

from conftest import FIXTURES

TABLE = json.loads((FIXTURES / "eval" / "scenarios.json").read_text(encoding="utf-8"))
CLASS = {"COR": "correct", "INC": "incorrect", "PAR": "partial", "MIS": "missed", "SPU": "spurious"}


def _m(text: str, item: list | None) -> list[sp.Mention]:
    if item is None:
        return []
    t, s, e = item
    return [sp.Mention(s, e, t, text[s:e])]


@pytest.mark.parametrize("row", TABLE["scenarios"], ids=lambda r: r["name"])
def test_nervaluate_scenario_table(row):
    text = TABLE["text"]
    result = sp.score_document(text, _m(text, row["pred"]), _m(text, row["gold"]), clitics=True)
    for schema in sp.SCHEMAS:
        out = result[schema]
        counts = {v: getattr(out, v) for v in CLASS.values()}
        expected = {v: int(CLASS[row["outcome"][schema]] == v) for v in CLASS.values()}
        assert counts == expected, schema
        assert PRF(out.matched, out.predicted, out.gold).precision == row["precision"][schema], schema


def test_partial_credit_sums_over_a_document():
    text = TABLE["text"]
    gold = _m(text, ["PERS", 0, 10]) + _m(text, ["ORG", 15, 35]) + _m(text, ["GPE", 39, 44])
    pred = _m(text, ["PERS", 0, 10]) + _m(text, ["ORG", 19, 35]) + _m(text, ["PERS", 11, 14])
    r = sp.score_document(text, pred, gold, clitics=True)
    assert (r["strict"].matched, r["exact"].matched, r["partial"].matched, r["type"].matched) == (1, 1, 1.5, 2)
    assert PRF(r["partial"].matched, 3, 3).f1 == pytest.approx(0.5)
    assert (r["strict"].incorrect, r["strict"].missed, r["strict"].spurious) == (1, 1, 1)


def test_nested_mentions_are_scored_one_to_one():
    text = "وزارة الدفاع السورية في دمشق"
    org = sp.Mention(0, 20, "ORG", text[0:20])
    norp = sp.Mention(13, 20, "NORP", text[13:20])
    r = sp.score_document(text, [org], [org, norp], clitics=True)
    assert (r["strict"].matched, r["strict"].predicted, r["strict"].gold) == (1, 1, 2)
    # one prediction never earns credit twice, whatever the order of the gold mentions
    r2 = sp.score_document(text, [org], [norp, org], clitics=True)
    assert r2["partial"].matched == r["partial"].matched == 1.0
    both = sp.score_document(text, [norp, org], [org, norp], clitics=True)
    assert both["strict"].matched == 2 and both["type"].matched == 2


@pytest.mark.parametrize("gold_start,pred_start,same", [(12, 11, True), (11, 12, True), (14, 11, False)])
def test_clitic_aware_boundaries(gold_start, pred_start, same):
    text = "زار الوزير وبغداد أمس"  # وبغداد = و + بغداد: و at 11, ب at 12, غ at 13
    assert text[11:13] == "وب"
    end = text.index(" أمس")
    gold = [sp.Mention(gold_start, end, "GPE", text[gold_start:end])]
    pred = [sp.Mention(pred_start, end, "GPE", text[pred_start:end])]
    on = sp.score_document(text, pred, gold, clitics=True)
    off = sp.score_document(text, pred, gold, clitics=False)
    assert on["strict"].matched == (1 if same else 0)
    assert off["strict"].matched == 0 and off["partial"].matched == 0.5


def test_clitic_rule_needs_a_word_start():
    text = "كتاب لبنان"
    assert sp.clitic_same_start(text, 5, 6)  # ل at the start of the word
    assert not sp.clitic_same_start(text, 1, 2)  # inside a word


def test_text_matching_normalises_arabic():
    gold = [sp.Mention(-1, -1, "ORG", "الأُمَمُ المتّحدة"), sp.Mention(-1, -1, "GPE", "دمشق"), sp.Mention(-1, -1, "GPE", "دمشق")]
    pred = [sp.Mention(-1, -1, "ORG", "الامم المتحده"), sp.Mention(-1, -1, "GPE", "دمشـــق،"), sp.Mention(-1, -1, "PERS", "دمشق")]
    r = sp.score_text(pred, gold)
    assert (r.matched, r.predicted, r.gold) == (2, 3, 3)


@pytest.mark.parametrize("raw,norm", [("إلى", "الي"), ("آسيا", "اسيا"), ("مدرسة", "مدرسه"), ("٢٠١٧", "2017"),
                                      ("قمّـــة", "قمه"), ("«نعم»؛ لا؟", "نعم لا"), ("ٱلله", "الله")])
def test_normalize(raw, norm):
    assert normalize(raw) == norm


def _ev(t: str, trig: tuple[int, int], args: list[tuple[str, int, int]], realis: str = "ACTUAL") -> PredEvent:
    return PredEvent(t, realis, Span(*trig, "x"), tuple(PredArgument(r, Span(s, e, "x")) for r, s, e in args))


def test_event_metrics_by_hand():
    gold = [_ev("Conflict:Attack", (10, 15), [("Attacker", 0, 5), ("Place", 20, 25)])]
    pred = [_ev("Conflict:Attack", (10, 15), [("Attacker", 0, 5), ("Target", 20, 25)], realis="OTHER"),
            _ev("Conflict:Attack", (40, 45), [("Place", 20, 25)]),
            _ev("Life:Die", (30, 35), [("Victim", 0, 5)])]
    r = ev.score_document(pred, gold, lambda off: 0, None)
    got = {m: (r[m].matched, r[m].predicted, r[m].gold) for m in ev.METRICS}
    assert got == {"tri_i": (1, 3, 1), "tri_c": (1, 3, 1), "arg_i": (2, 3, 2), "arg_c": (2, 4, 2),
                   "arg_i_attached": (2, 4, 2), "arg_c_attached": (1, 4, 2)}
    assert r["realis"] == Accuracy(1, 0)
    assert r["per_type"]["Life:Die"]["tri_c"] == PRF(0, 1, 0)
    report = ev.report(merge(None, r))
    assert report["arg_c_attached"]["precision"] == 0.25 and report["arg_c_attached"]["recall"] == 0.5


def test_quote_metrics_by_hand():
    from akhbar.dataset.model import Article, Cluster, Entity, Layers, Quote, Ref, Sentence

    text = "Ali said that the war ended today . He added that peace will come ."

    def span(s: str, nth: int = 0) -> Span:
        start = -1
        for _ in range(nth + 1):
            start = text.index(s, start + 1)
        return Span(start, start + len(s), s)

    ali, he = span("Ali"), span("He")
    layers = Layers(clusters=(Cluster("C1", "Ali"),),
                    entities=(Entity("T1", "PERS", ali.start, ali.end, "Ali", "C1"), Entity("T2", "PERS", he.start, he.end, "He", "C1")),
                    quotes=(Quote("Q1", "INDIRECT", (span("the war ended today"),), span("said"), Ref(entity="T1")),
                            Quote("Q2", "INDIRECT", (span("peace will come"),), span("added"), Ref(entity="T2"))))
    article = Article("d", text, "", "", None, None, (), (Sentence("s1", 0, 0, len(text), text, 0, 0),), (), layers)
    pred = [PredQuote(None, (span("the war ended"),), span("said"), ali),
            PredQuote("DIRECT", (span("peace will come"),), span("that", 1), ali)]
    r = qt.score_document(text, pred, qt.gold_quotes(article), lambda off: 0, None)
    got = {m: (r[m].matched, r[m].predicted, r[m].gold) for m in qt.METRICS}
    assert got == {"content_exact": (1, 2, 2), "content_tokens": (6, 6, 7), "cue": (1, 2, 2), "source": (2, 2, 2)}
    assert r["type"] == Accuracy(1, 0)
    assert r["per_type"]["INDIRECT"]["content_exact"] == PRF(0, 1, 2)  # the untyped prediction takes its pair's type
    assert r["per_type"]["DIRECT"]["content_exact"] == PRF(0, 1, 0)  # no DIRECT gold quote


def test_source_outside_the_cluster_is_wrong():
    text = "Ali met Omar . Ali said that peace will come ."
    from akhbar.dataset.model import Article, Entity, Layers, Quote, Ref, Sentence

    layers = Layers(entities=(Entity("T1", "PERS", 0, 3, "Ali"), Entity("T2", "PERS", 8, 12, "Omar")),
                    quotes=(Quote("Q1", "INDIRECT", (Span(29, 44, text[29:44]),), Span(18, 22, "said"), Ref(entity="T1")),))
    article = Article("d", text, "", "", None, None, (), (Sentence("s1", 0, 0, len(text), text, 0, 0),), (), layers)
    pred = [PredQuote("INDIRECT", (Span(29, 44, text[29:44]),), Span(18, 22, "said"), Span(8, 12, "Omar"))]
    r = qt.score_document(text, pred, qt.gold_quotes(article), lambda off: 0, None)
    assert r["source"] == PRF(0, 1, 1)


def test_prf_zero_denominators_are_zero():
    assert PRF().precision == PRF().recall == PRF().f1 == 0.0
