"""The Akhbar scorer: ``akhbar eval``, ``compare``, ``baseline`` and ``predict``.

Modules: :mod:`.score` (the evaluation as a pure function), :mod:`.ner`
(seqeval), :mod:`.spans`, :mod:`.events`, :mod:`.quotes` (span-level metrics),
:mod:`.bootstrap` (intervals and paired comparison from per-sentence counts),
:mod:`.predictions` and :mod:`.gold` (reading input), :mod:`.tags` (tagsets and
schemes), :mod:`.baselines`, :mod:`.predict` and :mod:`.cli`.
"""
