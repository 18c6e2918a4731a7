"""Every word the member report shows, in Chinese (default) and English.

Kept apart from the template so a marketer's wording fix is a one-line change here,
and so tests can check that the English report has no Chinese UI text left over.

Examples
--------
>>> reason_label("invalid_phone", "zh")
'手机号无效'
>>> reason_label("some_new_code", "zh")
'some_new_code'
"""

from __future__ import annotations

from typing import Final, Literal

from memberlens.ingest.summary import REASON_LABELS, reason_label

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")

# Reason codes and their wording belong to the ingest cleaning rules; an unknown code is
# shown as-is, so a new rule never breaks the report.
__all__ = ["LANGS", "REASON_LABELS", "UI_TEXT", "Lang", "reason_label"]


_ZH: Final[dict[str, str]] = {
    "html_lang": "zh-CN",
    "generated_at": "生成时间",
    "warehouse": "数据仓库",
    "as_of": "数据截至",
    "print": "打印 / 导出 PDF",
    "kpi_members": "会员总数",
    "kpi_buyers": "购买会员",
    "kpi_buyers_note": "占会员 {share}",
    "kpi_orders": "订单数",
    "kpi_orders_note": "人均 {per_buyer} 单",
    "kpi_revenue": "销售额",
    "kpi_revenue_note": "客单价 {aov}",
    "kpi_period": "订单区间",
    "kpi_period_note": "截至 {as_of}",
    "rfm_title": "RFM 客户分层",
    "rfm_desc": "按最近消费（R）、消费频次（F）、消费金额（M）把会员分为 8 类，"
    "对比每类的会员占比与销售额占比。",
    "col_segment": "客户分类",
    "col_code": "代码",
    "col_members": "会员数",
    "col_member_share": "会员占比",
    "col_revenue": "销售额",
    "col_revenue_share": "销售额占比",
    "total": "合计",
    "pareto_title": "帕累托曲线：销售额集中度",
    "pareto_headline": "前 {members} 会员贡献 {revenue} 销售额",
    "pareto_desc": "会员按消费额从高到低排序后，累计会员占比与累计销售额占比的关系；"
    "虚线为人人贡献相同时的参考线。",
    "pareto_x": "累计会员占比",
    "pareto_y": "累计销售额占比",
    "pareto_series": "累计销售额占比",
    "pareto_diagonal": "均匀分布参考线",
    "monthly_title": "月度销售额与活跃会员",
    "monthly_desc": "柱为每月销售额（左轴），线为当月有购买的会员数（右轴）。",
    "monthly_sales": "销售额",
    "monthly_active": "活跃会员",
    "monthly_orders": "订单数",
    "trend_title": "消费趋势：客单价与新老客",
    "trend_desc": "上图为每月销售额（左轴）与客单价（右轴）；下图为每月购买会员中的新客"
    "（当月首次购买）与老客。",
    "trend_headline": "近 {months} 个月客单价 {aov}，老客占购买会员 {share}",
    "trend_aov": "客单价",
    "trend_new": "新客",
    "trend_returning": "老客",
    "trend_buyers": "购买会员",
    "activity_title": "会员活跃度：分布与迁移",
    "activity_desc": "每个快照日的活跃、沉默、流失会员数（柱内为占比）；热力图为相邻两个快照之间"
    "各状态会员的去向，按行计算占比，“新增”行为后一快照才出现的会员。",
    "activity_headline": "{date}：活跃会员 {active}（占 {share}），上期活跃会员中 {lost} "
    "转为沉默或流失",
    "activity_chart": "各快照日的活跃度分布",
    "migration_chart": "状态迁移（行：{date_from}，列：{date_to}）",
    "migration_new": "新增",
    "migration_row_share": "占该行",
    "rfm_migration_title": "RFM 客户分类迁移",
    "rfm_migration_desc": "相邻两个快照之间会员在 8 类 RFM 客户之间的流动，按行计算占比；"
    "“未购买”为尚无购买记录的会员，“新增”为后一快照才出现的会员。",
    "rfm_migration_headline": "{date_from} → {date_to}：{stay} 的会员保持原分类，"
    "{first} 位会员首次购买后进入分类",
    "cohort_title": "新会员留存：按注册月",
    "cohort_desc": "每行是一个注册月的会员，第 k 列为注册后第 k 个月有购买的会员占比"
    "（第 0 月即注册当月）；末行为按人数加权的平均。",
    "cohort_headline": "注册当月购买率 {m0}，次月 {m1}，第 3 个月 {m3}",
    "cohort_offset": "第 {k} 月",
    "cohort_row": "{month}（{members} 人）",
    "cohort_mean": "加权平均",
    "cohort_x": "注册后月份",
    "cohort_share": "购买会员占比",
    "funnel_title": "渠道转化漏斗：浏览 → 加购 → 下单",
    "funnel_desc": "{start} 至 {end} 期间在各渠道有浏览的会员，浏览后 {days} 天内在同一渠道加购、"
    "再下单的人数与转化率。按会员而非会话统计：行为数据没有会话标识，营销的对象也是会员；"
    "一位会员可在多个渠道出现，因此各渠道之和大于“全部渠道”。",
    "funnel_headline": "浏览后 {days} 天内下单的会员占 {rate}",
    "funnel_view": "浏览",
    "funnel_cart": "加购",
    "funnel_order": "下单",
    "col_channel": "渠道",
    "col_view_to_cart": "浏览→加购",
    "col_cart_to_order": "加购→下单",
    "col_view_to_order": "浏览→下单",
    "cluster_title": "会员聚类：画像与命名",
    "cluster_desc": "按行为与价值特征（标准化后）对会员聚类。左图：各 k 的轮廓系数（越高越好，"
    "用于自动选 k）与组内平方和（肘部图）；右图：各类的会员占比与销售额占比；热力图：各类在每个"
    "特征上与总体的标准化差异（红高蓝低）。名称为系统按特征建议，营销人员可修改"
    "（memberlens clusters rename），并已写入标签 cluster_id / cluster_name。",
    "cluster_headline": "{method}将 {members} {population}分为 {k} 类（轮廓系数 {silhouette}）；"
    "“{top}”占会员 {share}，贡献 {revenue} 销售额",
    "cluster_kmeans": "K-Means 聚类",
    "cluster_twostep": "两步聚类",
    "cluster_som": "自组织映射聚类",
    "cluster_buyers": "位购买会员",
    "cluster_all": "名会员",
    "cluster_silhouette": "轮廓系数",
    "cluster_inertia": "组内平方和",
    "cluster_chosen": "选中",
    "cluster_k_chart": "k 的选择：轮廓系数与肘部图",
    "cluster_sizes_chart": "各类的会员占比与销售额占比",
    "cluster_profile_chart": "各类特征画像（与总体的标准化差异）",
    "cluster_z": "标准化差异",
    "col_cluster": "编号",
    "col_cluster_name": "名称",
    "col_apart": "显著特征",
    "col_over": "突出标签",
    "col_description": "说明",
    "cluster_lift": "{share}，总体的 {lift} 倍",
    "cleaning_title": "数据清洗摘要",
    "cleaning_desc": "每次导入的行数去向，以及被拒绝或标记的原因。",
    "cleaning_chart": "拒绝与标记原因",
    "cleaning_rows": "行数",
    "col_run": "批次",
    "col_table": "表",
    "col_file": "文件",
    "col_rows_in": "输入行数",
    "col_loaded": "已入库",
    "col_rejected": "已拒绝",
    "col_duplicates": "重复",
    "col_flagged": "已标记",
    "col_cleared": "清空字段",
    "col_reasons": "原因",
    "no_data": "暂无数据",
    "no_cleaning": "没有导入记录。",
    "echarts_failed": "图表组件加载失败，图表无法显示；下方表格中的数据不受影响。"
    "请用较新版本的 Chrome、Edge 或 Safari 打开本文件。",
    "chart_failed": "该图表渲染失败。",
    "footer": "由 memberlens 生成 · 图表基于 Apache ECharts（Apache-2.0）· 本文件可离线打开",
}

