/**
 * The SDK's `McpServer` and the few protocol pieces the server uses, imported in one place. The
 * SDK's package exports make `deno check` resolve these types to `any`; the `@ts-types` lines
 * point it at the real declarations.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
export type { RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  ElicitResultSchema,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export { isTaskAugmentedRequestParams } from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export type {
  CallToolResult,
  ElicitRequestFormParams,
  ElicitResult,
  Request,
  RequestId,
  Result,
  ServerNotification,
  ServerRequest,
  Task,
} from "@modelcontextprotocol/sdk/types.js";
// Not the `experimental/tasks` entry: it also loads the SDK's own task store, and with it
// `node:crypto`, which this server does not need for tasks.
// @ts-types="@modelcontextprotocol/sdk/experimental/tasks/interfaces"
export { isTerminal } from "@modelcontextprotocol/sdk/experimental/tasks/interfaces.js";
// @ts-types="@modelcontextprotocol/sdk/experimental/tasks"
export type {
  CreateTaskOptions,
  CreateTaskRequestHandlerExtra,
  QueuedMessage,
  TaskMessageQueue,
  TaskRequestHandlerExtra,
  TaskStore,
  ToolTaskHandler,
} from "@modelcontextprotocol/sdk/experimental/tasks";
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
export type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";

export { McpServer, ResourceTemplate };

/**
 * Runs `cleanup` once `server`'s connection closes, keeping any close handler set before.
 *
 * @example Usage
 * ```ts
 * import { McpServer, onServerClose } from "./sdk.ts";
 * const server = new McpServer({ name: "example", version: "1.0.0" });
 * onServerClose(server, () => console.error("client gone"));
 * ```
 */
export function onServerClose(server: McpServer, cleanup: () => void): void {
  const previous = server.server.onclose;
  server.server.onclose = () => {
    previous?.();
    cleanup();
  };
}
