/* memberlens member report: the clustering section (k search, sizes, feature profile).
 *
 * Inlined after report.js and analysis.js in the same script element; uses the helpers
 * report.js hands over in window.memberlensReport. The section exists only when the
 * warehouse has a cluster run; without it R.mount finds no container and does nothing.
 */
(function () {
  "use strict";

  var R = window.memberlensReport;
  if (!R) { return; }
  var d = R.payload.clusters, T = R.T, PALETTE = R.PALETTE, MUTED = R.MUTED;
  var pct = R.pct, num = R.num, esc = R.esc, dot = R.dot, compact = R.compact;
  /* below the population blue, above it red: how marketers read "low" and "high" */
  var DIVERGING = ["#2563eb", "#93c5fd", "#f8fafc", "#fca5a5", "#dc2626"];

  function kOption() {
    var o = R.base();
    var chosen = d.ks.indexOf(d.chosen);
    o.legend.data = [T.cluster_silhouette, T.cluster_inertia];
    o.grid = { left: 8, right: 8, top: 64, bottom: 24, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>k = " + d.ks[i] + (i === chosen ? "（" + esc(d.chosen_label) + "）" : "") +
        "</b><br>" + dot(PALETTE[0]) + esc(T.cluster_silhouette) + "：" +
        (d.silhouette[i] === null ? "—" : d.silhouette[i].toFixed(3)) + "<br>" +
        dot(PALETTE[1]) + esc(T.cluster_inertia) + "：" + num(d.inertia[i]);
    };
    o.xAxis = { type: "category", data: d.ks, name: "k", nameLocation: "middle", nameGap: 26,
      nameTextStyle: { color: MUTED }, axisLabel: { color: MUTED } };
    o.yAxis = [
      { type: "value", name: T.cluster_silhouette, scale: true,
        nameTextStyle: { color: MUTED, align: "left" },
        axisLabel: { color: MUTED, formatter: function (v) { return v.toFixed(2); } },
        splitLine: R.GRID_LINE },
      { type: "value", name: T.cluster_inertia, scale: true,
        nameTextStyle: { color: MUTED, align: "right" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: { show: false } }
    ];
    var silhouette = { name: T.cluster_silhouette, type: "line", data: d.silhouette,
      symbol: "circle", symbolSize: 7, lineStyle: { width: 2.5 }, itemStyle: { color: PALETTE[0] } };
    if (chosen >= 0) {
      /* the chosen k: a dashed line across both curves, named at its foot */
      silhouette.markLine = {
        silent: true, symbol: "none", lineStyle: { type: "dashed", color: PALETTE[2], width: 1.5 },
        label: { position: "end", color: PALETTE[2], fontWeight: "bold",
          formatter: function () { return d.chosen_label + " k=" + d.chosen; } },
        data: [{ xAxis: chosen }]
      };
    }
    o.series = [silhouette, { name: T.cluster_inertia, type: "line", yAxisIndex: 1,
      data: d.inertia, symbol: "emptyCircle", symbolSize: 6, lineStyle: { type: "dashed" },
      itemStyle: { color: PALETTE[1] } }];
    o.graphic = R.noData(d.ks.length === 0);
    return o;
  }

  function sizesOption(el) {
    var o = R.base();
    o.legend.data = [T.col_member_share, T.col_revenue_share];
    o.grid = { left: 8, right: 24, top: 40, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(d.names[i]) + "</b><br>" + dot(PALETTE[0]) + esc(T.col_members) +
        "：" + num(d.members[i]) + "（" + pct(d.member_share[i]) + "）<br>" +
        dot(PALETTE[1]) + esc(T.col_revenue_share) + "：" + pct(d.revenue_share[i]);
    };
    o.yAxis = { type: "category", data: d.names, inverse: true,
      axisLabel: { color: "#374151", width: R.narrow(el) ? 110 : 220, overflow: "truncate" } };
    o.xAxis = { type: "value", axisLabel: { formatter: function (v) { return pct(v, 0); },
      color: MUTED }, splitLine: R.GRID_LINE };
    function bar(name, data, color) {
      return { name: name, type: "bar", data: data, barMaxWidth: 18, barGap: "15%",
        itemStyle: { color: color, borderRadius: [0, 4, 4, 0] },
        label: { show: true, position: "right", fontSize: 11, color: "#4b5563",
          formatter: function (p) { return pct(p.value, 1); } } };
    }
    o.series = [bar(T.col_member_share, d.member_share, PALETTE[0]),
      bar(T.col_revenue_share, d.revenue_share, PALETTE[1])];
    o.graphic = R.noData(d.names.length === 0);
    return o;
  }

  function profileOption(el) {
    var o = R.base();
    el.style.height = Math.max(260, 120 + 44 * d.names.length) + "px";
    o.grid = { left: 16, right: 16, top: 16, bottom: 8, containLabel: true };
    o.tooltip.formatter = function (p) {
      return "<b>" + esc(d.names[p.value[1]]) + "</b><br>" + esc(d.features[p.value[0]]) +
        "：" + esc(T.cluster_z) + " " + (p.value[2] === null ? "—" : p.value[2].toFixed(2));
    };
    var perColumn = (el.clientWidth || 800) * 0.7 / Math.max(1, d.features.length);
    o.xAxis = { type: "category", data: d.features, position: "top",
      axisLine: { show: false }, axisTick: { show: false },
      axisLabel: { interval: 0, color: "#374151", width: perColumn - 4, overflow: "break",
        lineHeight: 14 } };
    o.yAxis = { type: "category", data: d.names, inverse: true, axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { interval: 0, color: "#374151", width: R.narrow(el) ? 120 : 260,
        overflow: "truncate" } };
    o.visualMap = { show: false, min: -d.z_max, max: d.z_max, dimension: 2,
      inRange: { color: DIVERGING } };
    o.series = [{
      type: "heatmap", data: d.cells,
      itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 3 },
      label: { show: !R.narrow(el), fontSize: 11, color: "#1f2937",
        formatter: function (p) { return p.value[2] === null ? "" : p.value[2].toFixed(1); } }
    }];
    o.graphic = R.noData(d.cells.length === 0);
    return o;
  }

  R.mount("cluster_k", kOption);
  R.mount("cluster_sizes", sizesOption);
  R.mount("cluster_profile", profileOption);
})();