_EN: Final[dict[str, str]] = {
    "html_lang": "en",
    "generated_at": "Generated",
    "warehouse": "Warehouse",
    "as_of": "Data as of",
    "print": "Print / save as PDF",
    "kpi_members": "Members",
    "kpi_buyers": "Buyers",
    "kpi_buyers_note": "{share} of members",
    "kpi_orders": "Orders",
    "kpi_orders_note": "{per_buyer} per buyer",
    "kpi_revenue": "Revenue",
    "kpi_revenue_note": "Average order {aov}",
    "kpi_period": "Order period",
    "kpi_period_note": "As of {as_of}",
    "rfm_title": "RFM segments",
    "rfm_desc": "Members split into 8 segments by recency (R), frequency (F) and "
    "monetary value (M); each segment's share of members next to its share of revenue.",
    "col_segment": "Segment",
    "col_code": "Code",
    "col_members": "Members",
    "col_member_share": "Member share",
    "col_revenue": "Revenue",
    "col_revenue_share": "Revenue share",
    "total": "Total",
    "pareto_title": "Pareto curve: revenue concentration",
    "pareto_headline": "Top {members} of members bring {revenue} of revenue",
    "pareto_desc": "Members sorted by revenue, highest first: cumulative share of members "
    "against cumulative share of revenue. The dashed line is what equal spending would give.",
    "pareto_x": "Cumulative share of members",
    "pareto_y": "Cumulative share of revenue",
    "pareto_series": "Cumulative revenue share",
    "pareto_diagonal": "Equal-spend reference",
    "monthly_title": "Monthly sales and active members",
    "monthly_desc": "Bars: sales per month (left axis). Line: members who bought "
    "that month (right axis).",
    "monthly_sales": "Sales",
    "monthly_active": "Active members",
    "monthly_orders": "Orders",
    "trend_title": "Consumption trend: order value, new and returning buyers",
    "trend_desc": "Top: sales per month (left axis) and average order value (right axis). "
    "Bottom: buyers each month, split into new (first purchase that month) and returning.",
    "trend_headline": "Last {months} months: average order {aov}; returning buyers are "
    "{share} of buyers",
    "trend_aov": "Average order value",
    "trend_new": "New buyers",
    "trend_returning": "Returning buyers",
    "trend_buyers": "Buyers",
    "activity_title": "Member activity: distribution and migration",
    "activity_desc": "Active, silent and churned members on each snapshot date (shares in "
    "the bars). The heatmap shows where the members of each state went between the two "
    "latest snapshots, as row shares; the New row holds members first seen in the later one.",
    "activity_headline": "{date}: {active} active members ({share}); {lost} of the "
    "previously active went silent or churned",
    "activity_chart": "Activity on each snapshot date",
    "migration_chart": "Migration (rows: {date_from}, columns: {date_to})",
    "migration_new": "New",
    "migration_row_share": "Row share",
    "rfm_migration_title": "RFM segment migration",
    "rfm_migration_desc": "How members moved between the 8 RFM segments from one snapshot "
    "to the next, as row shares. No purchase: members who have not bought yet; New: "
    "members first seen in the later snapshot.",
    "rfm_migration_headline": "{date_from} → {date_to}: {stay} of members kept their "
    "segment; {first} got one with their first purchase",
    "cohort_title": "Retention by registration month",
    "cohort_desc": "Each row is the members who registered in one month; column k is the "
    "share of them who bought in the k-th month after registering (month 0 is the month "
    "they joined). The last row is the size-weighted mean.",
    "cohort_headline": "Bought in their joining month: {m0}; the month after: {m1}; "
    "month 3: {m3}",
    "cohort_offset": "Month {k}",
    "cohort_row": "{month} ({members})",
    "cohort_mean": "Weighted mean",
    "cohort_x": "Months after registering",
    "cohort_share": "Share who bought",
    "funnel_title": "Channel funnel: view → cart → order",
    "funnel_desc": "Members who viewed in a channel from {start} to {end}, and how many of "
    "them added to cart and then ordered in the same channel within {days} days of the "
    "view. Counted in members, not sessions: the behaviour data has no session id and "
    "campaigns target members. A member can appear in several channels, so the channels "
    "add up to more than All channels.",
    "funnel_headline": "{rate} of viewers ordered within {days} days",
    "funnel_view": "Viewed",
    "funnel_cart": "Added to cart",
    "funnel_order": "Ordered",
    "col_channel": "Channel",
    "col_view_to_cart": "View → cart",
    "col_cart_to_order": "Cart → order",
    "col_view_to_order": "View → order",
    "cluster_title": "Member clusters: profiles and names",
    "cluster_desc": "Members clustered on standardised behaviour and value features. Left: "
    "the silhouette of each k (higher is better; it picks k) and the within-cluster sum of "
    "squares (the elbow curve). Right: each cluster's share of members and of revenue. "
    "Heatmap: each cluster's standardised difference from the population on every feature "
    "(red above, blue below). Names are suggested from the features and can be edited "
    "(memberlens clusters rename); they are written to the tags cluster_id / cluster_name.",
    "cluster_headline": "{method} split {members} {population} into {k} clusters "
    "(silhouette {silhouette}); “{top}” is {share} of members and brings {revenue} of "
    "revenue",
    "cluster_kmeans": "K-Means",
    "cluster_twostep": "Two-step clustering",
    "cluster_som": "A self-organising map",
    "cluster_buyers": "buyers",
    "cluster_all": "members",
    "cluster_silhouette": "Silhouette",
    "cluster_inertia": "Within-cluster sum of squares",
    "cluster_chosen": "chosen",
    "cluster_k_chart": "Choosing k: silhouette and elbow",
    "cluster_sizes_chart": "Share of members and of revenue per cluster",
    "cluster_profile_chart": "Cluster profiles (standardised difference from the population)",
    "cluster_z": "Standardised difference",
    "col_cluster": "#",
    "col_cluster_name": "Name",
    "col_apart": "Sets it apart",
    "col_over": "Over-represented",
    "col_description": "Description",
    "cluster_lift": "{share}, {lift}× the population",
    "cleaning_title": "Data cleaning summary",
    "cleaning_desc": "Where the rows of each load went, and why rows were rejected or flagged.",
    "cleaning_chart": "Reject and flag reasons",
    "cleaning_rows": "Rows",
    "col_run": "Run",
    "col_table": "Table",
    "col_file": "File",
    "col_rows_in": "Rows in",
    "col_loaded": "Loaded",
    "col_rejected": "Rejected",
    "col_duplicates": "Duplicates",
    "col_flagged": "Flagged",
    "col_cleared": "Fields cleared",
    "col_reasons": "Reasons",
    "no_data": "No data",
    "no_cleaning": "No loads recorded.",
    "echarts_failed": "The chart library failed to load, so the charts cannot be shown; "
    "the tables below are unaffected. Open this file in a recent Chrome, Edge or Safari.",
    "chart_failed": "This chart failed to render.",
    "footer": "Generated by memberlens · Charts by Apache ECharts (Apache-2.0) · Works offline",
}

UI_TEXT: Final[dict[Lang, dict[str, str]]] = {"zh": _ZH, "en": _EN}
