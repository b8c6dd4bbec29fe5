"""``akhbar predict``: a Hugging Face token-classification model over the ``ner`` config.

Each row's tokens are fed as pre-split words (``is_split_into_words=True``); a
token takes the label predicted for its first sub-word. The model's
``id2label`` names are mapped onto the tagset with the same tables as
``akhbar eval --tagset`` (``B-PER`` -> ``B-PERS`` …); names that cannot be
mapped stop the command before anything is written. Tokens cut off by the
model's maximum length are tagged ``O`` and counted in the returned note.
Needs the ``[models]`` extra (transformers, torch).
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from . import tags as tg
from .gold import load_ner_tokens


def label_map(id2label: dict[int, str], tagset: str) -> dict[int, str]:
    """Model label ids -> IOB2 tags of the tagset, or a one-line error naming the bad label."""
    mapping = tg.tag_map(tagset, "iob2")
    out = {}
    for i, name in sorted(id2label.items()):
        tag = name.replace("_", "-", 1) if name[:2] in ("B_", "I_") else name
        if tag not in mapping:
            raise UserError(f"model label {i} {name!r} cannot be mapped onto --tagset {tagset}: "
                            f"{tg.explain_tag(tag, tagset, 'iob2') or 'not an IOB2 tag'}; give the model IOB2 label names (id2label)")
        out[int(i)] = mapping[tag]
    return out


def predict(model_id: str, gold: str, split: str, batch_size: int, tagset: str) -> tuple[list[dict[str, Any]], str]:
    try:
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer
    except ImportError:
        raise UserError("akhbar predict needs the [models] extra: pip install 'akhbar[models]'") from None
    if batch_size < 1:
        raise UserError(f"--batch-size {batch_size}: give a positive number")
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_id)
        model = AutoModelForTokenClassification.from_pretrained(model_id)
    except OSError as exc:
        raise UserError(f"--model {model_id}: cannot load a token-classification model and tokenizer: {exc}") from None
    labels = label_map(model.config.id2label, tagset)
    model.eval()
    ids, tokens = load_ner_tokens(gold, split)
    rows: list[dict[str, Any]] = []
    cut = 0
    for lo in range(0, len(ids), batch_size):
        batch = tokens[lo:lo + batch_size]
        enc = tokenizer(batch, is_split_into_words=True, truncation=True, padding=True, return_tensors="pt")
        with torch.no_grad():
            best = model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}).logits.argmax(-1).tolist()
        for b, words in enumerate(batch):
            tags = ["O"] * len(words)
            seen = set()
            for pos, w in enumerate(enc.word_ids(b)):
                if w is not None and w not in seen:
                    seen.add(w)
                    tags[w] = labels[best[b][pos]]
            cut += len(words) - len(seen)
            rows.append({"id": ids[lo + b], "ner_tags": tags})
    return rows, (f"{cut} token(s) beyond the model's maximum length tagged O" if cut else "")
