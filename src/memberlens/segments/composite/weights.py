"""Indicator weights: by hand, by the entropy weight method, by AHP, or a mix.

AHP (Saaty): the weights are the principal eigenvector of the pairwise matrix; the
consistency index CI = (λmax − n) / (n − 1) is compared with the random index RI of
matrices of that size, and a matrix with CR = CI / RI ≥ 0.1 is refused, naming the pair
that disagrees most with the rest and the single change that helps most.
Entropy: an indicator on which entities differ more carries more information
(e_j = −Σ p ln p / ln n, w_j ∝ 1 − e_j), on min-max normalised values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .config import CompositeConfig, CompositeConfigError, as_fraction

FloatArray = npt.NDArray[np.float64]
CR_LIMIT = 0.1
# Saaty's random consistency index by matrix size (1980; sizes 11–15 from his later table)
RANDOM_INDEX: dict[int, float] = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24,
                                  7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48,
                                  13: 1.56, 14: 1.57, 15: 1.59}
SAATY_SCALE: tuple[float, ...] = tuple(sorted({*(1 / k for k in range(2, 10)),
                                               *map(float, range(1, 10))}))


class InconsistentJudgmentError(CompositeConfigError):
    """A pairwise matrix with CR ≥ 0.1: the judgements contradict each other."""


@dataclass(frozen=True)
class AhpResult:
    """Weights and consistency of one pairwise matrix."""

    keys: tuple[str, ...]
    matrix: FloatArray
    weights: FloatArray
    lambda_max: float
    ci: float
    ri: float
    cr: float

    @property
    def consistent(self) -> bool:
        return self.cr < CR_LIMIT

    def worst_pair(self) -> tuple[int, int]:
        """The pair whose judgement is furthest from what the weights imply (a_ij vs w_i/w_j)."""
        w = self.weights
        error = np.abs(np.log(self.matrix * w[None, :] / w[:, None]))
        np.fill_diagonal(error, -1.0)
        i, j = np.unravel_index(int(np.argmax(np.triu(error, 1))), error.shape)
        return int(i), int(j)

    def best_change(self) -> tuple[int, int, float, float]:
        """The single judgement (on Saaty's scale) whose change lowers CR the most.

        Returns (i, j, new value, CR after the change).
        """
        n = len(self.keys)
        best = (0, 1, float(self.matrix[0, 1]), self.cr)
        for i in range(n):
            for j in range(i + 1, n):
                for v in SAATY_SCALE:
                    m = self.matrix.copy()
                    m[i, j], m[j, i] = v, 1 / v
                    cr = _consistency(m)[2]
                    if cr < best[3] - 1e-12:
                        best = (i, j, v, cr)
        return best


def _principal(matrix: FloatArray) -> tuple[FloatArray, float]:
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(values[k].real)


def _consistency(matrix: FloatArray) -> tuple[float, float, float]:
    n = matrix.shape[0]
    _, lam = _principal(matrix)
    ci = max(lam - n, 0.0) / (n - 1) if n > 1 else 0.0
    ri = RANDOM_INDEX.get(n, RANDOM_INDEX[15])
    return ci, ri, (ci / ri if ri > 0 else 0.0)


def ahp(matrix: npt.ArrayLike, keys: tuple[str, ...] | list[str]) -> AhpResult:
    """Principal-eigenvector weights, λmax, CI, RI and CR of a reciprocal matrix.

    >>> r = ahp([[1, 3], [1 / 3, 1]], ["a", "b"])
    >>> [round(float(x), 2) for x in r.weights], r.cr
    ([0.75, 0.25], 0.0)
    """
    m = np.asarray(matrix, dtype=np.float64)
    w, lam = _principal(m)
    ci, ri, cr = _consistency(m)
    return AhpResult(keys=tuple(keys), matrix=m, weights=w, lambda_max=lam, ci=ci, ri=ri,
                     cr=cr)


def check_consistency(result: AhpResult, *, file: str | None, field: str,
                      names: dict[str, str] | None = None) -> None:
    """Refuse a matrix with CR ≥ 0.1, saying which judgement to revisit."""
    if result.consistent:
        return
    names = names or {}

    def name(k: int) -> str:
        key = result.keys[k]
        return f"{names.get(key, key)} ({key})" if names.get(key, key) != key else key

    i, j = result.worst_pair()
    implied = result.weights[i] / result.weights[j]
    bi, bj, value, cr_after = result.best_change()
    fix = (f"把 change {name(bi)} → {name(bj)} 从 from {as_fraction(result.matrix[bi, bj])} "
           f"改为 to {as_fraction(value)}: CR → {cr_after:.3f}")
    fix += "" if cr_after < CR_LIMIT else \
        "；仅改一处仍不够，请复核多处判断 one change is not enough: revisit several judgements"
    raise InconsistentJudgmentError(
        f"判断矩阵一致性不足，已拒绝 the pairwise matrix is too inconsistent: "
        f"CR = {result.cr:.3f} ≥ {CR_LIMIT} (λmax = {result.lambda_max:.3f}, "
        f"CI = {result.ci:.3f}, RI = {result.ri:.2f}). "
        f"最不一致的一对 most inconsistent pair: {name(i)} → {name(j)} = "
        f"{as_fraction(result.matrix[i, j])}，其余判断推出约 the other judgements imply about "
        f"{as_fraction(_nearest_saaty(implied))}. 建议 suggestion: {fix}",
        file=file, field=field)


def _nearest_saaty(value: float) -> float:
    return min(SAATY_SCALE, key=lambda s: abs(np.log(s / value)))


@dataclass(frozen=True)
class EntropyResult:
    """Entropy e_j, divergence d_j = 1 − e_j and weights w_j = d_j / Σ d."""

    entropy: FloatArray
    divergence: FloatArray
    weights: FloatArray


def entropy_weights(values: npt.ArrayLike, cost: list[bool] | None = None) -> EntropyResult:
    """Entropy weights of the columns of `values` (rows are entities, no missing values).

    Columns are min-max normalised first (cost columns reversed), then
    p_ij = y_ij / Σ_i y_ij and e_j = −Σ_i p_ij ln p_ij / ln n, with 0 · ln 0 = 0.
    A constant column has e = 1 and weight 0.

    >>> r = entropy_weights([[1, 10], [2, 10], [3, 10]])
    >>> [round(float(w), 3) for w in r.weights]
    [1.0, 0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    n, m = x.shape
    if n < 2:
        raise ValueError("熵权法至少需要 2 个对象 the entropy method needs at least 2 entities")
    y = minmax_columns(x, cost or [False] * m, constant=0.0)
    total = y.sum(axis=0)
    entropy = np.ones(m)
    for j in range(m):
        if total[j] > 0:
            p = y[:, j] / total[j]
            nz = p[p > 0]
            entropy[j] = float(-(nz * np.log(nz)).sum() / np.log(n))
    divergence = 1.0 - entropy
    if divergence.sum() <= 0:
        raise ValueError("所有指标在各对象上都相同，熵权法无法赋权 every indicator is constant "
                         "across entities: the entropy method cannot weight them")
    return EntropyResult(entropy=entropy, divergence=divergence,
                         weights=divergence / divergence.sum())


def minmax_columns(x: FloatArray, cost: list[bool], *, constant: float) -> FloatArray:
    """(x − min)/(max − min), reversed for cost columns; a constant column → `constant`."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    y = (x - lo) / safe
    flip = np.asarray(cost, dtype=bool)
    y[:, flip] = 1.0 - y[:, flip]
    y[:, span <= 0] = constant
    return np.asarray(y, dtype=np.float64)


@dataclass
class WeightReport:
    """Final weights (global, summing to 1) and how they were reached."""

    method: str
    keys: tuple[str, ...]
    weights: FloatArray
    group_weights: dict[str, float] = field(default_factory=dict)
    local_weights: dict[str, float] = field(default_factory=dict)  # within the group
    subjective: FloatArray | None = None
    entropy: EntropyResult | None = None
    ahp: dict[str, AhpResult] = field(default_factory=dict)  # config field → result

    def weight(self, key: str) -> float:
        return float(self.weights[self.keys.index(key)])

    @property
    def total_cr(self) -> float | None:
        """CR of the whole hierarchy (层次总排序): Σ w_g CI_g / Σ w_g RI_g."""
        if not self.ahp:
            return None
        if not self.group_weights:
            return next(iter(self.ahp.values())).cr
        ci = ri = 0.0
        for g, gw in self.group_weights.items():
            r = self.ahp.get(f"groups[{g}].pairwise")
            if r is not None:
                ci, ri = ci + gw * r.ci, ri + gw * r.ri
        return ci / ri if ri > 0 else 0.0


def derive_weights(cfg: CompositeConfig, raw: FloatArray | None = None) -> WeightReport:
    """The weights `cfg` asks for; `raw` (entities × indicators) is needed for entropy."""
    keys = tuple(i.key for i in cfg.indicators)
    method = cfg.weighting.method
    report = WeightReport(method=method, keys=keys, weights=np.zeros(len(keys)))
    subjective: FloatArray | None = None
    if method in ("hand", "ahp") or method == "combined":
        kind = method if method != "combined" else cfg.weighting.subjective
        subjective = _hand(cfg, report) if kind == "hand" else _ahp(cfg, report)
    if method in ("entropy", "combined"):
        if raw is None:
            raise ValueError("熵权法需要数据 the entropy method needs the data")
        try:
            report.entropy = entropy_weights(raw, [i.direction == "cost"
                                                   for i in cfg.indicators])
        except ValueError as e:
            raise CompositeConfigError(str(e), file=cfg.origin or None,
                                       field="weighting.method") from e
    if method == "entropy":
        assert report.entropy is not None  # noqa: S101 - set just above
        report.weights = report.entropy.weights
    elif method == "combined":
        assert report.entropy is not None and subjective is not None  # noqa: S101
        report.subjective = subjective
        a = cfg.weighting.alpha
        report.weights = a * subjective + (1 - a) * report.entropy.weights
    else:
        assert subjective is not None  # noqa: S101 - hand or ahp
        report.weights = subjective
    if cfg.groups:  # what each group adds up to, and each indicator's share within it
        for g in cfg.groups:
            idx = [k for k, i in enumerate(cfg.indicators) if i.group == g.key]
            total = float(report.weights[idx].sum())
            report.group_weights[g.key] = total
            for k in idx:
                share = float(report.weights[k]) / total if total > 0 else 0.0
                report.local_weights[cfg.indicators[k].key] = share
    return report


def _hand(cfg: CompositeConfig, report: WeightReport) -> FloatArray:
    raw = np.array([i.weight or 0.0 for i in cfg.indicators])
    grouped = bool(cfg.groups) and all(g.weight is not None for g in cfg.groups)
    if not grouped:
        if raw.sum() <= 0:
            raise CompositeConfigError("权重之和为 0 the weights add up to 0",
                                       file=cfg.origin or None, field="indicators.weight")
        return np.asarray(raw / raw.sum(), dtype=np.float64)
    gw = np.array([g.weight or 0.0 for g in cfg.groups])
    if gw.sum() <= 0:
        raise CompositeConfigError("分组权重之和为 0 the group weights add up to 0",
                                   file=cfg.origin or None, field="groups.weight")
    gw = gw / gw.sum()
    out = np.zeros(len(cfg.indicators))
    for g, w_g in zip(cfg.groups, gw, strict=True):
        report.group_weights[g.key] = float(w_g)
        idx = [k for k, i in enumerate(cfg.indicators) if i.group == g.key]
        local = raw[idx]
        local = local / local.sum() if local.sum() > 0 else np.full(len(idx), 1 / len(idx))
        for k, lw in zip(idx, local, strict=True):
            report.local_weights[cfg.indicators[k].key] = float(lw)
            out[k] = w_g * lw
    return out


def _ahp(cfg: CompositeConfig, report: WeightReport) -> FloatArray:
    names = {i.key: i.zh for i in cfg.indicators} | {g.key: g.zh for g in cfg.groups}
    pairwise = cfg.weighting.pairwise
    assert pairwise is not None  # noqa: S101 - checked by the config
    top_keys = [g.key for g in cfg.groups] or [i.key for i in cfg.indicators]
    top = ahp(pairwise, top_keys)
    report.ahp["weighting.pairwise"] = top
    check_consistency(top, file=cfg.origin or None, field="weighting.pairwise", names=names)
    if not cfg.groups:
        return top.weights
    out = np.zeros(len(cfg.indicators))
    for g, w_g in zip(cfg.groups, top.weights, strict=True):
        report.group_weights[g.key] = float(w_g)
        idx = [k for k, i in enumerate(cfg.indicators) if i.group == g.key]
        if g.pairwise is None:  # a group of one indicator
            local = np.ones(1)
        else:
            result = ahp(g.pairwise, [cfg.indicators[k].key for k in idx])
            report.ahp[f"groups[{g.key}].pairwise"] = result
            check_consistency(result, file=cfg.origin or None,
                              field=f"groups[{g.key}].pairwise", names=names)
            local = result.weights
        for k, lw in zip(idx, local, strict=True):
            report.local_weights[cfg.indicators[k].key] = float(lw)
            out[k] = w_g * lw
    return out
