/** The fake Kaggle server (`@kagg/testkit/kaggle-fake`): see ./kaggle/server.ts. */
export * from './kaggle/index.js';
