"""The model registry: versioned models on disk, indexed in the warehouse.

Each trained model gets a directory ``<models dir>/<model id>/`` holding ``meta.json``
(configuration, training and holdout windows, feature encoding, metrics, importance,
drift baseline) and the model itself in a format that runs no code when loaded:
LightGBM's text model (``model.txt``) or a scikit-learn pipeline in skops format
(``model.skops``), loaded only if every type in it is on `TRUSTED_TYPES`. Never pickle.
The table `model_registry` lists every model with its headline metrics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.base import Engine
from .classifiers import MemberClassifier
from .features import FeatureEncoder, ModelError
from .labels import LabelSpec
from .training import TrainedModel

TABLE = "model_registry"
FORMAT_VERSION = 1
TRUSTED_TYPES = frozenset({
    "numpy.dtype", "sklearn.tree._tree.Tree", "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
})
"""Types a saved scikit-learn model may hold beyond those skops trusts by default."""

_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    model_id VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, target VARCHAR NOT NULL,
    algorithm VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, train_cutoff DATE NOT NULL,
    holdout_cutoff DATE NOT NULL, horizon_days INTEGER NOT NULL, members INTEGER,
    roc_auc DOUBLE, pr_auc DOUBLE, top_decile_lift DOUBLE, path VARCHAR NOT NULL)"""


def default_models_dir(warehouse: Path) -> Path:
    """``models/`` next to the warehouse file."""
    return warehouse.resolve().parent / "models"


@dataclass
class RegisteredModel:
    """A model loaded from the registry: metadata, feature encoding and classifier."""

    model_id: str
    meta: dict[str, Any]
    encoder: FeatureEncoder
    classifier: MemberClassifier

    @property
    def spec(self) -> LabelSpec:
        return LabelSpec(**self.meta["spec"])

    @property
    def tier_thresholds(self) -> tuple[float, float]:
        high, medium = self.meta["tier_thresholds"]
        return float(high), float(medium)


def _meta(model: TrainedModel, model_id: str, created: datetime) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION, "model_id": model_id,
        "model": model.spec.model_name, "created_at": created.isoformat(timespec="seconds"),
        "algorithm": model.algorithm, "spec": model.spec.to_json(), "config": model.config(),
        "training_window": {"train_cutoff": model.train_cutoff.isoformat(),
                            "holdout_cutoff": model.holdout_cutoff.isoformat(),
                            "horizon_days": model.spec.horizon_days,
                            "train_members": model.train_members,
                            "train_positive_rate": model.train_positive_rate},
        "features": model.features, "encoder": model.encoder.to_json(),
        "metrics": model.holdout.to_json(),
        "importance": {k: round(float(v), 6)
                       for k, v in model.classifier.feature_importances_.items()},
        "tier_thresholds": list(model.tier_thresholds), "baseline": model.baseline,
        "seconds": model.seconds,
    }


def save(engine: Engine, model: TrainedModel, models_dir: Path) -> str:
    """Write the model and its metadata; index it in `model_registry`; return its id."""
    created = datetime.now().replace(microsecond=0)
    stem = f"{model.spec.target}-{model.algorithm}-{created:%Y%m%d%H%M%S}"
    model_id, n = stem, 1
    while (models_dir / model_id).exists():
        n += 1
        model_id = f"{stem}-{n}"
    folder = models_dir / model_id
    folder.mkdir(parents=True)
    est = model.classifier.estimator_
    if model.algorithm == "lightgbm":
        est.save_model(str(folder / "model.txt"))
    else:
        import skops.io as sio

        sio.dump(est, folder / "model.skops")
    meta = _meta(model, model_id, created)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    engine.execute(_DDL)
    h = model.holdout
    engine.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [model_id, model.spec.model_name, model.spec.target, model.algorithm,
                    created, model.train_cutoff, model.holdout_cutoff,
                    model.spec.horizon_days, model.train_members, h.roc_auc, h.pr_auc,
                    h.top_decile_lift, str(folder)])
    return model_id


def _folder(engine: Engine, model_id: str, models_dir: Path) -> Path:
    if engine.table_exists(TABLE):
        path = engine.scalar(f"SELECT path FROM {TABLE} WHERE model_id = ?", [model_id])
        if path and Path(path).exists():
            return Path(path)
    folder = models_dir / model_id
    if not (folder / "meta.json").exists():
        raise ModelError(f"找不到模型 no model '{model_id}' in {models_dir}; "
                         "see `memberlens models list`")
    return folder


def load(engine: Engine, model_id: str, models_dir: Path) -> RegisteredModel:
    """Read a saved model back; a skops file with unexpected types is refused."""
    folder = _folder(engine, model_id, models_dir)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    clf = MemberClassifier(meta["algorithm"], random_state=meta["config"]["random_state"])
    clf.feature_names_ = list(meta["features"])
    clf.feature_importances_ = pd.Series(meta["importance"], dtype=float)
    if meta["algorithm"] == "lightgbm":
        import lightgbm as lgb

        clf.estimator_ = lgb.Booster(model_file=str(folder / "model.txt"))
    else:
        import skops.io as sio

        path = folder / "model.skops"
        untrusted = set(sio.get_untrusted_types(file=path)) - TRUSTED_TYPES
        if untrusted:
            raise ModelError(f"模型文件含未信任的类型 {path} holds untrusted types "
                             f"{sorted(untrusted)}; it was not written by memberlens")
        clf.estimator_ = sio.load(path, trusted=sorted(TRUSTED_TYPES))
    return RegisteredModel(model_id=meta["model_id"], meta=meta,
                           encoder=FeatureEncoder.from_json(meta["encoder"]), classifier=clf)


def list_models(engine: Engine) -> pd.DataFrame:
    """Every registered model, newest first."""
    if not engine.table_exists(TABLE):
        return pd.DataFrame(columns=["model_id", "model", "algorithm", "created_at",
                                     "train_cutoff", "holdout_cutoff", "roc_auc"])
    frame: pd.DataFrame = engine.frame(
        f"SELECT model_id, model, algorithm, created_at, train_cutoff, holdout_cutoff, "
        f"horizon_days, members, roc_auc, pr_auc, top_decile_lift FROM {TABLE} "
        f"ORDER BY created_at DESC, model_id DESC")
    return frame


def latest(engine: Engine, model: str) -> str:
    """The newest registered model id for a `model_scores` model name (churn, purchase_30d)."""
    if engine.table_exists(TABLE):
        found = engine.scalar(f"SELECT model_id FROM {TABLE} WHERE model = ? OR target = ? "
                              "ORDER BY created_at DESC, model_id DESC LIMIT 1",
                              [model, model])
        if found:
            return str(found)
    raise ModelError(f"没有已训练的模型 no trained model for '{model}': run "
                     f"`memberlens models train {model}` first")


def cutoff_of(meta: dict[str, Any], key: str) -> date:
    return date.fromisoformat(meta["training_window"][key])
