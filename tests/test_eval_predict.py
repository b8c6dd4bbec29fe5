"""akhbar predict with a tiny randomly initialised BERT and tokenizer made here (no download)."""

from __future__ import annotations

import json

import pytest

from akhbar.cli import main
from akhbar.errors import UserError
from akhbar.eval.predict import label_map

from test_eval_cli import gold  # noqa: F401  (module fixture: a gold dataset built in tmp)

torch = pytest.importorskip("torch", reason="the [models] extra (torch) is not installed")
transformers = pytest.importorskip("transformers", reason="the [models] extra (transformers) is not installed")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") + [f"##{c}" for c in "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False, tokenize_chinese_chars=False)
    id2label = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=128, id2label=id2label, label2id={v: k for k, v in id2label.items()})
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_predict_writes_a_file_that_akhbar_eval_scores(gold, tiny_model, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "model.jsonl"
    assert main(["predict", "--model", str(tiny_model), "--gold", str(gold), "--batch-size", "4", "-o", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 30
    assert {t for r in rows for t in r["ner_tags"]} <= {"O", "B-PERS", "I-PERS", "B-LOC", "I-LOC"}  # B-PER mapped to B-PERS
    capsys.readouterr()
    assert main(["eval", str(out), "--gold", str(gold), "--json", "-", "--bootstrap", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["task"] == "ner"
    # deterministic: the same model gives the same file
    again = tmp_path / "again.jsonl"
    main(["predict", "--model", str(tiny_model), "--gold", str(gold), "--batch-size", "7", "-o", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_unmappable_model_labels_are_refused():
    assert label_map({0: "O", 1: "B-PER", 2: "I_PER"}, "coarse") == {0: "O", 1: "B-PER", 2: "I-PER"}
    with pytest.raises(UserError, match="model label 1 'LABEL_1'"):
        label_map({0: "O", 1: "LABEL_1"}, "wojood")
