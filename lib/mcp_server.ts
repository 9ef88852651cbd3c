/**
 * The SDK's `McpServer`, imported in one place. The SDK's package exports make `deno check`
 * resolve these types to `any`; the `@ts-types` line points it at the real declarations.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
export { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
