import { defineJourney } from './run-journey';

defineJourney('chromium');
