// The standalone and iframe page's first script, a few hundred bytes: asks for the profile and its
// times while the widget's code is still on its way (see prefetch.ts).
import { pageOptions } from "./page-options";
import { prefetchWidgetData } from "./prefetch";

const options = pageOptions(window.location);
if (!options.request) prefetchWidgetData("", options.profile);
