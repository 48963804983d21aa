/* The managers' dashboard: draws each [data-chart] from the JSON the page embeds (#chart-data), again after
   htmx swaps the panels for new filters, and submits the filter form when a field changes. */
(function () {
  "use strict";
  var HSD = (window.HSD = window.HSD || { renders: 0 });

  function option(spec) {
    var percent = !!spec.percent;
    var valueAxis = { type: "value", minInterval: percent ? 0 : 1, axisLabel: { formatter: percent ? "{value}%" : "{value}" } };
    if (percent && spec.stack) { valueAxis.max = 100; }
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } };
    var base = {
      animation: false,
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", valueFormatter: function (v) { return v == null ? "—" : v + (percent ? "%" : ""); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      aria: { enabled: true }
    };
    if (spec.kind === "pie") {
      base.series = [{
        type: "pie", radius: ["40%", "68%"], top: 24, name: spec.series[0].name,
        label: { formatter: "{b}\n{d}%" },
        data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    base.xAxis = spec.horizontal ? valueAxis : categoryAxis;
    base.yAxis = spec.horizontal ? categoryAxis : valueAxis;
    base.series = spec.series.map(function (s) {
      return { type: "bar", name: s.name, data: s.data, stack: spec.stack ? "all" : undefined,
               itemStyle: s.color ? { color: s.color } : undefined, barMaxWidth: 28 };
    });
    return base;
  }

  function draw() {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.echarts) { return; }
    var specs = JSON.parse(holder.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-chart")];
      if (!spec) { return; }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec), true);
    });
    HSD.renders += 1;
    HSD.ready = true;
  }

  function resize() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    var form = document.getElementById("insight-filters");
    if (form && window.htmx) {
      // Lists apply at once; dates wait for 应用筛选 (or Enter), so typing a date does not reload half-way.
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT") { window.htmx.trigger(form, "submit"); }
      });
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Refusals (a reversed range…) come back retargeted to #flash by the console; the panels stay.
    if (event.detail.target && event.detail.target.id === "panels") {
      document.querySelectorAll("#panels [data-chart]").forEach(function (el) {
        var chart = window.echarts && window.echarts.getInstanceByDom(el);
        if (chart) { chart.dispose(); }
      });
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (document.getElementById("chart-data")) { draw(); }
  });
  window.addEventListener("resize", resize);
})();
