"""Settings: defaults, TOML, environment, validation; the pipeline applies cluster_threshold."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from storyline.config import Settings, load_settings
from storyline.errors import ConfigError
from storyline.pipeline import Pipeline
from storyline.store.sqlite import SQLiteStore
from storyline.stories.scoring import default_weights


class _NoEncoder:
    """Stands in for the model: these tests never embed."""

    name = "none"

    def encode(self, texts: object) -> np.ndarray:
        raise AssertionError("not expected to embed")


def test_config_cluster_threshold_unset_by_default(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORYLINE_CLUSTER_THRESHOLD", raising=False)
    assert load_settings().cluster_threshold is None
    monkeypatch.setenv("STORYLINE_CLUSTER_THRESHOLD", "")
    assert load_settings().cluster_threshold is None


def test_config_cluster_threshold_from_toml_and_environment(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "storyline.toml").write_text("[storyline]\ncluster_threshold = 0.45\n")
    assert load_settings().cluster_threshold == 0.45
    monkeypatch.setenv("STORYLINE_CLUSTER_THRESHOLD", "0.6")
    assert load_settings().cluster_threshold == 0.6


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.2", "nan", "high"])
def test_config_cluster_threshold_must_be_inside_0_1(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path, value: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORYLINE_CLUSTER_THRESHOLD", value)
    with pytest.raises(ConfigError, match="cluster_threshold.*environment"):
        load_settings()


def test_config_cluster_threshold_checked_on_direct_construction() -> None:
    for bad in (0.0, 1.0, math.inf):
        with pytest.raises(ConfigError, match="between 0 and 1"):
            Settings(cluster_threshold=bad)
    with pytest.raises(ConfigError):
        Settings().with_overrides(cluster_threshold=2)


def test_config_pipeline_applies_cluster_threshold(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    try:
        shipped = default_weights()
        plain = Pipeline(store, encoder=_NoEncoder())
        assert plain.weights is None  # the assigner uses the shipped weights
        set_ = Pipeline(store, settings=Settings(cluster_threshold=0.77), encoder=_NoEncoder())
        assert set_.weights == replace(shipped, threshold=0.77)
        explicit = replace(shipped, threshold=0.2)
        given = Pipeline(store, settings=Settings(cluster_threshold=0.77), encoder=_NoEncoder(),
                         weights=explicit)
        assert given.weights is explicit  # explicit weights win over the setting
    finally:
        store.close()


def test_config_ner_scope_from_environment_checked_and_applied(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().ner == "sentences"
    monkeypatch.setenv("STORYLINE_NER", "full")
    settings = load_settings()
    assert settings.ner == "full"
    store = SQLiteStore(tmp_path / "s.db", model_name="none")
    try:
        pipeline = Pipeline(store, settings=settings, encoder=_NoEncoder())
        # What the worker processes are given: the recogniser reads every sentence.
        assert pipeline._prepare_options().enrich_options.ner == "full"
    finally:
        store.close()
    monkeypatch.setenv("STORYLINE_NER", "everything")
    with pytest.raises(ConfigError, match="'ner' in environment.*full, sentences"):
        load_settings()
    with pytest.raises(ConfigError, match="'ner' in settings"):
        Settings(ner="half")
