/* memberlens member report: the analysis charts (trend, activity, migrations, cohorts, funnel).
 *
 * Inlined right after report.js in the same script element; uses the helpers it hands over in
 * window.memberlensReport. When ECharts did not load, report.js has already marked every
 * container data-rendered="false" and handed over nothing, so this does nothing.
 */
(function () {
  "use strict";

  var R = window.memberlensReport;
  if (!R) { return; }
  var payload = R.payload, T = R.T, PALETTE = R.PALETTE, MUTED = R.MUTED;
  var pct = R.pct, num = R.num, money = R.money, compact = R.compact, esc = R.esc, dot = R.dot;
  /* 活跃 green, 沉默 amber, 流失 slate: the traffic-light reading marketers expect. */
  var STATE_COLORS = ["#10b981", "#f59e0b", "#94a3b8", "#8b5cf6", "#06b6d4", "#ec4899"];
  var HEAT = ["#f5f8ff", "#c7d7fe", "#7c9cf5", "#3563e9", "#1e3a8a"];

  function trendOption(el) {
    var d = payload.trend;
    var o = R.base();
    var rotate = R.narrow(el) ? 45 : 0;
    o.legend.data = [T.monthly_sales, T.trend_aov, T.trend_returning, T.trend_new];
    o.axisPointer = { link: [{ xAxisIndex: "all" }] };
    o.tooltip.trigger = "axis";
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(d.months[i]) + "</b><br>" +
        dot(PALETTE[0]) + esc(T.monthly_sales) + "：" + money(d.sales[i]) + "<br>" +
        dot(PALETTE[1]) + esc(T.trend_aov) + "：" + money(d.aov[i]) + "<br>" +
        dot("#9ca3af") + esc(T.monthly_orders) + "：" + num(d.orders[i]) + "<br>" +
        dot(PALETTE[4]) + esc(T.trend_returning) + "：" + num(d.returning[i]) + "<br>" +
        dot(PALETTE[2]) + esc(T.trend_new) + "：" + num(d.new[i]);
    };
    o.grid = [
      { left: 8, right: 8, top: 56, height: "40%", containLabel: true },
      { left: 8, right: 8, top: "62%", bottom: 8, containLabel: true }
    ];
    function months(grid, show) {
      return {
        type: "category", gridIndex: grid, data: d.months, boundaryGap: false,
        axisLabel: { show: show, color: MUTED, rotate: rotate, hideOverlap: true },
        axisTick: { show: show }
      };
    }
    o.xAxis = [months(0, false), months(1, true)];
    o.yAxis = [
      { type: "value", gridIndex: 0, name: T.monthly_sales,
        nameTextStyle: { color: MUTED, align: "left" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: R.GRID_LINE },
      { type: "value", gridIndex: 0, name: T.trend_aov, scale: true,
        nameTextStyle: { color: MUTED, align: "right" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: { show: false } },
      { type: "value", gridIndex: 1, name: T.trend_buyers,
        nameTextStyle: { color: MUTED, align: "left" },
        axisLabel: { formatter: compact, color: MUTED }, splitLine: R.GRID_LINE }
    ];
    function line(name, data, extra) {
      var s = { name: name, type: "line", data: data, smooth: 0.3, symbol: "circle",
        symbolSize: 5, lineStyle: { width: 2.5 } };
      Object.keys(extra).forEach(function (k) { s[k] = extra[k]; });
      return s;
    }
    o.series = [
      line(T.monthly_sales, d.sales, { areaStyle: { opacity: 0.08 }, itemStyle: { color: PALETTE[0] } }),
      line(T.trend_aov, d.aov, { yAxisIndex: 1, smooth: false, itemStyle: { color: PALETTE[1] } }),
      line(T.trend_returning, d.returning, { xAxisIndex: 1, yAxisIndex: 2, stack: "buyers",
        areaStyle: { opacity: 0.35 }, itemStyle: { color: PALETTE[4] } }),
      line(T.trend_new, d.new, { xAxisIndex: 1, yAxisIndex: 2, stack: "buyers",
        areaStyle: { opacity: 0.35 }, itemStyle: { color: PALETTE[2] } })
    ];
    o.graphic = R.noData(d.months.length === 0);
    return o;
  }

  function activityOption(el) {
    var d = payload.activity;
    var o = R.base();
    o.color = STATE_COLORS;
    o.grid = { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      return "<b>" + esc(d.dates[i]) + "</b><br>" + d.states.map(function (s, k) {
        return dot(STATE_COLORS[k % STATE_COLORS.length]) + esc(s.label) + "：" +
          num(s.counts[i]) + "（" + pct(s.shares[i]) + "）";
      }).join("<br>");
    };
    o.xAxis = {
      type: "category", data: d.dates,
      axisLabel: { color: MUTED, rotate: R.narrow(el) ? 45 : 0, hideOverlap: true }
    };
    o.yAxis = { type: "value", axisLabel: { formatter: compact, color: MUTED },
      splitLine: R.GRID_LINE };
    o.series = d.states.map(function (s) {
      return {
        name: s.label, type: "bar", stack: "members", data: s.counts, barMaxWidth: 44,
        label: {
          show: true, color: "#fff", fontSize: 11,
          formatter: function (p) {
            var share = s.shares[p.dataIndex];
            return share !== null && share >= 0.06 ? pct(share, 0) : "";
          }
        }
      };
    });
    o.graphic = R.noData(d.dates.length === 0);
    return o;
  }

  /* A from × to matrix as a heatmap: colour is the row share, the label says it too.
   * Empty cells (nobody moved that way) stay blank so the real moves stand out. */
  function matrixOption(d, el, withCounts) {
    var o = R.base();
    var cells = [];
    d.shares.forEach(function (row, y) {
      row.forEach(function (share, x) {
        if (share === null || !d.counts[y][x]) { return; }
        cells.push({
          value: [x, y, share],
          label: { color: share > 0.5 ? "#fff" : "#1f2937" }
        });
      });
    });
    /* Long names ("Important development") wrap onto two lines within their column. */
    var perColumn = (el.clientWidth || 600) * 0.8 / Math.max(1, d.cols.length);
    o.title = { text: d.title, left: "center", top: 0,
      textStyle: { fontSize: 13, fontWeight: 600, color: "#374151" } };
    o.grid = { left: 24, right: 16, top: 36, bottom: 8, containLabel: true };
    o.tooltip.formatter = function (p) {
      var x = p.value[0], y = p.value[1];
      return "<b>" + esc(d.rows[y]) + " → " + esc(d.cols[x]) + "</b><br>" +
        esc(T.col_members) + "：" + num(d.counts[y][x]) + "<br>" +
        esc(T.migration_row_share) + "：" + pct(p.value[2]);
    };
    o.xAxis = {
      type: "category", data: d.cols, position: "bottom", axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { interval: 0, color: "#374151", width: perColumn - 6, overflow: "break",
        lineHeight: 14 }
    };
    o.yAxis = {
      type: "category", data: d.rows, inverse: true, axisLine: { show: false },
      axisTick: { show: false }, axisLabel: { interval: 0, color: "#374151" }
    };
    o.visualMap = { show: false, min: 0, max: 1, dimension: 2, inRange: { color: HEAT } };
    o.series = [{
      type: "heatmap", data: cells,
      itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 4 },
      label: {
        show: true, fontSize: 12,
        formatter: function (p) {
          var share = p.value[2], digits = withCounts ? 1 : 0;
          /* a move of a few members is not 0% */
          var text = share < 0.5 * Math.pow(10, -2 - digits) ?
            "<" + pct(Math.pow(10, -2 - digits), digits) : pct(share, digits);
          return withCounts ? text + "\n" + num(d.counts[p.value[1]][p.value[0]]) : text;
        }
      },
      emphasis: { itemStyle: { borderColor: "#1f2937", borderWidth: 1 } }
    }];
    o.graphic = R.noData(cells.length === 0);
    return o;
  }

  function cohortOption(el) {
    var d = payload.cohorts;
    var o = R.base();
    var cells = [], top = 0;
    d.shares.forEach(function (row, y) {
      row.forEach(function (share, x) {
        if (share === null) { return; }
        if (x > 0 && share > top) { top = share; }
        cells.push({ value: [x, y, share], label: { color: "#1f2937" } });
      });
    });
    var small = R.narrow(el);
    o.grid = { left: 8, right: 16, top: 16, bottom: 36, containLabel: true };
    o.tooltip.formatter = function (p) {
      var x = p.value[0], y = p.value[1], bought = d.buyers[y][x];
      return "<b>" + esc(d.rows[y]) + " · " + esc(d.offsets[x]) + "</b><br>" +
        esc(T.cohort_share) + "：" + pct(p.value[2]) +
        (bought === null ? "" : "（" + num(bought) + " / " + num(d.sizes[y]) + "）");
    };
    o.xAxis = {
      type: "category", data: d.offsets, name: T.cohort_x, nameLocation: "middle",
      nameGap: 26, nameTextStyle: { color: MUTED },
      axisLabel: { interval: 0, color: MUTED, rotate: small ? 45 : 0 }
    };
    var last = d.rows.length - 1;
    o.yAxis = { type: "category", data: d.rows, inverse: true, axisLine: { show: false },
      axisTick: { show: false }, axisLabel: { interval: 0, color: "#374151", rich: { mean: { fontWeight: "bold" } },
        formatter: function (v, i) { return i === last ? "{mean|" + v + "}" : v; } } };
    /* Month 0 is the joining month itself and outshines the rest; scale on the later
     * months and let month 0 saturate, so the decay over months stays readable. */
    o.visualMap = { show: false, min: 0, max: top || 1, dimension: 2,
      inRange: { color: ["#f5f8ff", "#c7d7fe", "#7c9cf5", "#4f7cf0"] } };
    o.series = [{
      type: "heatmap", data: cells,
      itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 3 },
      label: { show: !small, fontSize: 11,
        formatter: function (p) { return pct(p.value[2], 0); } }
    }];
    o.graphic = R.noData(cells.length === 0);
    return o;
  }

  function funnelOption(el) {
    var d = payload.funnel;
    var o = R.base();
    var steps = [d.viewed, d.carted, d.ordered];
    o.color = [PALETTE[0], PALETTE[1], PALETTE[2]];
    o.grid = { left: 8, right: 8, top: 44, bottom: 8, containLabel: true };
    o.tooltip.trigger = "axis";
    o.tooltip.axisPointer = { type: "shadow" };
    o.tooltip.formatter = function (items) {
      var i = items[0].dataIndex;
      var v = d.viewed[i], c = d.carted[i], n = d.ordered[i];
      return "<b>" + esc(d.channels[i]) + "</b><br>" +
        dot(PALETTE[0]) + esc(d.steps[0]) + "：" + num(v) + "<br>" +
        dot(PALETTE[1]) + esc(d.steps[1]) + "：" + num(c) + "（" + esc(T.col_view_to_cart) +
        " " + pct(v ? c / v : null) + "）<br>" +
        dot(PALETTE[2]) + esc(d.steps[2]) + "：" + num(n) + "（" + esc(T.col_cart_to_order) +
        " " + pct(c ? n / c : null) + "）";
    };
    o.xAxis = { type: "category", data: d.channels,
      axisLabel: { interval: 0, color: "#374151", rotate: R.narrow(el) ? 30 : 0 } };
    o.yAxis = { type: "value", axisLabel: { formatter: compact, color: MUTED },
      splitLine: R.GRID_LINE };
    o.series = steps.map(function (data, k) {
      return {
        name: d.steps[k], type: "bar", data: data, barMaxWidth: 38, barGap: "12%",
        itemStyle: { borderRadius: [4, 4, 0, 0] },
        label: {
          show: !R.narrow(el), position: "top", fontSize: 11, color: "#4b5563",
          /* each step as a share of the channel's viewers: the funnel's narrowing */
          formatter: function (p) {
            var v = d.viewed[p.dataIndex];
            return k === 0 ? num(p.value) : pct(v ? p.value / v : null, 0);
          }
        }
      };
    });
    o.graphic = R.noData(d.channels.length === 0);
    return o;
  }

  R.mount("trend", trendOption);
  R.mount("activity", activityOption);
  R.mount("activity_migration", function (el) {
    return matrixOption(payload.activity.migration, el, true);
  });
  R.mount("rfm_migration", function (el) {
    return matrixOption(payload.rfm_migration, el, false);
  });
  R.mount("cohorts", cohortOption);
  R.mount("funnel", funnelOption);
})();
