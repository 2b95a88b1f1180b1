// The standalone and iframe page's second script: checks the profile and times the first one
// (prefetch-page.ts) asked for, as soon as the API client and the schemas have arrived, while
// React and the form are still on their way (see first-answers.ts).
import { checkFirstAnswers } from "./first-answers";
import { pageOptions } from "./page-options";

const options = pageOptions(window.location);
if (!options.request) checkFirstAnswers("", options.profile);
