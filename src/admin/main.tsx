// The admin page's entry (admin.html, served at /admin): its own bundle, MSAL included.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { AdminApp } from "./AdminApp";
import "./admin.css";

const root = document.getElementById("root");
if (!root) throw new Error("admin.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <AdminApp />
  </StrictMode>,
);
