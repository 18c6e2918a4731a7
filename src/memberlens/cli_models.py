"""`memberlens models …`: train, evaluate, score, list and show predictive models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from .cli_common import console, fail, settings_of
from .errors import MemberlensError

if TYPE_CHECKING:
    from .engine.base import Engine
    from .models.evaluation import Evaluation

models_app = typer.Typer(help="预测模型 predictive models: train, evaluate, score, list, show",
                         no_args_is_help=True)

ModelsDirOpt = Annotated[Path | None, typer.Option(
    "--models-dir", envvar="MEMBERLENS_MODELS_DIR",
    help="模型目录 where models are saved (default: models/ next to the warehouse)")]


def _zh(ctx: typer.Context) -> bool:
    return settings_of(ctx).language == "zh"


def _dir(ctx: typer.Context, models_dir: Path | None) -> Path:
    from .models.registry import default_models_dir

    return models_dir or default_models_dir(settings_of(ctx).warehouse)


@contextmanager
def _engine(ctx: typer.Context) -> Iterator[Engine]:
    from .engine import open_engine

    settings = settings_of(ctx)
    try:
        engine = open_engine(settings)
        try:
            yield engine
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _print_evaluation(ev: Evaluation, zh: bool, title: str) -> None:
    console.print(f"[bold]{title}[/]  ROC AUC {ev.roc_auc:.3f} · PR AUC {ev.pr_auc:.3f} · "
                  f"Brier {ev.brier:.3f} · {'正例率' if zh else 'positive rate'} "
                  f"{ev.positive_rate:.1%} · n={ev.members:,}")
    t = Table(title="提升与增益（按分数十分位）" if zh else "Lift and gains by score decile",
              title_justify="left")
    for col in ("decile", "members", "rate", "lift", "cum. gain", "cum. lift", "min score"):
        t.add_column(col, justify="right")
    for row in ev.deciles:
        t.add_row(f"{int(row['decile'])}", f"{int(row['members']):,}", f"{row['rate']:.1%}",
                  f"{row['lift']:.2f}", f"{row['cumulative_gain']:.1%}",
                  f"{row['cumulative_lift']:.2f}", f"{row['min_score']:.3f}")
    console.print(t)
    cal = ", ".join(f"{c['predicted']:.2f}→{c['observed']:.2f}" for c in ev.calibration)
    console.print(("校准（预测→实际）: " if zh else "Calibration (predicted→observed): ") + cal)


@models_app.command("train")
def train_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="churn | purchase | engagement")],
    algorithm: Annotated[str, typer.Option(
        help="lightgbm | decision_tree | random_forest | svm | logistic | mlp")] = "lightgbm",
    horizon: Annotated[int | None, typer.Option(
        help="标签窗口天数 label window in days (churn 90, purchase and engagement 30)")] = None,
    active_days: Annotated[int, typer.Option(
        help="流失人群：截止前N天内有购买 churn population: bought in the last N days")] = 180,
    category: Annotated[str | None, typer.Option(
        help="购买倾向的品类 category for the purchase target (level 1 or leaf)")] = None,
    cutoff: Annotated[str | None, typer.Option(help="训练截止日 training cut-off T1")] = None,
    holdout: Annotated[str | None, typer.Option(
        help="留出截止日 holdout cut-off T2 (default: newest complete window)")] = None,
    models_dir: ModelsDirOpt = None,
) -> None:
    """训练并登记模型 Train on T1, evaluate on the later holdout T2, and register."""
    from .models.labels import LabelSpec
    from .models.registry import save
    from .models.training import train

    zh = _zh(ctx)
    with _engine(ctx) as engine:
        try:
            spec = LabelSpec(target=target,  # type: ignore[arg-type]
                             horizon_days=horizon or (90 if target == "churn" else 30),
                             active_days=active_days, category=category)
            with console.status("training …"):
                model = train(engine, spec, algorithm=algorithm, train_cutoff=_day(cutoff),
                              holdout_cutoff=_day(holdout))
            model_id = save(engine, model, _dir(ctx, models_dir))
        except MemberlensError as e:
            raise fail(e, settings_of(ctx).language) from e
    console.print(f"{'已登记模型' if zh else 'Registered'} [bold]{model_id}[/] "
                  f"({model.train_members:,} {'名会员' if zh else 'members'}, "
                  f"T1={model.train_cutoff}, T2={model.holdout_cutoff}, {model.seconds}s)")
    _print_evaluation(model.holdout, zh, "留出评估 Holdout" if zh else "Holdout")
    top = model.classifier.feature_importances_.head(10)
    console.print(("主要特征: " if zh else "Top features: ")
                  + ", ".join(f"{k} {v:.1%}" for k, v in top.items()))


@models_app.command("evaluate")
def evaluate_cmd(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(help="模型编号 model id (see `models list`)")],
    cutoff: Annotated[str | None, typer.Option(
        help="评估截止日 cut-off (default: newest complete label window)")] = None,
    models_dir: ModelsDirOpt = None,
) -> None:
    """评估模型 Evaluate a saved model on a cut-off with a complete label window."""
    from datetime import timedelta

    from .models.evaluation import evaluate
    from .models.labels import data_end, training_set
    from .models.registry import load

    zh = _zh(ctx)
    with _engine(ctx) as engine:
        try:
            model = load(engine, model_id, _dir(ctx, models_dir))
            day = _day(cutoff) or data_end(engine) - timedelta(days=model.spec.horizon_days)
            data = training_set(engine, model.spec, day)
            p = model.classifier.predict_proba(model.encoder.transform(data.frame, day))
            ev = evaluate(data.y, p[:, 1])
        except MemberlensError as e:
            raise fail(e, settings_of(ctx).language) from e
    _print_evaluation(ev, zh, f"{model_id} @ {day}")


@models_app.command("score")
def score_cmd(
    ctx: typer.Context,
    model_id: Annotated[str | None, typer.Argument(
        help="模型编号或名称 model id, or churn | purchase_30d (newest of that model)")] = None,
    clv: Annotated[bool, typer.Option(
        "--clv", help="同时计算 BG/NBD+Gamma-Gamma: clv_12m, p_alive, next_purchase_days")
    ] = False,
    price: Annotated[bool, typer.Option(
        "--price", help="价格敏感度 price_sensitivity_score (empirical Bayes)")] = False,
    wallet: Annotated[bool, typer.Option(
        "--wallet", help="钱包估计 wallet_estimate (0.9-quantile next-year spend)")] = False,
    models_dir: ModelsDirOpt = None,
) -> None:
    """写入预测标签 Score members and write the predictive tags into the profile."""
    from .models.churn import TIER_LABELS, TIERS, action
    from .models.registry import latest, load
    from .models.scoring import (
        score,
        score_lifetime_value,
        score_price_sensitivity,
        score_wallet,
    )

    lang = settings_of(ctx).language
    zh = lang == "zh"
    if model_id is None and not (clv or price or wallet):
        raise typer.BadParameter("give a model id, --clv, --price or --wallet")
    with _engine(ctx) as engine:
        try:
            if model_id is not None:
                mid = model_id if "-" in model_id else latest(engine, model_id)
                result = score(engine, load(engine, mid, _dir(ctx, models_dir)))
                console.print(f"{result.model_id}: {len(result.scores):,} "
                              f"{'名会员已评分' if zh else 'members scored'} "
                              f"(as of {result.as_of}) → {', '.join(result.profile_tags)}")
                if "risk" in result.scores:
                    t = Table(title="流失风险与建议动作" if zh else "Churn risk and actions",
                              title_justify="left")
                    for col in ("tier", "members", "mean p", "action"):
                        t.add_column(col)
                    for tier in TIERS:
                        g = result.scores[result.scores["risk"] == tier]
                        t.add_row(TIER_LABELS[tier][0 if zh else 1], f"{len(g):,}",
                                  f"{g['probability'].mean():.2f}", action(tier, lang))
                    console.print(t)
            if clv:
                res = score_lifetime_value(engine)
                console.print(f"CLV: {len(res.scores):,} {'名会员' if zh else 'members'} → "
                              f"{', '.join(res.profile_tags)}")
            for wanted, run in ((price, score_price_sensitivity), (wallet, score_wallet)):
                if wanted:
                    res = run(engine)
                    console.print(f"{res.model}: {len(res.scores):,} "
                                  f"{'名会员' if zh else 'members'} → "
                                  f"{', '.join(res.profile_tags)}")
        except MemberlensError as e:
            raise fail(e, lang) from e


@models_app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(
        help="next_purchase | price_sensitivity | wallet")],
) -> None:
    """回测 Judge next-purchase days, price sensitivity or the wallet on the last year."""
    from .models.next_purchase import evaluate_next_purchase
    from .models.price_sensitivity import evaluate_price_sensitivity
    from .models.wallet import evaluate_wallet

    checks: dict[str, Callable[[Engine], Any]] = {"next_purchase": evaluate_next_purchase,
              "price_sensitivity": evaluate_price_sensitivity, "wallet": evaluate_wallet}
    if what not in checks:
        raise typer.BadParameter(f"{what}: one of {' | '.join(checks)}")
    with _engine(ctx) as engine:
        try:
            result = checks[what](engine)
        except MemberlensError as e:
            raise fail(e, settings_of(ctx).language) from e
    for key, value in result.to_json().items():
        console.print(f"{key}: {value:.4g}" if isinstance(value, float)
                      else f"{key}: {value}")


@models_app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """列出已登记模型 List registered models, newest first."""
    from .models.registry import list_models

    with _engine(ctx) as engine:
        frame = list_models(engine)
    t = Table(title_justify="left")
    for col in ("model_id", "model", "T1", "T2", "AUC", "PR AUC", "lift@10%"):
        t.add_column(col, no_wrap=True)
    for r in frame.itertuples():
        t.add_row(str(r.model_id), str(r.model), str(r.train_cutoff), str(r.holdout_cutoff),
                  f"{r.roc_auc:.3f}", f"{r.pr_auc:.3f}", f"{r.top_decile_lift:.2f}")
    console.print(t)


@models_app.command("show")
def show_cmd(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(help="模型编号 model id")],
    models_dir: ModelsDirOpt = None,
) -> None:
    """查看模型与漂移 Show a model's configuration, metrics, importance and drift."""
    from .models.monitoring import monitor
    from .models.registry import load

    zh = _zh(ctx)
    with _engine(ctx) as engine:
        try:
            model = load(engine, model_id, _dir(ctx, models_dir))
            report = monitor(engine, model)
        except MemberlensError as e:
            raise fail(e, settings_of(ctx).language) from e
    meta = model.meta
    w = meta["training_window"]
    console.print(f"[bold]{model_id}[/] {meta['model']} · {meta['algorithm']} · "
                  f"T1={w['train_cutoff']} T2={w['holdout_cutoff']} H={w['horizon_days']}d · "
                  f"{len(meta['features'])} features · config {meta['config']}")
    m = meta["metrics"]
    console.print(f"Holdout: ROC AUC {m['roc_auc']:.3f} · PR AUC {m['pr_auc']:.3f} · "
                  f"lift@10% {m['top_decile_lift']:.2f}")
    top = list(meta["importance"].items())[:10]
    console.print(("主要特征: " if zh else "Top features: ")
                  + ", ".join(f"{k} {v:.1%}" for k, v in top))
    auc = f"{report.current_auc:.3f}" if report.current_auc is not None else "—"
    console.print(f"{'当前' if zh else 'Now'}: AUC @ {report.current_cutoff} = {auc}; "
                  f"PSI score = {report.score_psi}; PSI top: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in report.top_features(5)))
    if report.retrain:
        console.print(("[bold red]建议重新训练[/] " if zh else "[bold red]Retrain[/] ")
                      + "; ".join(report.reasons))
    else:
        console.print("无需重新训练" if zh else "No retraining needed")
