"""One binary classifier, several algorithms: LightGBM by default, scikit-learn by name.

`MemberClassifier` keeps the scikit-learn contract (``__init__`` stores settings, ``fit``
returns self, learned attributes end in ``_``). Per-member drivers:

- ``lightgbm``: SHAP values from ``pred_contrib=True`` (exact for trees);
- ``logistic``: coefficient × standardised value (the term's share of the logit);
- ``decision_tree``, ``random_forest``, ``svm``, ``mlp``: no per-member drivers; only the
  global importance (impurity for trees, permutation importance for SVM and MLP).

The SVM trains on a sample (`svm_sample` rows; its cost grows with the square of the
rows) and gets probabilities by isotonic/sigmoid calibration (``CalibratedClassifierCV``).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from .features import ModelError

ALGORITHMS = ("lightgbm", "decision_tree", "random_forest", "svm", "logistic", "mlp")
LGB_PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "verbose": -1, "num_threads": 0,
}
LGB_ROUNDS = 200


def _sklearn_estimator(algorithm: str, random_state: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    model: Any
    scale = True
    if algorithm == "decision_tree":
        model, scale = DecisionTreeClassifier(max_depth=6, min_samples_leaf=30,
                                              random_state=random_state), False
    elif algorithm == "random_forest":
        model, scale = RandomForestClassifier(n_estimators=200, min_samples_leaf=10, n_jobs=-1,
                                              random_state=random_state), False
    elif algorithm == "svm":
        model = CalibratedClassifierCV(SVC(C=1.0, kernel="rbf", random_state=random_state),
                                       method="sigmoid", cv=3)
    elif algorithm == "logistic":
        model = LogisticRegression(C=1.0, max_iter=2000)
    else:
        model = MLPClassifier(hidden_layer_sizes=(32, 16), alpha=1e-3, early_stopping=True,
                              max_iter=300, random_state=random_state)
    steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median",
                                                             keep_empty_features=True))]
    if scale:
        steps.append(("scale", StandardScaler()))
    steps.append(("model", model))
    return Pipeline(steps)


class MemberClassifier:
    """Probability that a member is positive (churns, buys) from the feature matrix.

    Parameters
    ----------
    algorithm : one of ``ALGORITHMS``.
    random_state : seeds the learner and the SVM's sample.
    svm_sample : most rows the SVM trains on.
    """

    estimator_: Any            # lightgbm.Booster or a scikit-learn Pipeline
    feature_names_: list[str]
    feature_importances_: pd.Series

    def __init__(self, algorithm: str = "lightgbm", random_state: int = 0,
                 svm_sample: int = 3000) -> None:
        self.algorithm = algorithm
        self.random_state = random_state
        self.svm_sample = svm_sample

    def fit(self, X: pd.DataFrame, y: pd.Series) -> Self:
        if self.algorithm not in ALGORITHMS:
            raise ModelError(f"未知算法 unknown algorithm '{self.algorithm}': "
                             f"{' | '.join(ALGORITHMS)}")
        if y.nunique() < 2:
            raise ModelError("训练标签只有一类 the training labels have one class only: "
                             "choose another cut-off or a longer window")
        self.feature_names_ = list(X.columns)
        values, target = X.to_numpy(np.float64), y.to_numpy(np.int64)
        if self.algorithm == "lightgbm":
            import lightgbm as lgb

            params = dict(LGB_PARAMS, seed=self.random_state)
            data = lgb.Dataset(values, target, feature_name=self.feature_names_,
                               free_raw_data=False)
            self.estimator_ = lgb.train(params, data, num_boost_round=LGB_ROUNDS)
            gain = self.estimator_.feature_importance(importance_type="gain")
            self.feature_importances_ = self._importance(gain)
            return self
        if self.algorithm == "svm" and len(values) > self.svm_sample:
            rng = np.random.default_rng(self.random_state)
            pick = rng.choice(len(values), self.svm_sample, replace=False)
            values, target = values[pick], target[pick]
        self.estimator_ = _sklearn_estimator(self.algorithm, self.random_state)
        self.estimator_.fit(values, target)
        self.feature_importances_ = self._importance(self._sklearn_importance(values, target))
        return self

    def _importance(self, raw: Any) -> pd.Series:
        imp = pd.Series(np.asarray(raw, dtype=np.float64), index=self.feature_names_)
        total = imp.abs().sum()
        return (imp.abs() / total if total > 0 else imp.abs()).sort_values(ascending=False)

    def _sklearn_importance(self, values: np.ndarray, target: np.ndarray) -> Any:
        model = self.estimator_.named_steps["model"]
        if hasattr(model, "feature_importances_"):
            return model.feature_importances_
        if self.algorithm == "logistic":
            return model.coef_[0]
        from sklearn.inspection import permutation_importance

        n = min(len(values), 500)  # one pass per feature: the SVM's predict is slow
        result = permutation_importance(self.estimator_, values[:n], target[:n],
                                        scoring="roc_auc", n_repeats=1,
                                        random_state=self.random_state)
        return np.maximum(result.importances_mean, 0.0)

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "estimator_"):
            raise ModelError("模型尚未训练 the model is not trained: call fit() first")
        missing = [c for c in self.feature_names_ if c not in X.columns]
        if missing:
            raise ModelError(f"缺少特征列 missing feature column(s) {missing[:5]}")
        return X[self.feature_names_].to_numpy(np.float64)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Columns P(negative), P(positive), as scikit-learn returns them."""
        values = self._matrix(X)
        if self.algorithm == "lightgbm":
            p = np.asarray(self.estimator_.predict(values), dtype=np.float64)
        else:
            p = np.asarray(self.estimator_.predict_proba(values)[:, 1], dtype=np.float64)
        return np.column_stack([1.0 - p, p])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame | None:
        """Per member and feature, the push towards positive; None if not available."""
        values = self._matrix(X)
        if self.algorithm == "lightgbm":
            contrib = np.asarray(self.estimator_.predict(values, pred_contrib=True))
            return pd.DataFrame(contrib[:, :-1], index=X.index, columns=self.feature_names_)
        if self.algorithm == "logistic":
            pipe = self.estimator_
            scaled = pipe.named_steps["scale"].transform(pipe.named_steps["impute"]
                                                         .transform(values))
            coef = pipe.named_steps["model"].coef_[0]
            return pd.DataFrame(scaled * coef, index=X.index, columns=self.feature_names_)
        return None


def top_drivers(contrib: pd.DataFrame | None, n: int = 3) -> pd.Series:
    """The `n` features pushing each member most towards positive, comma-separated."""
    if contrib is None:
        return pd.Series(dtype=object)
    values = contrib.to_numpy()
    order = np.argsort(-values, axis=1)[:, :n]
    names = np.asarray(contrib.columns)
    out = [", ".join(names[row][values[i, row] > 0]) or None for i, row in enumerate(order)]
    return pd.Series(out, index=contrib.index, dtype=object)
