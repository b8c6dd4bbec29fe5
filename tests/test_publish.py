from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from akhbar.dataset import publish as pub
from akhbar.dataset.build import build
from akhbar.errors import UserError

from conftest import FIXTURES, SEED_ID

EXPECTED = ["README.md", "croissant.json", "data/documents/test.parquet", "data/entities/test.parquet",
            "data/events/test.parquet", "data/ner/test.parquet", "data/quotes/test.parquet"]


@pytest.fixture
def dataset_dir(repo_copy: Path) -> Path:
    shutil.copy(FIXTURES / "valid.json", repo_copy / "annotations" / f"{SEED_ID}.json")
    out = repo_copy / "dataset"
    (out / "__init__.py").write_text("# code: never uploaded\n")
    (out / "build.py").write_text("# code: never uploaded\n")
    build(repo_copy)
    (out / ".staging").mkdir()
    (out / ".staging" / "x.parquet").write_bytes(b"")
    return out


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "akhbar", "publish", *args], capture_output=True, text=True, env=env)


def test_selection_is_card_croissant_and_parquet_only(dataset_dir):
    files = pub.select_files(dataset_dir)
    assert [f.path_in_repo for f in files] == EXPECTED
    assert all(f.local.is_file() and f.size == f.local.stat().st_size for f in files)


def test_selection_refuses_an_unbuilt_folder(tmp_path):
    with pytest.raises(UserError, match="missing README.md, croissant.json, data/\\*/\\*.parquet; run `akhbar build`"):
        pub.select_files(tmp_path)


def test_dry_run_lists_exactly_the_files_and_uploads_nothing(dataset_dir):
    r = _run("--repo-id", "org/akhbar", "--revision", "v0.1", "--dry-run", "--dataset", str(dataset_dir))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "dry run: would create dataset repository org/akhbar if missing and upload 7 file(s) to org/akhbar (revision v0.1):"
    assert [line.split()[0] for line in lines[1:]] == EXPECTED


def test_publish_creates_repo_and_commits_the_selected_files(dataset_dir):
    api = mock.Mock()
    files = pub.publish(dataset_dir, "org/akhbar", revision="v0.1", api=api, token="hf_test")
    api.create_repo.assert_called_once_with("org/akhbar", repo_type="dataset", exist_ok=True, token="hf_test")
    api.create_branch.assert_called_once_with("org/akhbar", branch="v0.1", repo_type="dataset", exist_ok=True, token="hf_test")
    (repo_id, operations), kwargs = api.create_commit.call_args
    assert repo_id == "org/akhbar" and kwargs["repo_type"] == "dataset" and kwargs["revision"] == "v0.1"
    assert [op.path_in_repo for op in operations] == EXPECTED == [f.path_in_repo for f in files]
    assert [Path(op.path_or_fileobj) for op in operations] == [dataset_dir / p for p in EXPECTED]


def test_publish_to_main_creates_no_branch(dataset_dir):
    api = mock.Mock()
    pub.publish(dataset_dir, "org/akhbar", api=api, token="hf_test")
    api.create_branch.assert_not_called()
    assert api.create_commit.call_args.kwargs["revision"] is None


def test_no_token_is_one_line(dataset_dir, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    r = _run("--repo-id", "org/akhbar", "--dataset", str(dataset_dir), env=env)
    assert r.returncode == 1
    assert r.stderr == "akhbar publish: no Hugging Face token configured: run `hf auth login` or set HF_TOKEN\n"


def test_refused_upload_is_one_line(dataset_dir):
    from huggingface_hub.errors import HfHubHTTPError

    response = mock.Mock(status_code=403)
    api = mock.Mock()
    api.create_commit.side_effect = HfHubHTTPError("403 Forbidden: you cannot write to org/akhbar.\nmore detail", response=response)
    with pytest.raises(UserError) as exc:
        pub.publish(dataset_dir, "org/akhbar", api=api, token="hf_test")
    assert str(exc.value) == "upload to org/akhbar refused: HTTP 403: 403 Forbidden: you cannot write to org/akhbar."


def test_offline_hub_is_a_refusal_without_traceback(dataset_dir, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "HF_TOKEN": "hf_test"}
    r = _run("--repo-id", "org/akhbar", "--dataset", str(dataset_dir), env=env)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("akhbar publish: upload to org/akhbar refused:") and r.stderr.count("\n") == 1


def test_bad_repo_id_is_rejected(dataset_dir):
    r = _run("--repo-id", "akhbar", "--dry-run", "--dataset", str(dataset_dir))
    assert r.returncode == 2 and "expected ORG/NAME" in r.stderr
