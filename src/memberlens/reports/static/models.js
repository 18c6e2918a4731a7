/* memberlens member report: the predictive-models section (lift and gains, calibration,
 * feature importance per model; CLV and P(alive) distributions).
 *
 * Inlined after report.js in the same script element; uses the helpers report.js hands
 * over in window.memberlensReport. Without models the section is absent and R.mount
 * finds no container.
 */
(function () {
  "use strict";

  var R = window.memberlensReport;
  if (!R || !R.payload.models) { return; }
  var d = R.payload.models, T = d.text, PALETTE = R.PALETTE, MUTED = R.MUTED;
  var pct = R.pct, num = R.num, esc = R.esc, dot = R.dot;

  function liftOption(m) {
    var o = R.base();
    o.legend.data = [T.lift, T.gain];
    o.grid = { left: 8, right: 8, top: 48, bottom: 24, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(T.decile) + " " + m.deciles[i] + "</b><br>" + dot(PALETTE[0]) +
        esc(T.lift) + "：" + (m.lift[i] === null ? "—" : m.lift[i].toFixed(2)) + "<br>" +
        dot(PALETTE[1]) + esc(T.gain) + "：" + pct(m.gain[i]);
    };
    o.xAxis = { type: "category", data: m.deciles, name: T.decile, nameLocation: "middle",
      nameGap: 26, nameTextStyle: { color: MUTED }, axisLabel: { color: MUTED } };
    o.yAxis = [
      { type: "value", name: T.lift, nameTextStyle: { color: MUTED, align: "left" },
        axisLabel: { color: MUTED }, splitLine: R.GRID_LINE },
      { type: "value", name: T.gain, min: 0, max: 1, nameTextStyle: { color: MUTED, align: "right" },
        axisLabel: { color: MUTED, formatter: function (v) { return pct(v, 0); } },
        splitLine: { show: false } }
    ];
    o.series = [
      { name: T.lift, type: "bar", data: m.lift, barMaxWidth: 28,
        itemStyle: { color: PALETTE[0], borderRadius: [4, 4, 0, 0] },
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }],
          lineStyle: { type: "dashed", color: MUTED }, label: { show: false } } },
      { name: T.gain, type: "line", yAxisIndex: 1, data: m.gain, symbol: "circle",
        symbolSize: 6, itemStyle: { color: PALETTE[1] } }
    ];
    o.graphic = R.noData(m.deciles.length === 0);
    return o;
  }

  function calibrationOption(m) {
    var o = R.base();
    o.legend.data = [T.observed, T.perfect];
    o.grid = { left: 8, right: 16, top: 48, bottom: 24, containLabel: true };
    o.tooltip.formatter = function (p) {
      return esc(T.predicted) + "：" + pct(p.value[0]) + "<br>" + esc(T.observed) + "：" +
        pct(p.value[1]);
    };
    var top = 0;
    m.calibration.forEach(function (c) { top = Math.max(top, c[0] || 0, c[1] || 0); });
    top = Math.min(1, Math.ceil(top * 10 + 0.5) / 10);
    function axis(name) {
      return { type: "value", min: 0, max: top, name: name, nameLocation: "middle", nameGap: 30,
        nameTextStyle: { color: MUTED },
        axisLabel: { color: MUTED, formatter: function (v) { return pct(v, 0); } },
        splitLine: R.GRID_LINE };
    }
    o.xAxis = axis(T.predicted);
    o.yAxis = axis(T.observed);
    o.series = [
      { name: T.observed, type: "line", data: m.calibration, symbol: "circle", symbolSize: 8,
        itemStyle: { color: PALETTE[0] } },
      { name: T.perfect, type: "line", data: [[0, 0], [top, top]], symbol: "none", silent: true,
        lineStyle: { type: "dashed", color: MUTED }, itemStyle: { color: MUTED } }
    ];
    o.graphic = R.noData(m.calibration.length === 0);
    return o;
  }

  function importanceOption(m, el) {
    var o = R.base();
    el.style.height = Math.max(260, 60 + 24 * m.features.length) + "px";
    o.grid = { left: 8, right: 48, top: 8, bottom: 8, containLabel: true };
    o.tooltip.formatter = function (p) {
      return "<b>" + esc(m.features[p.dataIndex]) + "</b><br>" + esc(T.share) + "：" +
        pct(p.value);
    };
    o.yAxis = { type: "category", data: m.features, inverse: true,
      axisLabel: { color: "#374151", width: R.narrow(el) ? 110 : 220, overflow: "truncate" } };
    o.xAxis = { type: "value", axisLabel: { color: MUTED, formatter: function (v) { return pct(v, 0); } },
      splitLine: R.GRID_LINE };
    o.series = [{ type: "bar", data: m.importance, barMaxWidth: 16,
      itemStyle: { color: PALETTE[2], borderRadius: [0, 4, 4, 0] },
      label: { show: true, position: "right", fontSize: 11, color: "#4b5563",
        formatter: function (p) { return pct(p.value, 1); } } }];
    o.graphic = R.noData(m.features.length === 0);
    return o;
  }

  function histogramOption(bins, counts, color) {
    var o = R.base();
    o.grid = { left: 8, right: 8, top: 16, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(bins[i]) + "</b><br>" + esc(T.members) + "：" + num(counts[i]);
    };
    o.xAxis = { type: "category", data: bins, axisLabel: { color: MUTED, rotate: 40, fontSize: 10 } };
    o.yAxis = { type: "value", axisLabel: { color: MUTED }, splitLine: R.GRID_LINE };
    o.series = [{ type: "bar", data: counts, barCategoryGap: "8%", itemStyle: { color: color } }];
    o.graphic = R.noData(counts.length === 0);
    return o;
  }

  d.models.forEach(function (m, i) {
    R.mount("model_lift_" + i, function () { return liftOption(m); });
    R.mount("model_calibration_" + i, function () { return calibrationOption(m); });
    R.mount("model_importance_" + i, function (el) { return importanceOption(m, el); });
  });
  if (d.clv) {
    R.mount("model_clv", function () { return histogramOption(d.clv.clv_bins, d.clv.clv_counts, PALETTE[0]); });
    R.mount("model_alive", function () { return histogramOption(d.clv.alive_bins, d.clv.alive_counts, PALETTE[1]); });
  }
})();
