/* treatygraph pictures: apply the filter form of /explore/network and /explore/timeline
 * without a page load, by fetching the picture as SVG and swapping it in. Without this
 * script the form submits and the server renders the same page. */
(function () {
  "use strict";

  function apply(form) {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (!params.get(key)) params.delete(key);
    });
    var query = params.toString();
    var page = form.getAttribute("action") + (query ? "?" + query : "");
    var image = form.getAttribute("action") + ".svg" + (query ? "?" + query : "");
    var figure = document.getElementById("picture");
    figure.setAttribute("aria-busy", "true");
    fetch(image, { headers: { Accept: "image/svg+xml" } })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (p) { throw new Error(p.detail); });
        return response.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "image/svg+xml");
        var svg = document.importNode(doc.documentElement, true);
        // Links in the SVG file are absolute (for reports); here they stay on this origin.
        svg.querySelectorAll("a[href]").forEach(function (a) {
          var url = new URL(a.getAttribute("href"), location.href);
          a.setAttribute("href", url.pathname + url.search + url.hash);
        });
        figure.replaceChildren(svg);
        history.replaceState(null, "", page);
        var link = form.querySelector("a.svg-link");
        if (link) link.href = image;
      })
      .catch(function (error) {
        figure.replaceChildren(document.createTextNode(String(error.message || error)));
      })
      .finally(function () { figure.removeAttribute("aria-busy"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.filters[data-picture]").forEach(function (form) {
      form.addEventListener("change", function () { apply(form); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        apply(form);
      });
    });
  });
})();
