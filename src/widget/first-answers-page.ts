// The standalone and iframe page's first script: checks the profile and times (which the page's
// preload links asked for as it arrived, see the BFF's routes/pages.ts) as soon as the API client
// and the schemas are here, while React and the form are still on their way (see first-answers.ts).
import { checkFirstAnswers } from "./first-answers";
import { pageOptions } from "./page-options";

const options = pageOptions(window.location);
if (!options.request) checkFirstAnswers("", options.profile);
