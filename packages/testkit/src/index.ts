export { ADDER_NOTEBOOK, adderBundle, type ConformanceOptions, describeDeployTarget } from './conformance.js';
