import { defineJourney } from './run-journey';

defineJourney('webkit');
