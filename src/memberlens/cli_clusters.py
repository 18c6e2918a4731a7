"""`memberlens clusters …`: run, list, show and rename member clusterings.

Each command parses its options, calls one function of
:mod:`memberlens.segments.clusters` and prints what it returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from .cli_common import console, fail, settings_of
from .errors import MemberlensError

if TYPE_CHECKING:
    from .segments.clusters import ClusterProfile, ClusterRun
    from .tags import Catalog, TagDefinition

clusters_app = typer.Typer(help="聚类 member clustering: run, list, show, rename",
                           no_args_is_help=True)

_TEXT: dict[str, tuple[str, str]] = {
    "search": ("选择 k（{method}）：轮廓系数最高者当选", "Choosing k ({method}): the "
               "highest silhouette wins"),
    "elbow": ("组内平方和即肘部图的纵轴", "Within SS is the elbow curve"),
    "silhouette": ("轮廓系数", "Silhouette"), "inertia": ("组内平方和", "Within SS"),
    "chosen": ("◀ 选中", "◀ chosen"), "fixed": ("（指定 k）", "(k given)"),
    "run": ("聚类运行 #{run}：{method}，k={k}，{members} 位{population}，画像日 {as_of}，"
            "耗时 {seconds} 秒", "Cluster run #{run}: {method}, k={k}, {members} "
            "{population}, profile of {as_of}, {seconds} s"),
    "buyers": ("购买会员", "buyers"), "all": ("会员", "members"),
    "features": ("特征：{features}（log1p：{logged}）", "Features: {features} (log1p: "
                 "{logged})"),
    "id": ("编号", "#"), "name": ("名称", "Name"), "members": ("会员数", "Members"),
    "share": ("占比", "Share"), "revenue_share": ("销售额占比", "Revenue share"),
    "apart": ("显著特征（标准化差异）", "Sets it apart (standardised difference)"),
    "tags": ("突出标签（提升度）", "Over-represented tags (lift)"),
    "descriptions": ("说明", "Descriptions"),
    "tag_hint": ("已写入标签 cluster_id、cluster_name；改名：memberlens clusters rename "
                 "{run} 编号 新名称", "Written to the tags cluster_id and cluster_name; "
                 "rename with: memberlens clusters rename {run} CLUSTER NAME"),
    "runs": ("聚类运行", "Cluster runs"), "created": ("时间", "Created"),
    "method": ("方法", "Method"), "as_of": ("画像日", "Profile"),
    "names": ("聚类名称", "Cluster names"), "k": ("k", "k"),
    "none": ("还没有聚类运行", "No cluster runs yet"),
    "renamed": ("已改名：运行 #{run} 第 {cluster} 类 → {name}",
                "Renamed: run #{run} cluster {cluster} → {name}"),
}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _k(text: str) -> int | str:
    if text == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise typer.BadParameter("k 应为 auto 或整数 k must be 'auto' or an integer") from None


@clusters_app.command("run")
def run(
    ctx: typer.Context,
    method: Annotated[str, typer.Option(help="方法 method: kmeans | twostep | som")] =
        "kmeans",
    k: Annotated[str, typer.Option("--k", help="类数 number of clusters: auto (silhouette) "
                                               "or N")] = "auto",
    features: Annotated[list[str] | None, typer.Option(
        "--features", "-f", help="数值标签 numeric tags to cluster on (repeatable or "
                                 "comma-separated; default: behaviour and value tags)")] = None,
    population: Annotated[str, typer.Option(
        help="聚类对象 who is clustered: buyers (default) | all")] = "buyers",
    sample: Annotated[int, typer.Option(help="训练与选择 k 的样本量 members sampled to "
                                             "train and choose k")] = 20_000,
    seed: Annotated[int, typer.Option(help="随机种子 random seed")] = 0,
) -> None:
    """运行聚类 Cluster the profiled members, profile and name the clusters, write the
    cluster tags."""
    from .engine import open_engine
    from .segments.clusters import run_clustering
    from .tags import load_catalog

    settings = settings_of(ctx)
    lang = settings.language
    keys = [f.strip() for item in features or [] for f in item.split(",") if f.strip()]
    try:
        catalog = load_catalog(settings.tag_dirs)
        engine = open_engine(settings)
        try:
            with console.status("clusters …"):
                result = run_clustering(engine, catalog, method=method, k=_k(k),
                                        features=keys or None, population=population,
                                        sample_size=sample, seed=seed, lang=lang)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, lang) from e
    _print_run(result, lang, catalog)
    console.print(_t("tag_hint", lang, run=result.run_id), highlight=False)


@clusters_app.command("list")
def list_runs(ctx: typer.Context) -> None:
    """列出聚类运行 List the saved cluster runs."""
    from .engine import open_engine
    from .segments.clusters import list_runs as saved_runs

    settings = settings_of(ctx)
    lang = settings.language
    try:
        engine = open_engine(settings)
        try:
            runs = saved_runs(engine)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, lang) from e
    if not runs:
        console.print(_t("none", lang))
        return
    t = Table(title=_t("runs", lang), title_justify="left")
    for col in ("id", "created", "method", "k", "members", "as_of", "silhouette", "names"):
        t.add_column(_t(col, lang), overflow="fold",
                     justify="right" if col in ("k", "members", "silhouette") else "left")
    for r in runs:
        t.add_row(str(r.run_id), f"{r.created_at:%Y-%m-%d %H:%M}", r.method, str(r.k),
                  f"{r.members:,}", str(r.as_of), _num(r.silhouette),
                  "、".join(p.display_name(lang) for p in r.profiles))
    console.print(t)


@clusters_app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[int | None, typer.Argument(metavar="[RUN]",
                                                 help="运行编号 run (default: latest)")] = None,
) -> None:
    """查看聚类 Show a run's k search and cluster profiles."""
    from .engine import open_engine
    from .segments.clusters import get_run
    from .tags import load_catalog

    settings = settings_of(ctx)
    try:
        catalog = load_catalog(settings.tag_dirs)
        engine = open_engine(settings)
        try:
            result = get_run(engine, run_id)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, settings.language) from e
    _print_run(result, settings.language, catalog)


