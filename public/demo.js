// Demo host code: the embed's queue API called before embed.js has loaded, and every
// event the widget sends written into the page's list.
window.CallbackWidget =
  window.CallbackWidget ||
  function () {
    (window.CallbackWidget.q = window.CallbackWidget.q || []).push(arguments);
  };
CallbackWidget("prefill", { attributes: { orderNumber: "ORD-2026-0042" } });

for (const name of ["ready", "open", "close", "submitted", "error"]) {
  document.addEventListener(`callback-widget:${name}`, (event) => {
    const item = document.createElement("li");
    item.dataset.event = name;
    item.textContent = `${name} ${JSON.stringify(event.detail)}`;
    document.getElementById("events")?.append(item);
  });
}

// The iframe's Close button: the portal decides what closing means (here, hiding the frame).
document.addEventListener("callback-widget:close", (event) => {
  if (event.target instanceof HTMLIFrameElement) event.target.hidden = true;
});

// ?calm turns the hostile stylesheet off, to compare the widget with and without it. This runs
// before the body is parsed (the stylesheet's link comes first), so the page never paints with it.
if (new URLSearchParams(location.search).has("calm")) document.getElementById("hostile")?.setAttribute("disabled", "");

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("prefill")?.addEventListener("click", () => CallbackWidget("prefill", { name: "Ada Lovelace" }));
});
