// Runs in a frame from a foreign origin inside the host page: it pretends to be the host (to the
// widget's iframe) and the widget (to the host). Both must ignore it.
window.addEventListener("load", () => {
  const widgetFrame = window.parent.frames[0];
  const prefill = { source: "callback-widget-host", version: 1, type: "prefill", prefill: { name: "Mallory" } };
  const resize = { source: "callback-widget", version: 1, type: "resize", height: 5 };
  for (let i = 0; i < 5; i++) {
    widgetFrame.postMessage(prefill, "*");
    window.parent.postMessage(resize, "*");
  }
  document.body.dataset.sent = "yes";
});
