/* Resource maps (Leaflet, vendored). Progressive enhancement: without Leaflet or tiles the
   page keeps its list of resources and addresses, which is the primary content. */
(function () {
  "use strict";

  function note(el, text) {
    var p = el.parentNode.querySelector(".map-note");
    if (p && text) { p.textContent = text; p.hidden = false; }
  }

  function popup(point) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    box.appendChild(link);
    var line = document.createElement("div");
    line.textContent = point.address + (point.status ? " · " + point.status : "");
    box.appendChild(line);
    return box;
  }

  function init(el) {
    if (!window.L) { return; }
    var source = document.getElementById(el.getAttribute("data-points"));
    var points = source ? JSON.parse(source.textContent) : [];
    if (!Array.isArray(points)) { points = []; }
    var pickLat = el.getAttribute("data-pick-lat");
    if (!points.length && !pickLat) { return; }
    el.hidden = false;
    var map = window.L.map(el, { scrollWheelZoom: false });
    if (el.getAttribute("data-tiles")) {
      var tiles = window.L.tileLayer(el.getAttribute("data-tiles"), {
        attribution: el.getAttribute("data-attribution"),
        maxZoom: 19
      });
      var warned = false;
      tiles.on("tileerror", function () {
        if (!warned) { warned = true; note(el, el.getAttribute("data-tile-error")); }
      });
      tiles.addTo(map);
    } else {
      // No tile server configured: the markers on a plain background, and say so.
      el.classList.add("no-tiles");
      note(el, el.getAttribute("data-no-tiles"));
    }
    var bounds = [];
    points.forEach(function (point) {
      window.L.marker([point.lat, point.lon], { title: point.name, alt: point.name })
        .addTo(map).bindPopup(popup(point));
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    } else {
      map.setView([parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lon"))],
        parseInt(el.getAttribute("data-zoom"), 10));
    }
    if (pickLat) {
      var latInput = document.getElementById(pickLat);
      var lonInput = document.getElementById(el.getAttribute("data-pick-lon"));
      var marker = null;
      var place = function (lat, lon) {
        if (marker) { marker.setLatLng([lat, lon]); } else { marker = window.L.marker([lat, lon]).addTo(map); }
      };
      if (latInput.value && lonInput.value) {
        place(parseFloat(latInput.value), parseFloat(lonInput.value));
        map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 16);
      }
      map.on("click", function (event) {
        latInput.value = event.latlng.lat.toFixed(6);
        lonInput.value = event.latlng.lng.toFixed(6);
        place(event.latlng.lat, event.latlng.lng);
      });
    }
  }

  document.querySelectorAll("[data-map]").forEach(function (el) {
    try { init(el); } catch (error) { el.hidden = true; }
  });
}());
