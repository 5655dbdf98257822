// ESM app started with `node --import @kvtrace/register`, spans over OTLP http/protobuf.
import { defineCauseSuite } from './support/cause-suite.js';

defineCauseSuite('kv-app.mjs', '--import', 'http/protobuf');
