"""``akhbar publish``: upload the built dataset (card, Parquet, Croissant) to the Hugging Face Hub.

Only the generated files of ``dataset/`` are uploaded, never the code: the card
(``README.md``), ``croissant.json`` and ``data/<config>/<split>.parquet``.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError

REPO_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
REQUIRED = ("README.md", "croissant.json")
DATA_GLOB = "data/*/*.parquet"


@dataclass(frozen=True)
class Upload:
    """One file to upload: its local path and its path in the dataset repository."""

    local: Path
    path_in_repo: str
    size: int


def select_files(dataset_dir: Path) -> list[Upload]:
    """The files ``publish`` uploads from a built dataset folder, in a stable order.

    The card and the Croissant file are required (run ``akhbar build``), then every
    ``data/<config>/<split>.parquet``; nothing else (code, caches, staging) is selected.
    """
    missing = [name for name in REQUIRED if not (dataset_dir / name).is_file()]
    data = sorted(dataset_dir.glob(DATA_GLOB))
    if missing or not data:
        what = ", ".join(missing + ([] if data else [DATA_GLOB]))
        raise UserError(f"{dataset_dir}: missing {what}; run `akhbar build` first")
    files = [dataset_dir / name for name in REQUIRED] + data
    return [Upload(f, f.relative_to(dataset_dir).as_posix(), f.stat().st_size) for f in files]


def _refused(repo_id: str, exc: Exception) -> UserError:
    response = getattr(exc, "response", None)
    status = f"HTTP {response.status_code}: " if response is not None else ""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return UserError(f"upload to {repo_id} refused: {status}{detail}", exit_code=1)


def publish(dataset_dir: Path, repo_id: str, revision: str | None = None, api: Any = None,
            token: str | None = None) -> list[Upload]:
    """Create the dataset repository if needed and upload the selected files in one commit."""
    from huggingface_hub import CommitOperationAdd, HfApi, get_token
    from huggingface_hub.errors import HTTPError

    files = select_files(dataset_dir)
    token = token or get_token()
    if not token:
        raise UserError("no Hugging Face token configured: run `hf auth login` or set HF_TOKEN", exit_code=1)
    api = api if api is not None else HfApi()
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True, token=token)
        if revision:
            api.create_branch(repo_id, branch=revision, repo_type="dataset", exist_ok=True, token=token)
        api.create_commit(repo_id, [CommitOperationAdd(path_in_repo=u.path_in_repo, path_or_fileobj=str(u.local)) for u in files],
                          commit_message="Upload Akhbar dataset (card, Parquet, Croissant)", repo_type="dataset",
                          revision=revision, token=token)
    except (HTTPError, OSError) as exc:
        raise _refused(repo_id, exc) from None
    return files


def cmd_publish(args: argparse.Namespace) -> int:
    if not REPO_ID_RE.match(args.repo_id):
        raise UserError(f"--repo-id {args.repo_id!r}: expected ORG/NAME (letters, digits, '-', '_', '.')")
    dataset_dir = Path(args.dataset)
    where = f"{args.repo_id}" + (f" (revision {args.revision})" if args.revision else "")
    if args.dry_run:
        files = select_files(dataset_dir)
        print(f"dry run: would create dataset repository {args.repo_id} if missing and upload {len(files)} file(s) to {where}:")
        for u in files:
            print(f"  {u.path_in_repo}  ({u.size} bytes)")
        return 0
    files = publish(dataset_dir, args.repo_id, args.revision)
    print(f"published {len(files)} file(s) to https://huggingface.co/datasets/{args.repo_id}"
          + (f" (revision {args.revision})" if args.revision else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="upload the built dataset (card, Parquet, Croissant) to the Hugging Face Hub",
                       description="Upload dataset/README.md (the card), dataset/croissant.json and dataset/data/*/*.parquet "
                                   "to a Hugging Face dataset repository, creating it if needed. Never uploads code. "
                                   "Needs a token (`hf auth login` or HF_TOKEN).")
    p.add_argument("--repo-id", required=True, metavar="ORG/NAME", help="the dataset repository on the Hub")
    p.add_argument("--revision", metavar="R", help="branch to upload to (created if missing; default: main)")
    p.add_argument("--dry-run", action="store_true", help="list exactly what would be uploaded, and upload nothing")
    p.add_argument("--dataset", default="dataset", metavar="DIR", help="the built dataset folder (default: dataset)")
    p.set_defaults(handler=cmd_publish)
