// Loaded first by Cucumber (see cucumber.mjs) so that every worker can import TypeScript. A process
// started through tsx (`npm run conformance`, `node --import tsx`; Cucumber's workers inherit its
// flags) has it already: a second registration would put every import through tsx's hooks twice.
import { register } from 'tsx/esm/api';

if (!process.execArgv.some((a) => /[\\/]tsx[\\/]|^tsx$/.test(a))) register();
