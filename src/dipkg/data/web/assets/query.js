// Runs a canned query's form on the SPARQL endpoint and shows the rows as a table. Without this
// script the form still works: the browser sends the query to the endpoint.
(function () {
  "use strict";
  function cell(binding) {
    var td = document.createElement("td");
    if (!binding) { return td; }
    td.textContent = binding.value;
    return td;
  }
  function show(target, data) {
    target.textContent = "";
    var vars = data.head.vars;
    var rows = data.results.bindings;
    var table = document.createElement("table");
    var caption = table.createCaption();
    caption.textContent = rows.length + (rows.length === 1 ? " row" : " rows");
    var head = table.createTHead().insertRow();
    vars.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (name) { tr.appendChild(cell(row[name])); });
    });
    var wrap = document.createElement("div");
    wrap.className = "table";
    wrap.appendChild(table);
    target.appendChild(wrap);
  }
  document.querySelectorAll("form.sparql-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var target = form.parentElement.querySelector(".results");
      target.textContent = "running…";
      var body = new URLSearchParams();
      body.set("query", form.elements.query.value);
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
        body: body
      }).then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(response.status + ": " + text); });
        }
        return response.json();
      }).then(function (data) { show(target, data); }, function (error) {
        target.textContent = "";
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = "The endpoint answered: " + error.message;
        target.appendChild(p);
      });
    });
  });
}());
