// CommonJS app started with `node --require @kvtrace/register`, spans over OTLP http/json.
import { defineCauseSuite } from './support/cause-suite.js';

defineCauseSuite('kv-app.cjs', '--require', 'http/json');
