// Draws each dashboard figure with ECharts from the JSON the page carries (json_script): no
// inline script, so the page keeps its Content-Security-Policy.
(function () {
  "use strict";

  function option(fig) {
    var tooltip = { trigger: fig.kind === "funnel" ? "item" : "axis" };
    if (fig.kind === "funnel") {
      return {
        tooltip: tooltip,
        series: [{
          type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
          label: { show: true, position: "inside", formatter: "{b}：{c}" },
          data: fig.categories.map(function (name, i) { return { name: name, value: fig.series[0].data[i] }; })
        }]
      };
    }
    // Bars, horizontal so that long Chinese labels stay readable on a phone.
    return {
      tooltip: tooltip,
      legend: fig.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: fig.series.length > 1 ? 48 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: fig.categories, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: fig.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, label: { show: fig.series.length === 1, position: "right" } };
      })
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
