export * from './threading/index.js';
export * from './shared/index.js';
