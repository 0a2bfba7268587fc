import { defineJourney } from './run-journey';

defineJourney('gecko');
