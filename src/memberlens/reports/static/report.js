/* memberlens member report: draws the charts from the JSON embedded in the page.
 * This file draws rfm, pareto, monthly and cleaning; analysis.js, inlined right after it,
 * draws the analysis sections with the helpers this file hands over in window.memberlensReport.
 *
 * Contract with the tests: every chart container has data-chart="<name>";
 * after ECharts' "finished" event the container gets data-rendered="true"; if a chart throws
 * it gets data-rendered="error" and a visible message; if ECharts itself did not load the
 * #echarts-error banner is shown and every container gets data-rendered="false".
 */
(function () {
  "use strict";

  var payload = JSON.parse(document.getElementById("report-data").textContent);
  var T = payload.text;
  var isZh = payload.lang === "zh";
  var containers = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  var charts = [];

  var printButton = document.getElementById("print-button");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }

  if (typeof window.echarts === "undefined") {
    document.getElementById("echarts-error").hidden = false;
    containers.forEach(function (el) { el.setAttribute("data-rendered", "false"); });
    return;
  }

  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif';
  /* Distinct hues first; the cleaning chart can have a dozen reasons side by side. */
  var PALETTE = ["#3563e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4",
    "#ec4899", "#84cc16", "#64748b", "#f97316", "#a16207", "#1e3a8a", "#be185d"];
  var MUTED = "#6b7280";
  var GRID_LINE = { lineStyle: { color: "#eef0f4" } };
  var intFmt = new Intl.NumberFormat(isZh ? "zh-CN" : "en-US", { maximumFractionDigits: 0 });
  var moneyFmt = new Intl.NumberFormat(isZh ? "zh-CN" : "en-US",
    { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function pct(v, digits) {
    if (v === null || v === undefined) { return "—"; }
    return (v * 100).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function num(v) { return v === null || v === undefined ? "—" : intFmt.format(v); }
  function money(v) { return v === null || v === undefined ? "—" : "¥" + moneyFmt.format(v); }
  /* Axis labels: 万/亿 for Chinese readers, K/M for English ones. */
  function compact(v) {
    var a = Math.abs(v);
    if (isZh) {
      if (a >= 1e8) { return +(v / 1e8).toFixed(1) + "亿"; }
      if (a >= 1e4) { return +(v / 1e4).toFixed(1) + "万"; }
    } else {
      if (a >= 1e6) { return +(v / 1e6).toFixed(1) + "M"; }
      if (a >= 1e3) { return +(v / 1e3).toFixed(1) + "K"; }
    }
    return intFmt.format(v);
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function dot(color) {
    return '<span style="display:inline-block;width:9px;height:9px;border-radius:50%;' +
      "margin-right:6px;background:" + color + '"></span>';
  }
  function noData(isEmpty) {
    return isEmpty ? [{
      type: "text", left: "center", top: "middle", silent: true,
      style: { text: T.no_data, fill: MUTED, fontSize: 16, fontFamily: FONT }
    }] : [];
  }
  function narrow(el) { return el.clientWidth < 640; }

  function base() {
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      animation: false,
      legend: { top: 0, left: "center", textStyle: { color: "#374151" } },
      tooltip: { confine: true, textStyle: { fontFamily: FONT } }
    };
  }

  function rfmOption(el) {
    var d = payload.rfm;
    var o = base();
    var labelOn = !narrow(el);
    o.grid = { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(d.labels[i]) + "</b> <span style=\"color:#9ca3af\">" + esc(d.codes[i]) +
        "</span><br>" + dot(PALETTE[0]) + esc(T.col_members) + "：" + num(d.members[i]) +
        "（" + pct(d.member_share[i]) + "）<br>" + dot(PALETTE[1]) + esc(T.col_revenue) + "：" +
        money(d.revenue[i]) + "（" + pct(d.revenue_share[i]) + "）";
    };
    o.xAxis = {
      type: "category", data: d.labels,
      axisLabel: { interval: 0, rotate: narrow(el) ? 35 : 0, color: "#374151" },
      axisTick: { alignWithLabel: true }
    };
    o.yAxis = {
      type: "value", axisLabel: { formatter: function (v) { return pct(v, 0); }, color: MUTED },
      splitLine: GRID_LINE
    };
    function bar(name, data) {
      return {
        name: name, type: "bar", data: data, barMaxWidth: 34, barGap: "10%",
        itemStyle: { borderRadius: [4, 4, 0, 0] },
        label: {
          show: labelOn, position: "top", fontSize: 11, color: "#4b5563",
          formatter: function (p) { return pct(p.value, 1); }
        }
      };
    }
    o.series = [bar(T.col_member_share, d.member_share), bar(T.col_revenue_share, d.revenue_share)];
    o.graphic = noData(d.labels.length === 0);
    return o;
  }

  function paretoOption() {
    var d = payload.pareto;
    var h = d.headline;
    var o = base();
    o.grid = { left: 16, right: 24, top: 40, bottom: 36, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var p = items.filter(function (it) { return it.seriesIndex === 0; })[0] || items[0];
      return esc(T.pareto_x) + "：<b>" + pct(p.value[0]) + "</b><br>" +
        esc(T.pareto_y) + "：<b>" + pct(p.value[1]) + "</b>";
    };
    var pctAxis = function (name) {
      return {
        type: "value", min: 0, max: 1, interval: 0.2, name: name, nameLocation: "middle",
        nameGap: 30, nameTextStyle: { color: MUTED },
        axisLabel: { formatter: function (v) { return pct(v, 0); }, color: MUTED },
        splitLine: GRID_LINE
      };
    };
    o.xAxis = pctAxis(T.pareto_x);
    o.yAxis = pctAxis(T.pareto_y);
    o.yAxis.nameGap = 44;
    var curve = {
      name: T.pareto_series, type: "line", data: d.points, showSymbol: false,
      lineStyle: { width: 3 }, areaStyle: { opacity: 0.1 }, z: 3
    };
    if (h[0] !== null && h[1] !== null) {
      curve.markLine = {
        silent: true, symbol: "none", label: { show: false },
        lineStyle: { type: "dotted", color: PALETTE[0], width: 1.5 },
        data: [[{ coord: [h[0], 0] }, { coord: [h[0], h[1]] }],
               [{ coord: [0, h[1]] }, { coord: [h[0], h[1]] }]]
      };
      curve.markPoint = {
        symbol: "circle", symbolSize: 12, itemStyle: { color: PALETTE[1], borderColor: "#fff", borderWidth: 2 },
        label: {
          /* Below-right of the point is inside the shaded area, away from the curve. */
          show: true, position: [14, 10], color: "#1f2937", fontWeight: "bold",
          fontSize: 13, backgroundColor: "rgba(255,255,255,0.9)", padding: [4, 8], borderRadius: 6,
          formatter: function () { return d.headline_text; }
        },
        data: [{ coord: [h[0], h[1]] }]
      };
    }
    o.series = [curve, {
      name: T.pareto_diagonal, type: "line", data: [[0, 0], [1, 1]], showSymbol: false,
      silent: true, lineStyle: { type: "dashed", color: "#9ca3af", width: 1.5 },
      itemStyle: { color: "#9ca3af" },
      tooltip: { show: false }
    }];
    o.graphic = noData(d.points.length <= 1);
    return o;
  }

  function monthlyOption(el) {
    var d = payload.monthly;
    var o = base();
    o.grid = { left: 8, right: 8, top: 48, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(d.months[i]) + "</b><br>" +
        dot(PALETTE[0]) + esc(T.monthly_sales) + "：" + money(d.sales[i]) + "<br>" +
        dot(PALETTE[1]) + esc(T.monthly_active) + "：" + num(d.active[i]) + "<br>" +
        dot("#9ca3af") + esc(T.monthly_orders) + "：" + num(d.orders[i]);
    };
    o.xAxis = {
      type: "category", data: d.months,
      axisLabel: { color: MUTED, rotate: narrow(el) ? 45 : 0, hideOverlap: true },
      axisTick: { alignWithLabel: true }
    };
    o.yAxis = [
      { type: "value", name: T.monthly_sales, nameTextStyle: { color: MUTED, align: "left" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: GRID_LINE },
      { type: "value", name: T.monthly_active, nameTextStyle: { color: MUTED, align: "right" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: { show: false } }
    ];
    o.series = [
      { name: T.monthly_sales, type: "bar", data: d.sales, barMaxWidth: 26,
        itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { name: T.monthly_active, type: "line", yAxisIndex: 1, data: d.active, smooth: true,
        symbol: "circle", symbolSize: 6, lineStyle: { width: 2.5 } }
    ];
    o.graphic = noData(d.months.length === 0);
    return o;
  }

  function cleaningOption(el) {
    var d = payload.cleaning;
    var o = base();
    var labelWidth = narrow(el) ? 90 : 160;
    el.style.height = Math.max(240, 120 + 46 * d.loads.length) + "px";
    /* A plain legend wraps onto more lines; leave room for them above the bars. */
    var perLine = Math.max(1, Math.floor((el.clientWidth || 600) / 120));
    var legendLines = Math.max(1, Math.ceil(d.reasons.length / perLine));
    el.style.height = Math.max(240, 90 + 24 * legendLines + 46 * d.loads.length) + "px";
    o.grid = { left: 8, right: 24, top: 16 + 24 * legendLines, bottom: 30, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      var lines = items.filter(function (it) { return it.value; }).map(function (it) {
        return dot(it.color) + esc(it.seriesName) + "：" + num(it.value);
      });
      return "<b>" + esc(d.loads[i]) + "</b><br><span style=\"color:#9ca3af\">" +
        esc(d.files[i]) + "</span><br>" + lines.join("<br>");
    };
    o.xAxis = {
      type: "value", name: T.cleaning_rows, nameLocation: "middle", nameGap: 26,
      nameTextStyle: { color: MUTED },
      axisLabel: { formatter: compact, color: MUTED }, splitLine: GRID_LINE
    };
    o.yAxis = {
      type: "category", data: d.loads, inverse: true,
      axisLabel: { color: "#374151", width: labelWidth, overflow: "truncate" }
    };
    o.series = d.reasons.map(function (r) {
      return {
        name: r.label, type: "bar", stack: "reasons", data: r.counts, barMaxWidth: 26,
        emphasis: { focus: "series" }
      };
    });
    o.graphic = noData(d.loads.length === 0 || d.reasons.length === 0);
    return o;
  }

  function mount(name, build) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) { return; }
    try {
      var option = build(el);
      var chart = window.echarts.init(el, null, { renderer: "svg", locale: isZh ? "ZH" : "EN" });
      chart.on("finished", function () { el.setAttribute("data-rendered", "true"); });
      chart.setOption(option);
      charts.push(chart);
    } catch (err) {
      el.setAttribute("data-rendered", "error");
      el.classList.add("chart-error");
      el.textContent = T.chart_failed + " " + (err && err.message ? err.message : String(err));
      if (window.console) { window.console.error(err); }
    }
  }

  mount("rfm", rfmOption);
  mount("pareto", paretoOption);
  mount("monthly", monthlyOption);
  mount("cleaning", cleaningOption);

  window.memberlensReport = {
    payload: payload, T: T, isZh: isZh, FONT: FONT, PALETTE: PALETTE, MUTED: MUTED,
    GRID_LINE: GRID_LINE, pct: pct, num: num, money: money, compact: compact, esc: esc,
    dot: dot, noData: noData, narrow: narrow, base: base, mount: mount
  };

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 120);
  });
  /* Paper is narrower than the screen: redraw at A4 text width while printing. */
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) { c.resize({ width: 680, animation: { duration: 0 } }); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
