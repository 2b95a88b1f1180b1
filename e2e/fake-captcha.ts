// A stand-in for a CAPTCHA provider (we cannot reach Cloudflare, hCaptcha or Google here), in the
// shape of Turnstile: a widget script that renders explicitly and calls back with a token, and a
// siteverify endpoint that accepts each token it issued once, with the right secret.
// `npx tsx e2e/fake-captcha.ts` listens on FAKE_CAPTCHA_PORT; the browser tests start it.
import { createServer } from "node:http";

export const FAKE_CAPTCHA_SECRET = "e2e-captcha-secret";

const WIDGET = `
window.turnstile = {
  render(container, options) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.addEventListener("change", () => box.checked ? options.callback("human." + Math.random().toString(36).slice(2)) : options["expired-callback"]());
    label.append(box, " I am human");
    container.append(label);
    return container;
  },
  reset(container) { container.querySelector("input").checked = false; },
  remove(container) { container.replaceChildren(); },
};`;

const used = new Set<string>();
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url?.startsWith("/api.js")) {
    res.writeHead(200, { "content-type": "text/javascript", "access-control-allow-origin": "*" });
    return res.end(WIDGET);
  }
  if (req.method === "GET" && req.url === "/health") return res.end("ok");
  if (req.method === "POST" && req.url === "/siteverify") {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const form = new URLSearchParams(text);
      const token = form.get("response") ?? "";
      const success = form.get("secret") === FAKE_CAPTCHA_SECRET && token.startsWith("human.") && !used.has(token);
      used.add(token);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ success }));
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env.FAKE_CAPTCHA_PORT ?? 3103), "127.0.0.1");
