/* memberlens member report: the recommendation-quality section (one grouped bar chart per
 * evaluation run: metrics on the x axis, one bar per recommender).
 *
 * Inlined after report.js in the same script element (in the report and in the page of
 * `memberlens recommend evaluate --out`); uses the helpers report.js hands over in
 * window.memberlensReport. Without runs the section is absent and R.mount finds nothing.
 */
(function () {
  "use strict";

  var R = window.memberlensReport;
  if (!R || !R.payload.recommend) { return; }
  var d = R.payload.recommend, PALETTE = R.PALETTE, MUTED = R.MUTED;
  var esc = R.esc, dot = R.dot;

  function fmt(v) { return v === null || v === undefined ? "—" : v.toFixed(3); }

  function runOption(run, el) {
    var o = R.base();
    var narrow = R.narrow(el);
    o.legend.data = run.series.map(function (s) { return s.name; });
    o.grid = { left: 8, right: 8, top: 48, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(run.metrics[i]) + "</b><br>" + items.map(function (p) {
        return dot(p.color) + esc(p.seriesName) + "：" + fmt(p.value);
      }).join("<br>");
    };
    o.xAxis = { type: "category", data: run.metrics,
      axisLabel: { interval: 0, rotate: narrow ? 30 : 0, color: "#374151" },
      axisTick: { alignWithLabel: true } };
    o.yAxis = { type: "value", min: 0,
      axisLabel: { color: MUTED, formatter: function (v) { return v.toFixed(2); } },
      splitLine: R.GRID_LINE };
    o.series = run.series.map(function (s, i) {
      return { name: s.name, type: "bar", data: s.values, barMaxWidth: 22, barGap: "8%",
        itemStyle: { color: PALETTE[i % PALETTE.length], borderRadius: [3, 3, 0, 0] },
        emphasis: { focus: "series" } };
    });
    o.graphic = R.noData(run.series.length === 0);
    return o;
  }

  d.runs.forEach(function (run, i) {
    R.mount("recommend_" + i, function (el) { return runOption(run, el); });
  });
})();
