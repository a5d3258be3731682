// Entry point: the shell names its page in <body data-page>.

import {overviewPage} from './overview.js';
import {servicePage} from './service.js';
import {incidentPage} from './incident.js';

const pages = {overview: overviewPage, service: servicePage, incident: incidentPage};

const main = document.getElementById('main');
const page = pages[document.body.dataset.page];
if (page) page(main);
