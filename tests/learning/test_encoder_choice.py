"""The encoder is a setting (``CSPR_MODEL_PATH``); the index records the model that built it
and will not open for another one, so a switch of model is always a rebuild, never a silent
mix of vectors from two models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from learning.encoder import BUNDLED_MODEL_NAME, model_name_for, resolve_model_path
from learning.errors import IndexMismatch
from learning.index import MANIFEST_FILE, create_index, open_index
from tests.learning.factories import write_corpus

pytest_plugins = ("tests.learning.factories",)


def _model_folder(path: Path, dimension: int) -> Path:
    """A sentence-transformers folder as far as naming goes: its pooling config, no weights
    (the encoder reads the dimension from it and loads weights only on first encode)."""
    (path / "1_Pooling").mkdir(parents=True)
    config = {"word_embedding_dimension": dimension, "pooling_mode_mean_tokens": True}
    (path / "1_Pooling" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture
def model_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """``CSPR_MODEL_PATH`` unset, with the settings cache cleared before and after."""
    from core.settings import get_settings

    monkeypatch.delenv("CSPR_MODEL_PATH", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _configured_encoder(monkeypatch: pytest.MonkeyPatch, folder: Path | None):  # noqa: ANN202
    from core.settings import get_settings
    from learning.runtime import build_encoder

    if folder is None:
        monkeypatch.delenv("CSPR_MODEL_PATH", raising=False)
    else:
        monkeypatch.setenv("CSPR_MODEL_PATH", str(folder))
    get_settings.cache_clear()
    return build_encoder()


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("all-mpnet-base-v2", "all-mpnet-base-v2"),
        ("unzipped/all-mpnet-base-v2", "all-mpnet-base-v2"),
        # packages of the gt-* kind keep the model in <package>/model
        ("gt_bge_small_en_v1_5/model", "gt_bge_small_en_v1_5/model"),
        ("my_embedding_package/model_files", "my_embedding_package/model_files"),
    ],
)
def test_a_model_folder_is_named_by_what_it_holds(tmp_path: Path, folder: str, name: str) -> None:
    assert model_name_for(_model_folder(tmp_path / folder, 384)) == name


def test_the_bundled_model_keeps_its_hub_name() -> None:
    assert model_name_for(resolve_model_path(None)) == BUNDLED_MODEL_NAME
    assert model_name_for(resolve_model_path(None) / ".." / "model") == BUNDLED_MODEL_NAME


def test_the_setting_chooses_the_encoder_both_ways(tmp_path: Path, model_setting) -> None:
    other = _configured_encoder(model_setting, _model_folder(tmp_path / "all-mpnet-base-v2", 768))
    assert (other.name, other.dimension) == ("all-mpnet-base-v2", 768)
    bundled = _configured_encoder(model_setting, None)
    assert (bundled.name, bundled.dimension) == (BUNDLED_MODEL_NAME, 384)


def test_two_packaged_models_in_folders_named_model_do_not_share_an_index(tmp_path: Path) -> None:
    first = model_name_for(_model_folder(tmp_path / "gt_first" / "model", 384))
    second = model_name_for(_model_folder(tmp_path / "gt_second" / "model", 384))
    create_index(tmp_path / "index", first, 384)
    expected = r"built with model 'gt_first/model' but the encoder is 'gt_second/model'"
    with pytest.raises(IndexMismatch, match=expected):
        open_index(tmp_path / "index", model_name=second, dimension=384)


@pytest.mark.slow
def test_an_index_records_its_model_and_opens_only_for_it(
    tmp_path: Path, model_setting, real_encoder
) -> None:
    from learning.ingest import ingest_paths
    from learning.search import open_engine

    index_dir = tmp_path / "index"
    write_corpus(tmp_path / "reviews", ("r-infant-bruising",))
    bundled = _configured_encoder(model_setting, None)
    assert bundled is real_encoder  # the one model of the test session, through the setting
    ingest_paths([tmp_path / "reviews"], index_dir, bundled)
    manifest = json.loads((index_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert (manifest["model_name"], manifest["dimension"]) == (BUNDLED_MODEL_NAME, 384)

    same_size = _model_folder(tmp_path / "bge-small-en-v1.5", 384)
    larger = _model_folder(tmp_path / "all-mpnet-base-v2", 768)
    for folder in (same_size, larger):
        other = _configured_encoder(model_setting, folder)
        expected = rf"built with model '{BUNDLED_MODEL_NAME}' but the encoder is '{folder.name}'"
        with pytest.raises(IndexMismatch, match=expected) as refused:
            open_engine(index_dir, other)
        assert "cspr ingest --rebuild" in str(refused.value)
        with pytest.raises(IndexMismatch, match="built with model"):
            ingest_paths([tmp_path / "reviews"], index_dir, other)

    engine = open_engine(index_dir, _configured_encoder(model_setting, None))
    try:
        assert engine.search_reviews("bruise on a baby", k=1)[0].review_id == "r-infant-bruising"
    finally:
        engine.close()
