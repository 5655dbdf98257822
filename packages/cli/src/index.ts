export { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, USAGE, UsageError, parseCommand } from './args.js';
export type { Command, ExplainArgs } from './args.js';
export { explain, formatDuration } from './explain.js';
export type { ExplainInput, ExplainReport } from './explain.js';
export { formatJson, formatText } from './format.js';
export { parseRawResponse, toAuthorizationValue } from './inputs.js';
export type { CapturedResponse } from './inputs.js';
export { main } from './main.js';
export type { CliIo } from './main.js';
