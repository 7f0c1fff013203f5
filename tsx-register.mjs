// Loaded first by Cucumber (see cucumber.mjs) so that every worker can import TypeScript.
import { register } from 'tsx/esm/api';
register();
