/**
 * The header that marks a console action, shared by the server's check and the page's script.
 *
 * @module
 */

/** The header every console action must carry: a cross-origin page cannot add it without CORS. */
export const CONSOLE_ACTION_HEADER = "x-mcp-bg-console";
