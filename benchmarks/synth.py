"""Deterministic synthetic Akhbar corpora: seeds, manifest and all three gold layers.

``generate(root, n, seed)`` writes ``n`` articles into a scratch repository root in
the project's own formats -- ``seeds/*.txt``, ``seeds/manifest.json`` (through the
same code as ``akhbar manifest``) and ``annotations/*.json`` -- so that the real
``akhbar validate`` and ``akhbar build`` run on them unchanged.

The text is Arabic-like newswire built from a small vocabulary: a title, a
subtitle, a date line, an image caption, a dateline paragraph and more
paragraphs, with commas, numbers (ASCII and Arabic-Indic), quotation marks and
an occasional scraping artifact. Article lengths are log-normal (median about
4,000 characters, like a news article). The gold layers are random but valid:
entity mentions of every Wojood type placed on token boundaries (some after an
attached proclitic, some nested, repeated names in coreference clusters), ACE
events whose arguments take roles that are legal for their type, and quotes
with cue, source and one or two content spans. This is **not** gold: it exists
to measure speed and memory and to stress the validator; it is never mixed with
the real ``seeds/`` and ``annotations/``.

Article ``i`` depends only on ``(seed, i)``, so corpora of different sizes share
their first articles and generation runs in parallel.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar import schema
from akhbar.dataset.manifest import entry_for
from akhbar.dataset.parallel import Workers, default_jobs
from akhbar.dataset.text import DAY_NAMES
from akhbar.fsio import dumps, write_json

WORDS = tuple("""
في من إلى على عن مع بعد قبل خلال بين حول ضد منذ نحو عند لدى التي الذي الذين هذا هذه ذلك تلك
كما أن إن لكن حيث أيضا قد لم لن كان كانت يكون أكثر أقل جميع بعض كل غير دون
القوات الحكومة المدينة البلاد المنطقة الجيش الأمن السلطات المسؤولين المصادر الوزارة المجلس الرئيس
العملية العمليات الهجوم الاتفاق المفاوضات الأزمة الحرب السلام الاقتصاد الأسواق الأسعار النفط الغاز
المياه الكهرباء المستشفى المدارس الطلاب السكان المدنيين اللاجئين المساعدات الحدود الطريق الشمال الجنوب
الشرق الغرب العاصمة الريف الساحل الجبهة المعارضة الفصائل التنظيم الدولية الإقليمية المحلية الرسمية
أعلن أكدت أوضح أشار أضافت نفى طالب دعت قررت بدأت واصلت استهدفت تمكنت شهدت سجلت ارتفع انخفض
تراجع بلغ وصلت غادر عقد التقى ناقش وقع رفض أيد حذر توقع يتوقع تسعى تعمل يجري جرت
جديد جديدة كبير كبيرة واسعة مهمة أولى الأولى الثانية الأخيرة المقبل الماضي الحالي السابق الحالية
اليوم الأسبوع الشهر العام الساعات الأيام السنوات المرحلة الفترة الوقت الموعد القرار البيان التقرير
""".split())

#: Mention phrases per entity type (a few for each of the 21 Wojood types).
NAMES: dict[str, tuple[str, ...]] = {
    "PERS": ("فلاديمير بوتين", "دونالد ترامب", "سعد الحريري", "عبد الله الثاني", "أحمد الخطيب", "ليلى حسن",
             "محمود عباس", "سامر القاسم", "هدى العلي", "يوسف الشامي"),
    "NORP": ("السوريين", "الروس", "الأكراد", "اللبنانيين", "العراقيين", "الأتراك"),
    "OCC": ("المتحدث", "الوزير", "السفير", "المحافظ", "القائد", "الناطق"),
    "ORG": ("وزارة الدفاع", "الأمم المتحدة", "وكالة الإعلام", "الجيش السوري", "مجلس الأمن", "الهلال الأحمر",
            "البنك المركزي", "جامعة الدول العربية"),
    "GPE": ("دمشق", "سوريا", "العراق", "موسكو", "بيروت", "عمان", "القاهرة", "حلب", "البوكمال", "دير الزور", "تركيا"),
    "LOC": ("نهر الفرات", "البحر المتوسط", "البادية", "جبل الشيخ", "وادي بردى"),
    "FAC": ("مطار دمشق", "قاعدة حميميم", "معبر نصيب", "سد الفرات", "مستشفى المواساة"),
    "EVENT": ("مؤتمر جنيف", "محادثات أستانا", "معرض دمشق", "كأس العالم"),
    "DATE": ("السبت", "الأحد", "الاثنين", "أمس", "العام الماضي", "الشهر المقبل", "2017", "٢٠١٨"),
    "TIME": ("صباح", "مساء", "الساعة العاشرة", "منتصف الليل"),
    "CARDINAL": ("ثلاثة", "عشرات", "300", "١٢", "مئات", "خمسة آلاف"),
    "ORDINAL": ("الأولى", "الثاني", "الثالثة", "الأخير"),
    "PERCENT": ("20 بالمئة", "٣٫٥ بالمئة", "نصف", "3.5 بالمئة"),
    "LANGUAGE": ("العربية", "الروسية", "الإنجليزية"),
    "PRODUCT": ("توبوليف 22إم3", "سوخوي", "إس-400", "آيفون"),
    "MONEY": ("مليون دولار", "500 ليرة", "ملياري يورو"),
    "QUANTITY": ("عشرة كيلومترات", "مئة طن", "خمسين ألف برميل"),
    "UNIT": ("كيلومتر", "طن", "برميل", "ميغاواط"),
    "LAW": ("القرار 2254", "الدستور", "قانون الانتخابات"),
    "WEBSITE": ("تويتر", "فيسبوك", "يوتيوب", "تلغرام"),
    "CURR": ("الدولار", "الليرة", "اليورو", "الروبل"),
}
TYPE_WEIGHTS = {"PERS": 14, "ORG": 14, "GPE": 16, "NORP": 5, "OCC": 6, "LOC": 3, "FAC": 3, "DATE": 8, "CARDINAL": 5}
#: An ORG phrase with a nested GPE (``جامعة دمشق`` contains ``دمشق``).
ORG_HEADS = ("جامعة", "محافظة", "مطار", "حكومة", "سفارة", "برلمان")
SPEAKERS = ("PERS", "ORG", "OCC")
TRIGGERS = ("ضربات", "هجوم", "قصف", "مقتل", "اجتماع", "زيارة", "اعتقال", "انتخاب", "تعيين", "محاكمة", "نقل", "تمويل",
            "تظاهرة", "اتصال", "إفراج", "غرامة", "تأسيس", "استقالة", "إصابة", "وصول")
CUES = ("قال", "أضاف", "أكد", "أوضح", "صرح", "بحسب")
UNNAMED_SOURCES = ("مصدر عسكري", "مصادر محلية", "شهود عيان", "مسؤول رفيع")
CITIES = ("دمشق", "بيروت", "موسكو", "عمان", "بغداد", "القاهرة", "حلب")
PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
TIME_TYPES = frozenset({"DATE", "TIME"})


@dataclass
class _Text:
    """An article being written: text pieces, current offset and the gold layers found so far."""

    rng: random.Random
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def put(self, s: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, self.pos

    def span(self, s: str) -> dict[str, Any]:
        start, end = self.put(s)
        return {"start": start, "end": end, "text": s}

    def entity(self, etype: str, phrase: str | None = None) -> dict[str, Any]:
        """Write a mention (sometimes after a proclitic, sometimes an ORG with a nested GPE)."""
        rng = self.rng
        if etype == "ORG" and phrase is None and rng.random() < 0.25:
            head, gpe = rng.choice(ORG_HEADS), rng.choice(NAMES["GPE"])
            outer = self.entity("ORG", f"{head} {gpe}")
            inner_start = outer["start"] + len(head) + 1
            self.entities.append({"id": "", "type": "GPE", "start": inner_start, "end": outer["end"], "text": gpe})
            return outer
        phrase = phrase or rng.choice(NAMES[etype])
        if phrase[0].isalpha() and rng.random() < 0.12:
            self.put(rng.choice("وبلف"))  # attached proclitic: outside the character span
        ent = {"id": "", "type": etype, **self.span(phrase)}
        self.entities.append(ent)
        return ent

    def sentence(self, terminal: str | None, allow_quote: bool = True) -> None:
        """One sentence: words, mentions, maybe an event and a quote, and its end mark."""
        rng = self.rng
        first = len(self.entities)
        plain: list[dict[str, Any]] = []
        if allow_quote and terminal and rng.random() < 0.18:
            self._quote()
            self.put(" ")
        trigger = None
        n = max(4, int(rng.gauss(16, 6)))
        with_event = rng.random() < 0.35
        for k in range(n):
            if k:
                self.put(" ")
            r = rng.random()
            if r < 0.13:
                self.entity(rng.choices(list(NAMES), weights=[TYPE_WEIGHTS.get(t, 1) for t in NAMES])[0])
            elif with_event and trigger is None and k >= n // 3:
                trigger = self.span(rng.choice(TRIGGERS))
            else:
                plain.append(self.span(rng.choice(WORDS)))
            if r > 0.95 and k < n - 1:
                self.put("،")
        if terminal:
            self.put(terminal)
        if trigger is not None:
            self._event(trigger, self.entities[first:], plain)

    def _event(self, trigger: dict[str, Any], mentions: list[dict[str, Any]], plain: list[dict[str, Any]]) -> None:
        rng = self.rng
        etype = rng.choice(list(ROLES))
        legal = ROLES[etype]
        arguments = []
        for m in rng.sample(mentions, min(len(mentions), rng.randint(0, 3))):
            if m["type"] in PLACE_TYPES and "Place" in legal:
                role = "Place"
            elif m["type"] in TIME_TYPES and "Time" in legal:
                role = "Time"
            else:
                role = rng.choice([r for r in legal if r not in ("Place", "Time")] or legal)
            arguments.append({"role": role, "entity": m})  # ids are filled in at the end
        if plain and rng.random() < 0.3:
            arguments.append({"role": rng.choice(legal), **rng.choice(plain)})
        self.events.append({"id": "", "type": etype, "realis": rng.choice(REALIS), "trigger": trigger, "arguments": arguments})

    def _quote(self) -> None:
        """``قال X إن ...`` (indirect) or ``قال X: “...”`` (direct), or a content split around the cue."""
        rng = self.rng

        def content() -> dict[str, Any]:
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            return self.span(words)

        def source() -> dict[str, Any] | None:
            r = rng.random()
            if r < 0.7:
                return {"entity": self.entity(rng.choice(SPEAKERS))}
            if r < 0.9:
                return self.span(rng.choice(UNNAMED_SOURCES))
            return None

        kind = rng.random()
        if kind < 0.5:
            cue = self.span(rng.choice(CUES))
            self.put(" ")
            src = source()
            self.put(" إن " if src else " أن ")
            parts, qtype = [content()], "INDIRECT"
        elif kind < 0.8:
            cue = self.span(rng.choice(CUES))
            self.put(" ")
            src = source()
            self.put(": “")
            parts, qtype = [content()], "DIRECT"
            self.put("”")
        else:
            self.put("“")
            first = content()
            self.put("”، ")
            cue = self.span(rng.choice(CUES))
            self.put(" ")
            src = source() or {"entity": self.entity("PERS")}
            self.put("، “")
            parts, qtype = [first, content()], "DIRECT"
            self.put("”")
        self.quotes.append({"id": "", "type": qtype, "content": parts, "cue": cue, "source": src})


ROLES = schema.event_roles()
REALIS = schema.enum("realis")


def article_text(rng: random.Random) -> _Text:
    """Title, subtitle, date line, caption, dateline paragraph, paragraphs, maybe an artifact."""
    t = _Text(rng)
    t.sentence(None, allow_quote=False)  # title
    t.put("\n\n")
    for k in range(rng.randint(1, 2)):  # subtitle
        if k:
            t.put(" ")
        t.sentence(".")
    t.put("\n")
    digits = "0123456789" if rng.random() < 0.8 else "٠١٢٣٤٥٦٧٨٩"
    date = f"{rng.randint(2010, 2024)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    t.put(f"{rng.choice(DAY_NAMES)} {date.translate(str.maketrans('0123456789', digits))}\n")
    t.sentence(None, allow_quote=False)  # image caption: no final punctuation
    t.put("\n\n")
    # paragraph count: log-normal, median about 4,000 characters an article (the real seed has 4,152)
    paragraphs = max(2, min(60, round(math.exp(rng.gauss(math.log(16), 0.5)))))
    for p in range(paragraphs):
        if p == 0:
            city = t.span(rng.choice(CITIES))
            if rng.random() < 0.5:
                t.entities.append({"id": "", "type": "GPE", **city})
            t.put(" - ")
        for k in range(rng.randint(1, 3)):
            if k:
                t.put(" ")
            t.sentence("؟" if rng.random() < 0.05 else ".")
        t.put("\n\n")
    if rng.random() < 0.2:
        t.put(str(rng.randint(1, 9)) + "\n")
    return t


def annotation(article_id: str, t: _Text) -> dict[str, Any]:
    """The annotation document of a generated article (ids, clusters and references resolved)."""
    entities = sorted(t.entities, key=lambda e: (e["start"], -e["end"]))
    for k, e in enumerate(entities, 1):
        e["id"] = f"T{k}"
    names: dict[tuple[str, str], int] = {}
    for e in entities:
        names[(e["type"], e["text"])] = names.get((e["type"], e["text"]), 0) + 1
    clusters: dict[tuple[str, str], str] = {}
    for e in entities:
        key = (e["type"], e["text"])
        if names[key] > 1 and e["type"] in ("PERS", "ORG", "GPE"):
            clusters.setdefault(key, f"C{len(clusters) + 1}")
            e["cluster"] = clusters[key]
    events = []
    for k, ev in enumerate(t.events, 1):
        args = [{"role": a["role"], "entity": a["entity"]["id"]} if "entity" in a else a for a in ev["arguments"]]
        events.append({**ev, "id": f"EV{k}", "arguments": args})
    quotes = []
    for k, q in enumerate(t.quotes, 1):
        src = q["source"]
        if src is not None and "entity" in src:
            src = {"entity": src["entity"]["id"]}
        quotes.append({**q, "id": f"Q{k}", "source": src})
    return {"id": article_id, "schema_version": schema.SCHEMA_VERSION,
            "notes": "Synthetic benchmark article (benchmarks/synth.py): random but valid, not gold.",
            "clusters": [{"id": cid, "name": text} for (_, text), cid in clusters.items()],
            "entities": entities, "events": events, "quotes": quotes}


def article_id(i: int) -> str:
    return f"syn_{i:07d}"


def write_article(root: Path, seed: int, i: int) -> dict[str, Any]:
    """Write seed and annotation of article ``i``; return its manifest entry."""
    aid = article_id(i)
    t = article_text(random.Random(f"akhbar-synth:{seed}:{i}"))
    path = root / "seeds" / f"{aid}.txt"
    path.write_text("".join(t.parts), encoding="utf-8", newline="\n")
    (root / "annotations" / f"{aid}.json").write_text(dumps(annotation(aid, t)), encoding="utf-8")
    return entry_for(root, path)


def _write_range(args: tuple[str, int, int, int]) -> list[dict[str, Any]]:
    root, seed, lo, hi = args
    return [write_article(Path(root), seed, i) for i in range(lo, hi)]


def generate(root: Path, n: int, seed: int = 0, jobs: int | None = None) -> Path:
    """Write a synthetic repository of ``n`` articles under ``root`` (created; must not hold seeds yet)."""
    root = Path(root)
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "annotations").mkdir(exist_ok=True)
    (root / "dataset").mkdir(exist_ok=True)
    step = 500
    tasks = [(str(root), seed, lo, min(n, lo + step)) for lo in range(0, n, step)]
    with Workers(jobs or default_jobs()) as workers:
        entries = [e for chunk in workers.ordered_map(_write_range, tasks) for e in chunk]
    write_json(root / "seeds" / "manifest.json", {"schema_version": schema.SCHEMA_VERSION, "articles": entries})
    return root


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.synth", description="Write a synthetic Akhbar repository.")
    p.add_argument("root", help="scratch folder to create (seeds/, annotations/, dataset/)")
    p.add_argument("-n", type=int, default=1000, help="number of articles (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=None)
    args = p.parse_args(argv)
    generate(Path(args.root), args.n, args.seed, args.jobs)
    print(f"wrote {args.n} synthetic article(s) into {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