@clusters_app.command("rename")
def rename(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="运行编号 run")],
    cluster: Annotated[int, typer.Argument(metavar="CLUSTER", help="聚类编号 cluster")],
    name: Annotated[str, typer.Argument(help="新名称 new name")],
    description: Annotated[str | None, typer.Option(help="说明 description")] = None,
) -> None:
    """聚类改名 Rename a cluster; its members' cluster_name tag follows."""
    from .engine import open_engine
    from .segments.clusters import rename_cluster
    from .tags import load_catalog

    settings = settings_of(ctx)
    lang = settings.language
    try:
        catalog = load_catalog(settings.tag_dirs)
        engine = open_engine(settings)
        try:
            renamed = rename_cluster(engine, catalog, run_id, cluster, name, description)
        finally:
            engine.close()
    except MemberlensError as e:
        raise fail(e, lang) from e
    console.print(_t("renamed", lang, run=run_id, cluster=cluster, name=renamed.name),
                  highlight=False)


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _print_run(r: ClusterRun, lang: str, catalog: Catalog) -> None:
    console.print(_t("run", lang, run=r.run_id, method=r.method, k=r.k,
                     members=f"{r.members:,}", population=_t(r.population, lang),
                     as_of=r.as_of, seconds=r.seconds), style="bold", highlight=False)
    console.print(_t("features", lang, features=", ".join(r.features),
                     logged=", ".join(r.log_features) or "—"), highlight=False)
    search = Table(title=_t("search", lang, method=r.method) if r.auto_k
                   else f"k = {r.k} {_t('fixed', lang)}", title_justify="left",
                   caption=_t("elbow", lang) if r.auto_k else None, caption_justify="left")
    search.add_column("k", justify="right")
    search.add_column(_t("silhouette", lang), justify="right")
    search.add_column(_t("inertia", lang), justify="right")
    search.add_column("")
    for s in r.search:
        search.add_row(str(s.k), _num(s.silhouette), f"{s.inertia:,.0f}",
                       _t("chosen", lang) if s.k == r.k else "",
                       style="bold green" if s.k == r.k else None)
    console.print(search)
    console.print(_profiles_table(r.profiles, lang, catalog))
    console.print(_t("descriptions", lang), style="bold")
    for p in r.profiles:
        colon = "：" if lang == "zh" else ": "
        console.print(f"  {p.cluster_id}. {p.display_name(lang)}{colon}"
                      f"{p.display_description(lang)}", highlight=False)


def _label(tags: dict[str, TagDefinition], key: str, lang: str) -> str:
    return tags[key].label(lang) if key in tags else key


def _profiles_table(profiles: tuple[ClusterProfile, ...], lang: str, catalog: Catalog
                    ) -> Table:
    tags = catalog.tags
    t = Table(show_lines=True)
    for col in ("id", "name", "members", "share", "revenue_share", "apart", "tags"):
        t.add_column(_t(col, lang), overflow="fold",
                     justify="right" if col in ("id", "members", "share", "revenue_share")
                     else "left")
    for p in profiles:
        apart = "\n".join(f"{f.z:+.1f} {_label(tags, f.key, lang)}"
                          for f in p.distinguishing()[:4])
        lifts = "\n".join(f"{_label(tags, lift.key, lang)}={lift.value} ×{lift.lift:.1f}"
                          for lift in p.lifts[:3])
        t.add_row(str(p.cluster_id), p.display_name(lang), f"{p.size:,}", f"{p.share:.1%}",
                  "—" if p.revenue_share is None else f"{p.revenue_share:.1%}", apart, lifts)
    return t
