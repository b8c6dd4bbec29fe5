"""``make demo``: load every config of the built dataset with ``datasets`` and summarise it."""

from __future__ import annotations

import datasets

from . import PATH, load


def main() -> None:
    datasets.disable_progress_bars()
    configs = datasets.get_dataset_config_names(str(PATH))
    print(f"Akhbar dataset at {PATH}: configs {', '.join(configs)}")
    for config in configs:
        dd = load(config)
        for split, ds in dd.items():
            print(f"  {config:<10} {split:<10} {ds.num_rows:>5} rows  columns: {', '.join(ds.column_names)}")
    ner = load("ner", split="test")
    names = ner.features["ner_tags"].feature.names
    tagged = sum(1 for row in ner for t in row["ner_tags"] if t)
    print(f"ner: {sum(len(r['tokens']) for r in ner)} tokens, {tagged} inside entities, {len(names)} IOB2 labels")
    row = next((r for r in ner if any(r["ner_tags"])), ner[0])
    print("example:", " ".join(f"{tok}/{names[t]}" if t else tok for tok, t in zip(row["tokens"], row["ner_tags"])))


if __name__ == "__main__":
    main()
