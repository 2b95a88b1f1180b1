// The page entry: the standalone callback page (/callback/:profile, or / with ?profile=) for links
// from email, SMS or a bot, and the iframe page (/embed/iframe?profile=…) for portals. Query
// parameters may prefill name, phone, country and locale; a signed link arrives as ?link=.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { FramedWidget } from "../embed/iframe-bridge";
import { CallbackWidget } from "./CallbackWidget";
import { RequestPage } from "./RequestPage";
import { pageOptions } from "./page-options";
import "./widget.css";
import "./page.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element for the widget");
const options = pageOptions(window.location);
document.documentElement.classList.toggle("cw-framed", options.framed);

createRoot(root).render(
  <StrictMode>
    {options.request ? (
      <RequestPage requestId={options.request.id} token={options.request.token} offerCancel={options.request.cancel} locale={options.locale} />
    ) : options.framed ? (
      <FramedWidget profile={options.profile} claimedParentOrigin={options.parentOrigin} link={options.link} locale={options.locale} theme={options.theme} />
    ) : (
      <CallbackWidget profile={options.profile} link={options.link} locale={options.locale} defaultValues={options.defaults} theme={options.theme} />
    )}
  </StrictMode>,
);
