/**
 * Defaults of the HTTP transport, apart from it so that the command line can name them without
 * loading the transport (and the SDK's HTTP code) when serving over stdio.
 *
 * @module
 */

/** The port `--http` listens on when `--port` is not given. */
export const DEFAULT_HTTP_PORT = 3939;
/** The address `--http` listens on when `--host` is not given. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";
/** Seconds a session may go without a request or an open stream before it is closed. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 1800;
